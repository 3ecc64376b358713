// Context: Sandbox.setContext time per MB for 1, 10 and 100 MB (each run in a fresh sandbox, so it
// is the first load a session pays; the one-off cost of a new host's first operation is timed
// apart with a trivial block), and the host process's peak resident set (VmHWM) as a
// multiple of the context size.
import fs from 'node:fs';
import {prewarmSandbox, Sandbox} from '../dist/sandbox/index.js';
import {MB, procMemory, reps, tempDir} from './support/util.mjs';

/** Text of `size` bytes: lines of words, like a log or a report (ASCII). */
export function makeText(bytes) {
	const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu', 'error', 'warning', 'info', 'request', 'user', 'id', 'status', 'ok'];
	const lines = [];
	let seed = 12345;
	const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
	for (let i = 0; i < 2000; i++) {
		const n = 6 + (next() % 10);
		const line = [`2024-05-${String(1 + (i % 28)).padStart(2, '0')}T12:${String(i % 60).padStart(2, '0')}:00`, `[${words[12 + (next() % 3)]}]`];
		for (let j = 0; j < n; j++) line.push(words[next() % words.length] + (next() % 7 === 0 ? `=${next() % 1000}` : ''));
		lines.push(line.join(' '));
	}
	const block = `${lines.join('\n')}\n`;
	return block.repeat(Math.ceil(bytes / block.length)).slice(0, bytes);
}

export async function benchContext(log) {
	const out = {};
	const cacheDir = tempDir('context-cache');
	try {
		await prewarmSandbox({cacheDir});
		for (const size of [1, 10, 100]) {
			const text = makeText(size * MB);
			const perMb = [];
			const peakMultiple = [];
			const growthMultiple = [];
			const peakMb = [];
			const baselineMb = [];
			const firstOp = [];
			for (let i = 0; i < reps(7); i++) {
				const sandbox = await Sandbox.start({cacheDir});
				try {
					const pid = sandbox.pid;
					// The first operation after a start pays a one-off warm-up; time it apart.
					let t = performance.now();
					await sandbox.run('pass');
					firstOp.push(performance.now() - t);
					const before = procMemory(pid).hwm;
					t = performance.now();
					await sandbox.setContext(text);
					const ms = performance.now() - t;
					const check = await sandbox.run('print(len(context))');
					if (Number(check.stdout) !== text.length) throw new Error(`context check failed: ${check.stdout} ${check.error ?? ''}`);
					const peak = procMemory(pid).hwm;
					perMb.push(ms / size);
					peakMultiple.push(peak / (size * MB));
					peakMb.push(peak / MB);
					growthMultiple.push((peak - before) / (size * MB));
					baselineMb.push(before / MB);
				} finally {
					await sandbox.dispose();
				}
			}
			out[`ctx${size}MsPerMb`] = perMb;
			out[`ctx${size}PeakMultiple`] = peakMultiple;
			out[`ctx${size}GrowthMultiple`] = growthMultiple;
			out[`ctx${size}PeakMb`] = peakMb;
			out[`ctx${size}BaselineMb`] = baselineMb;
			out.firstOpMs = [...(out.firstOpMs ?? []), ...firstOp];
			log(`  ${size} MB: ${perMb.map((x) => x.toFixed(2)).join(', ')} ms/MB; host peak ${peakMultiple.map((x) => x.toFixed(2)).join(', ')}x; growth ${growthMultiple.map((x) => x.toFixed(2)).join(', ')}x; baseline ${baselineMb.map((x) => x.toFixed(0)).join(', ')} MB`);
		}
	} finally {
		fs.rmSync(cacheDir, {recursive: true, force: true});
	}
	return out;
}
