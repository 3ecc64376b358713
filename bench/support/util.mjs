// Shared helpers for the benchmarks: statistics, formatting, private XDG dirs, timed processes.
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cliPath = path.join(root, 'dist', 'cli.js');
export const pyodideDir = path.join(root, 'node_modules', 'pyodide') + path.sep;
export const MB = 1024 * 1024;

/** Repetition counts scale with BENCH_REPEAT (e.g. 0.4 while developing); never below 1. */
const scale = Number(process.env.BENCH_REPEAT ?? '1') || 1;
export const reps = (n) => Math.max(1, Math.round(n * scale));

export function stats(values) {
	const xs = [...values].sort((a, b) => a - b);
	const mid = xs.length >> 1;
	const median = xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
	return {median, min: xs[0], max: xs.at(-1), n: xs.length};
}

/** "12.3 (11.9–13.0)", with `digits` decimals. */
export function fmtStats(values, digits = 1) {
	const s = stats(values);
	if (s.n === 1) return `${s.median.toFixed(digits)} (n=1)`;
	return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function tempDir(prefix) {
	return fs.mkdtempSync(path.join(os.tmpdir(), `rlm-bench-${prefix}-`));
}

/** An environment with its own config/cache/state dirs and no keys or CI flags. */
export function benchEnv(dirs, extra = {}) {
	const env = {...process.env};
	for (const name of Object.keys(env)) {
		if (/^(OPENAI|ANTHROPIC|RLM)_/.test(name) || name === 'CI' || name.startsWith('CI_') || name === 'NODE_OPTIONS') delete env[name];
	}
	return {
		...env,
		XDG_CONFIG_HOME: dirs.config,
		XDG_CACHE_HOME: dirs.cache,
		XDG_STATE_HOME: dirs.state,
		XDG_DATA_HOME: dirs.state,
		RLM_DEMO_DELAY_MS: '0',
		...extra,
	};
}

export function xdgDirs(prefix) {
	const base = tempDir(prefix);
	const dirs = {base, config: path.join(base, 'config'), cache: path.join(base, 'cache'), state: path.join(base, 'state')};
	for (const dir of [dirs.config, dirs.cache, dirs.state]) fs.mkdirSync(dir, {recursive: true});
	return dirs;
}

/**
 * Spawns a process and resolves with the wall time from spawn to exit (ms), its output and code.
 * stdin is /dev/null (so a CLI that reads piped stdin sees its end at once).
 */
export function timedRun(command, args, {env, cwd = root, timeoutMs = 120_000} = {}) {
	return new Promise((resolve, reject) => {
		const started = performance.now();
		const child = spawn(command, args, {env, cwd, stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr += chunk));
		const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		child.on('error', reject);
		child.on('close', (code) => {
			clearTimeout(timer);
			resolve({ms: performance.now() - started, code, stdout, stderr});
		});
	});
}

export function machine() {
	const cpus = os.cpus();
	let memory = `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`;
	return {
		cpu: cpus[0]?.model?.trim() ?? 'unknown',
		cores: cpus.length,
		memory,
		node: process.version,
		platform: `${os.type()} ${os.release()} (${os.arch()})`,
		date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
	};
}

/** Peak and current resident set of a process, in bytes (Linux /proc). */
export function procMemory(pid) {
	try {
		const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
		return {hwm: kb('VmHWM'), rss: kb('VmRSS')};
	} catch {
		return {hwm: NaN, rss: NaN};
	}
}

/** The process and all its descendants, from /proc (Linux). */
export function processTree(pid) {
	const pids = [];
	const visit = (p) => {
		pids.push(p);
		let tasks;
		try {
			tasks = fs.readdirSync(`/proc/${p}/task`);
		} catch {
			return;
		}
		for (const task of tasks) {
			let children;
			try {
				children = fs.readFileSync(`/proc/${p}/task/${task}/children`, 'utf8');
			} catch {
				continue;
			}
			for (const child of children.trim().split(/\s+/).filter(Boolean)) visit(Number(child));
		}
	};
	visit(pid);
	return pids;
}

/** CPU time (user + system) a process has used so far, in ms; NaN once it is gone. */
export function procCpuMs(pid) {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return (Number(fields[11]) + Number(fields[12])) * (1000 / 100);
	} catch {
		return NaN;
	}
}

/**
 * Watches a process tree's memory until stopped: every `everyMs` it reads each process's peak
 * resident set (VmHWM, which only grows) and the sum of current resident sets. `peakMb` is the sum
 * over every process seen of its last peak: the tree's memory as "peak RSS of all processes".
 * A process that lives less than `everyMs` can be missed; the last reading of one is at most
 * `everyMs` before it ended. `rootMb` is the root's own peak, `othersMb` the sum of the others'.
 * `extraPids`: processes outside the tree to count too (a claimed warm host); `skip(pid)`: tree
 * processes not to count (a warm host the run leaves behind as it exits).
 */
export function watchTreeMemory(rootPid, {everyMs = 20, extraPids = [], skip = () => false} = {}) {
	const peaks = new Map();
	let maxSumRss = 0;
	const sample = () => {
		let sum = 0;
		for (const pid of [...processTree(rootPid).filter((p) => !skip(p)), ...extraPids]) {
			const {hwm, rss} = procMemory(pid);
			if (Number.isFinite(hwm)) peaks.set(pid, hwm);
			if (Number.isFinite(rss)) sum += rss;
		}
		maxSumRss = Math.max(maxSumRss, sum);
	};
	sample();
	const timer = setInterval(sample, everyMs);
	return {
		sample,
		stop() {
			clearInterval(timer);
			const values = [...peaks.values()];
			const peakMb = values.reduce((a, b) => a + b, 0) / MB;
			const rootMb = (peaks.get(rootPid) ?? NaN) / MB;
			return {peakMb, rootMb, othersMb: peakMb - rootMb, maxProcessMb: Math.max(0, ...values) / MB, maxSumRssMb: maxSumRss / MB, processes: peaks.size};
		},
	};
}

/** timedRun, watching the memory of the process tree (see watchTreeMemory). */
export function timedTreeRun(command, args, {env, cwd = root, timeoutMs = 120_000, everyMs = 20, extraPids = [], skip} = {}) {
	return new Promise((resolve, reject) => {
		const started = performance.now();
		const child = spawn(command, args, {env, cwd, stdio: ['ignore', 'pipe', 'pipe']});
		const memory = watchTreeMemory(child.pid, {everyMs, extraPids, ...(skip ? {skip} : {})});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr += chunk));
		const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		child.on('error', reject);
		child.on('exit', () => {
			clearTimeout(timer);
			const ms = performance.now() - started;
			const mem = memory.stop();
			child.on('close', (code, signal) => resolve({ms, code, signal, stdout, stderr, ...mem}));
		});
	});
}
