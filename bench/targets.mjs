// Issue 16's targets, each measured side by side in this run: rlm-tui against the unsandboxed
// reference (bench/support/reference_rlm.py: the same RLM loop in-process with exec and urllib,
// against the same fake server) and against a cold loadPyodide(); the memory of whole process
// trees; a 100 MB and a 1 GB context end to end; serve under 8 concurrent requests; the idle TUI.
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {prewarmSandbox} from '../dist/sandbox/index.js';
import {makeText} from './context.mjs';
import {isRoot, repl, startFakeOpenAI} from './support/fake-openai.mjs';
import {MB, benchEnv, cliPath, procCpuMs, processTree, pyodideDir, reps, root, sleep, stats, timedTreeRun, watchTreeMemory, xdgDirs} from './support/util.mjs';

const referenceScript = path.join(root, 'bench', 'support', 'reference_rlm.py');
export const bareLoadScript = `import(${JSON.stringify(path.join(pyodideDir, 'pyodide.mjs'))}).then(({loadPyodide}) => loadPyodide({indexURL: ${JSON.stringify(pyodideDir)}, stdout: () => {}, stderr: () => {}}))`;

const turnOf = (request) => request.messages.filter((m) => m.role === 'assistant').length;
const asked = (request, tag) => request.messages.some((m) => m.content.includes(tag));

/**
 * The fake model. "[3 turns]": look at the context, one llm_query, then the answer from code.
 * "[context]": len(context), then the answer. "[search]": a regular-expression search of the context.
 * Every answer is set through the original's `answer` dict, which both loops understand.
 */
function responder(request) {
	if (!isRoot(request)) return {text: 'a short summary'};
	const turn = turnOf(request);
	if (asked(request, '[3 turns]')) {
		if (turn === 0) return repl('words = context.split()\nprint(len(words), words[:3])', 'Let me look at the context.');
		if (turn === 1) return repl('summary = llm_query("Summarise: " + " ".join(words[:5]))\nprint(summary)', 'Now a sub-call.');
		return repl('answer["content"] = f"{len(words)} words; {summary}"\nanswer["ready"] = True', 'Done.');
	}
	if (asked(request, '[search]')) {
		if (turn === 0) return repl('import re\nhits = len(re.findall(r"\\[error\\] request", context))\nprint(len(context), hits)', 'Searching.');
		return repl('answer["content"] = f"{len(context)} chars, {hits} hits"\nanswer["ready"] = True', 'Done.');
	}
	if (turn === 0) return repl('size = len(context)\nprint(size, context[:40])', 'Let me look at the context.');
	return repl('answer["content"] = f"{size} characters"\nanswer["ready"] = True', 'Done.');
}

const question3 = '[3 turns] How many words are in this question?';

/** Warm hosts (--keep-warm) listening under `runtime` (their command line names their socket there). */
function warmHostsUnder(runtime) {
	return fs
		.readdirSync('/proc')
		.filter((name) => /^\d+$/.test(name))
		.filter((name) => {
			try {
				return fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(`--warm-socket=${runtime}/`);
			} catch {
				return false;
			}
		})
		.map(Number);
}

/** Waits until the one warm host under `runtime` listens and has finished its start (its CPU time
 * stops growing), so that it does not compete with the next measurement; its pid. */
async function settledWarmHost(runtime) {
	const socketDir = path.join(runtime, 'rlm-tui');
	for (let waited = 0; waited < 30_000; waited += 50) {
		const [pid] = warmHostsUnder(runtime);
		const listening = fs.existsSync(socketDir) && fs.readdirSync(socketDir).some((name) => name.endsWith('.sock'));
		if (pid && listening) {
			const before = procCpuMs(pid);
			await sleep(150);
			if (procCpuMs(pid) === before) return pid;
		} else await sleep(50);
	}
	throw new Error('no warm host was left behind by --keep-warm');
}

/** Runs `label` with a check of its output; throws with its stderr when it failed. */
async function checked(label, run, expect) {
	const result = await run();
	if (result.code !== 0 || !expect.test(result.stdout)) {
		throw new Error(`${label} failed (exit ${result.code}${result.signal ? `, ${result.signal}` : ''}): ${(result.stderr || result.stdout).trim().split('\n').slice(-2).join(' | ').slice(0, 300)}`);
	}
	return result;
}

/** Writes `bytes` of makeText-like lines to `file` without holding them in one string. */
function writeBigText(file, bytes) {
	const block = makeText(8 * MB);
	const fd = fs.openSync(file, 'w');
	try {
		let left = bytes;
		while (left > 0) {
			const part = left >= block.length ? block : block.slice(0, left);
			fs.writeSync(fd, part);
			left -= part.length;
		}
	} finally {
		fs.closeSync(fd);
	}
}

// ---- serve ----------------------------------------------------------------------------------------

function startServe(baseURL, env) {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [cliPath, 'serve', '-u', baseURL, '-m', 'm', '--port', '0', '--max-concurrent', '8'], {env, stdio: ['ignore', 'ignore', 'pipe']});
		let stderr = '';
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`serve did not start: ${stderr}`));
		}, 60_000);
		child.stderr.on('data', (chunk) => {
			stderr += chunk;
			const url = /(http:\/\/[^\s]+)\/v1/.exec(stderr)?.[1];
			if (url) {
				clearTimeout(timer);
				resolve({url, child});
			}
		});
		child.on('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`serve exited ${code}: ${stderr}`));
		});
	});
}

async function serveRequest(url) {
	const started = performance.now();
	const response = await fetch(`${url}/v1/chat/completions`, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: JSON.stringify({model: 'rlm', messages: [{role: 'user', content: question3}]}),
	});
	const body = await response.json();
	const text = body?.choices?.[0]?.message?.content ?? '';
	if (response.status !== 200 || !/words/.test(text)) throw new Error(`serve answered ${response.status}: ${JSON.stringify(body).slice(0, 200)}`);
	return performance.now() - started;
}

const percentile = (values, p) => {
	const xs = [...values].sort((a, b) => a - b);
	return xs[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];
};

// ---- the idle TUI ---------------------------------------------------------------------------------

/**
 * Starts the TUI in a pty (120x36), waits for its first frame and then for the whole tree to go
 * idle (no process used CPU for 1.5 s, after its sandbox host started), and reads the resident set
 * of every process in the tree. Quits with Ctrl+C twice.
 */
function idleTuiMemory(env) {
	return new Promise((resolve, reject) => {
		const command = `stty cols 120 rows 36 && exec ${JSON.stringify(process.execPath)} ${JSON.stringify(cliPath)} -b demo`;
		const child = spawn('script', ['-qfec', command, '/dev/null'], {env, stdio: ['pipe', 'pipe', 'ignore']});
		let out = '';
		let framed = false;
		const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
		let result = null;
		child.stdout.on('data', (chunk) => {
			out += chunk.toString('utf8');
			if (!framed && out.includes('\x1b[?1049h') && out.includes('Ask a question')) {
				framed = true;
				void waitIdle();
			}
		});
		async function waitIdle() {
			let last = new Map();
			let quietSince = performance.now();
			const started = performance.now();
			while (performance.now() - started < 90_000) {
				await sleep(250);
				const pids = processTree(child.pid).filter((pid) => pid !== child.pid);
				const now = new Map(pids.map((pid) => [pid, procCpuMs(pid)]));
				const busy = pids.length < 2 || pids.some((pid) => now.get(pid) !== last.get(pid));
				last = now;
				if (busy) quietSince = performance.now();
				else if (performance.now() - quietSince >= 1500) break;
			}
			const memory = watchTreeMemory(child.pid);
			const sampled = memory.stop();
			// The tree's current resident sets (the `script` wrapper excluded: it is not the app).
			const scriptRss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
			result = {rssMb: sampled.maxSumRssMb - scriptRss, processes: sampled.processes - 1};
			child.stdin.write('\x03');
			setTimeout(() => child.stdin.write('\x03'), 300);
		}
		child.on('error', reject);
		child.on('close', () => {
			clearTimeout(killer);
			if (!result) reject(new Error(`the TUI did not settle; output: ${JSON.stringify(out.slice(-300))}`));
			else resolve(result);
		});
	});
}

// ---- the bench ------------------------------------------------------------------------------------

export async function benchTargets(log) {
	const out = {};
	const dirs = xdgDirs('targets');
	const env = benchEnv(dirs, {TERM: 'xterm-256color'});
	const server = await startFakeOpenAI(responder);
	const python = process.env.PYTHON ?? 'python3';
	// --keep-warm runs keep their warm hosts here (XDG_RUNTIME_DIR), apart from the user's.
	const runtime = path.join(dirs.base, 'runtime');
	try {
		// The user's cache as after a first launch: the snapshot is there.
		await prewarmSandbox({cacheDir: path.join(dirs.cache, 'rlm-tui')});
		const cli = (args, options = {}) => timedTreeRun(process.execPath, [cliPath, '-u', server.baseURL, '-m', 'm', ...args], {env, ...options});
		const reference = (args, options = {}) => timedTreeRun(python, [referenceScript, server.baseURL, 'm', ...args], {env, ...options});

		// 1. The whole headless 3-turn answer (the default start, and with --keep-warm on the host the
		// previous --keep-warm run left), the reference, and a cold loadPyodide(), alternating.
		fs.mkdirSync(runtime, {mode: 0o700});
		const warmEnv = {...env, XDG_RUNTIME_DIR: runtime};
		const isWarmHost = (pid) => {
			try {
				return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--warm-socket=');
			} catch {
				return false;
			}
		};
		const warm = [];
		const warmMb = [];
		const warmHostMb = [];
		const ours = [];
		const theirs = [];
		const cold = [];
		const oursMb = [];
		const oursParentMb = [];
		const oursHostMb = [];
		const theirsMb = [];
		await checked('rlm-tui headless', () => cli(['-p', question3]), /words/); // file cache
		// The warm-up: leaves the first warm host.
		await checked('rlm-tui headless --keep-warm', () => cli(['-p', question3, '--keep-warm', '5'], {env: warmEnv}), /words/);
		for (let i = 0; i < reps(7); i++) {
			const a = await checked('rlm-tui headless', () => cli(['-p', question3]), /\d+ words; a short summary/);
			// Claims the host waiting (its memory counts with the run's) and leaves the next one.
			const claimed = await settledWarmHost(runtime);
			const w = await checked('rlm-tui headless --keep-warm', () => cli(['-p', question3, '--keep-warm', '5'], {env: warmEnv, extraPids: [claimed], skip: isWarmHost}), /\d+ words; a short summary/);
			if (warmHostsUnder(runtime).includes(claimed)) throw new Error('the --keep-warm run did not claim the warm host');
			await settledWarmHost(runtime);
			warm.push(w.ms);
			warmMb.push(w.peakMb);
			warmHostMb.push(w.othersMb);
			const b = await checked('the reference', () => reference([question3]), /\d+ words; a short summary/);
			const c = await checked('cold loadPyodide()', () => timedTreeRun(process.execPath, ['-e', bareLoadScript], {env}), /^/);
			ours.push(a.ms);
			theirs.push(b.ms);
			cold.push(c.ms);
			oursMb.push(a.peakMb);
			oursParentMb.push(a.rootMb);
			oursHostMb.push(a.othersMb);
			theirsMb.push(b.peakMb);
		}
		Object.assign(out, {headless3WarmMs: warm, headless3WarmMb: warmMb, headless3WarmHostMb: warmHostMb});
		out.headless3WarmOverReference = warm.map((x, i) => x / theirs[i]);
		out.headless3WarmOverCold = warm.map((x, i) => x / cold[i]);
		log(`  3-turn answer with --keep-warm: ${warm.map((x) => x.toFixed(0)).join(', ')} ms; memory with the claimed host ${warmMb.map((x) => x.toFixed(0)).join(', ')} MB`);
		Object.assign(out, {headless3Ms: ours, reference3Ms: theirs, coldLoadMs: cold, headless3Mb: oursMb, headless3ParentMb: oursParentMb, headless3HostMb: oursHostMb, reference3Mb: theirsMb});
		out.headless3OverReference = ours.map((x, i) => x / theirs[i]);
		out.headless3OverCold = ours.map((x, i) => x / cold[i]);
		log(`  3-turn answer: rlm-tui ${ours.map((x) => x.toFixed(0)).join(', ')} ms; reference ${theirs.map((x) => x.toFixed(0)).join(', ')} ms; cold loadPyodide ${cold.map((x) => x.toFixed(0)).join(', ')} ms`);
		log(`  memory (peak RSS, all processes): rlm-tui ${oursMb.map((x) => x.toFixed(0)).join(', ')} MB; reference ${theirsMb.map((x) => x.toFixed(0)).join(', ')} MB`);

		// 2. A 100 MB context end to end, against a 1 KB one (and the reference with the same files).
		const small = path.join(dirs.base, 'context-1k.txt');
		const big = path.join(dirs.base, 'context-100m.txt');
		fs.writeFileSync(small, makeText(1024));
		writeBigText(big, 100 * MB);
		const question = '[context] How long is the context?';
		const smallRuns = [];
		const bigRuns = [];
		const bigMb = [];
		const bigHostMb = [];
		const refSmall = [];
		const refBig = [];
		const refBigMb = [];
		for (let i = 0; i < reps(4); i++) {
			const s = await checked('rlm-tui, 1 KB context', () => cli(['-c', small, '-p', question]), /1024 characters/);
			const b = await checked('rlm-tui, 100 MB context', () => cli(['-c', big, '-p', question], {timeoutMs: 300_000}), new RegExp(`${100 * MB} characters`));
			const rs = await checked('the reference, 1 KB context', () => reference([question, small]), /1024 characters/);
			const rb = await checked('the reference, 100 MB context', () => reference([question, big], {timeoutMs: 300_000}), new RegExp(`${100 * MB} characters`));
			smallRuns.push(s.ms);
			bigRuns.push(b.ms);
			bigMb.push(b.peakMb);
			bigHostMb.push(b.maxProcessMb);
			refSmall.push(rs.ms);
			refBig.push(rb.ms);
			refBigMb.push(rb.peakMb);
		}
		out.ctxSmallMs = smallRuns;
		out.ctxBigMs = bigRuns;
		out.ctxPerMbOverSmall = bigRuns.map((x, i) => (x - smallRuns[i]) / 100);
		out.ctxBigTreeMb = bigMb;
		out.ctxBigLargestProcessMb = bigHostMb;
		out.refCtxSmallMs = refSmall;
		out.refCtxBigMs = refBig;
		out.refCtxPerMbOverSmall = refBig.map((x, i) => (x - refSmall[i]) / 100);
		out.refCtxBigMb = refBigMb;
		log(`  100 MB context: rlm-tui ${bigRuns.map((x) => x.toFixed(0)).join(', ')} ms vs 1 KB ${smallRuns.map((x) => x.toFixed(0)).join(', ')} ms; reference ${refBig.map((x) => x.toFixed(0)).join(', ')} vs ${refSmall.map((x) => x.toFixed(0)).join(', ')} ms; tree peak ${bigMb.map((x) => x.toFixed(0)).join(', ')} MB`);
		fs.rmSync(big, {force: true});

		// 3. A 1 GB context: loaded and searched with `re`, or the message the user gets.
		const huge = path.join(dirs.base, 'context-1g.txt');
		writeBigText(huge, 1024 * MB);
		const gb = await cli(['-c', huge, '-p', '[search] How many error requests?'], {timeoutMs: 900_000, everyMs: 100});
		fs.rmSync(huge, {force: true});
		out.gb = {
			ok: gb.code === 0 && /chars, \d+ hits/.test(gb.stdout),
			ms: gb.ms,
			code: gb.code,
			signal: gb.signal ?? null,
			peakMb: gb.peakMb,
			answer: gb.stdout.trim().slice(0, 200),
			message: gb.stderr.trim().split('\n').filter(Boolean).slice(-2).join(' | ').slice(0, 400),
		};
		log(`  1 GB context: ${out.gb.ok ? `answered "${out.gb.answer}"` : `exit ${gb.code}: ${out.gb.message}`} in ${gb.ms.toFixed(0)} ms, tree peak ${gb.peakMb.toFixed(0)} MB`);

		// 4. serve: one request alone, then 8 at once.
		const serve = await startServe(server.baseURL, env);
		try {
			await serveRequest(serve.url); // warm up
			const alone = [];
			for (let i = 0; i < reps(5); i++) alone.push(await serveRequest(serve.url));
			const latencies = [];
			const throughput = [];
			for (let round = 0; round < reps(3); round++) {
				const t = performance.now();
				const times = await Promise.all(Array.from({length: 8}, () => serveRequest(serve.url)));
				throughput.push(8 / ((performance.now() - t) / 1000));
				latencies.push(...times);
			}
			out.serveAloneMs = alone;
			out.serveLatencyMs = latencies;
			out.serveRps = throughput;
			out.serveP50 = percentile(latencies, 50);
			out.serveP95 = percentile(latencies, 95);
			log(`  serve: alone ${alone.map((x) => x.toFixed(0)).join(', ')} ms; 8 at once ${throughput.map((x) => x.toFixed(2)).join(', ')} req/s, p50 ${out.serveP50.toFixed(0)} ms, p95 ${out.serveP95.toFixed(0)} ms`);
		} finally {
			serve.child.kill('SIGTERM');
		}

		// 5. The idle TUI's memory, all its processes.
		const idle = [];
		for (let i = 0; i < reps(3); i++) idle.push((await idleTuiMemory(env)).rssMb);
		out.idleTuiMb = idle;
		log(`  idle TUI: ${idle.map((x) => x.toFixed(0)).join(', ')} MB`);
	} finally {
		for (const pid of warmHostsUnder(runtime)) process.kill(pid, 'SIGTERM');
		await server.close();
		fs.rmSync(dirs.base, {recursive: true, force: true});
	}
	return out;
}

export const median = (values) => (values && values.length ? stats(values).median : NaN);
