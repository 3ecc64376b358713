// Start-up: launch to the first TUI frame (under a pseudo-terminal), launch to REPL ready with and
// without the snapshot, and a whole headless answer against a local fake server as a ratio to a
// bare cold loadPyodide() in a fresh node process, run alternately in the same loop.
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {prewarmSandbox, Sandbox, snapshotWritesSettled} from '../dist/sandbox/index.js';
import {isRoot, repl, startFakeOpenAI} from './support/fake-openai.mjs';
import {benchEnv, cliPath, pyodideDir, reps, sleep, tempDir, timedRun, xdgDirs} from './support/util.mjs';

/** Spawns the TUI under `script` (a pty of 120x36) and resolves with ms to the first frame. */
function tuiFirstFrame(env) {
	return new Promise((resolve, reject) => {
		const command = `stty cols 120 rows 36 && exec ${JSON.stringify(process.execPath)} ${JSON.stringify(cliPath)} -b demo`;
		const started = performance.now();
		const child = spawn('script', ['-qfec', command, '/dev/null'], {env, stdio: ['pipe', 'pipe', 'ignore']});
		let out = '';
		let firstFrame = null;
		const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
		child.stdout.on('data', (chunk) => {
			out += chunk.toString('utf8');
			if (firstFrame === null && out.includes('\x1b[?1049h') && out.includes('Tree') && out.includes('Ask a question')) {
				firstFrame = performance.now() - started;
				// Quit as a user would: Ctrl+C twice (the second after the first is shown).
				child.stdin.write('\x03');
				setTimeout(() => child.stdin.write('\x03'), 200);
			}
		});
		child.on('error', reject);
		child.on('close', () => {
			clearTimeout(killer);
			if (firstFrame === null) reject(new Error(`no TUI frame seen; output: ${JSON.stringify(out.slice(-300))}`));
			else resolve(firstFrame);
		});
	});
}

/** The script of the headless answer: one code block, then the answer from executed code. */
function headlessResponder(request) {
	if (!isRoot(request)) return {text: 'sub answer'};
	const turn = request.messages.filter((m) => m.role === 'assistant').length;
	if (turn === 0) return repl('words = context.split()\nprint(len(words), words[:3])', 'Let me look at the context.');
	return repl('llm_output(f"{len(words)} words")', 'Done.');
}

const bareLoadScript = `import(${JSON.stringify(path.join(pyodideDir, 'pyodide.mjs'))}).then(({loadPyodide}) => loadPyodide({indexURL: ${JSON.stringify(pyodideDir)}, stdout: () => {}, stderr: () => {}}))`;

export async function benchStartup(log) {
	const out = {};
	const dirs = xdgDirs('startup');
	const env = benchEnv(dirs, {TERM: 'xterm-256color'});
	try {
		// Reference: a bare node start under the same pty wrapper and without it.
		const nodeBare = [];
		for (let i = 0; i < reps(5); i++) nodeBare.push((await timedRun(process.execPath, ['-e', '0'], {env})).ms);
		out.nodeBare = nodeBare;

		// REPL ready: without a snapshot (a fresh empty cacheDir: the start also builds it) and with it.
		const cold = [];
		const coldLoad = [];
		let warmDir = null;
		for (let i = 0; i < reps(3); i++) {
			const cacheDir = tempDir('cache');
			const t = performance.now();
			const sandbox = await Sandbox.start({cacheDir});
			cold.push(performance.now() - t);
			coldLoad.push(sandbox.startInfo.loadMs);
			if (sandbox.startInfo.fromSnapshot) throw new Error('a fresh cache dir started from a snapshot');
			await snapshotWritesSettled();
			await sandbox.dispose();
			if (warmDir) fs.rmSync(cacheDir, {recursive: true, force: true});
			else warmDir = cacheDir;
		}
		out.replCold = cold;
		out.replColdLoadMs = coldLoad;
		log(`  REPL ready cold: ${cold.map((x) => x.toFixed(0)).join(', ')} ms`);
		const warm = [];
		for (let i = 0; i < reps(7); i++) {
			const t = performance.now();
			const sandbox = await Sandbox.start({cacheDir: warmDir});
			warm.push(performance.now() - t);
			if (!sandbox.startInfo.fromSnapshot) throw new Error(`the warm start did not use the snapshot: ${sandbox.startInfo.note ?? ''}`);
			await sandbox.dispose();
		}
		out.replWarm = warm;
		log(`  REPL ready from snapshot: ${warm.map((x) => x.toFixed(0)).join(', ')} ms`);
		fs.rmSync(warmDir, {recursive: true, force: true});

		// The user's cache as after the first launch: the snapshot is there.
		const userCache = path.join(dirs.cache, 'rlm-tui');
		await prewarmSandbox({cacheDir: userCache});
		if (!fs.readdirSync(userCache).some((name) => name.endsWith('.snapshot'))) throw new Error('prewarm wrote no snapshot');

		// Launch to first TUI frame (demo backend). One untimed launch first (file cache).
		const tui = [];
		for (let i = 0; i < reps(5) + 1; i++) {
			const ms = await tuiFirstFrame(env);
			if (i > 0) tui.push(ms);
			await sleep(300);
		}
		out.tuiFirstFrame = tui;
		log(`  TUI first frame: ${tui.map((x) => x.toFixed(0)).join(', ')} ms`);

		// Headless answer vs bare cold loadPyodide(), alternating in one loop.
		const server = await startFakeOpenAI(headlessResponder);
		try {
			const args = [cliPath, '-u', server.baseURL, '-m', 'm', '-p', 'How many words are in this question?'];
			const fresh = xdgDirs('firstrun');
			const first = await timedRun(process.execPath, args, {env: benchEnv(fresh)});
			fs.rmSync(fresh.base, {recursive: true, force: true});
			if (first.code !== 0 || !first.stdout.includes('words')) throw new Error(`headless run failed: ${first.stderr || first.stdout}`);
			out.headlessFirstEver = [first.ms]; // no snapshot yet: a user's very first answer
			const headless = [];
			const bare = [];
			for (let i = 0; i < reps(5); i++) {
				const run = await timedRun(process.execPath, args, {env});
				if (run.code !== 0 || !run.stdout.includes('words')) throw new Error(`headless run failed: ${run.stderr || run.stdout}`);
				headless.push(run.ms);
				const b = await timedRun(process.execPath, ['-e', bareLoadScript], {env});
				if (b.code !== 0) throw new Error(`bare loadPyodide failed: ${b.stderr}`);
				bare.push(b.ms);
			}
			out.headless = headless;
			out.bareLoadPyodide = bare;
			out.headlessRatio = headless.map((h, i) => h / bare[i]);
			log(`  headless: ${headless.map((x) => x.toFixed(0)).join(', ')} ms; bare loadPyodide: ${bare.map((x) => x.toFixed(0)).join(', ')} ms`);
		} finally {
			await server.close();
		}
	} finally {
		fs.rmSync(dirs.base, {recursive: true, force: true});
	}
	return out;
}
