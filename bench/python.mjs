// Python: the same text-processing job on the same 8 MB text, in the sandbox (Pyodide) and in the
// machine's native python3, each timing only the job with time.perf_counter (one warm-up run
// dropped). The parts are timed too, to show where the difference comes from.
import fs from 'node:fs';
import path from 'node:path';
import {spawnSync} from 'node:child_process';
import {prewarmSandbox, Sandbox} from '../dist/sandbox/index.js';
import {makeText} from './context.mjs';
import {MB, reps, tempDir} from './support/util.mjs';

const jobCode = (runs) => `import collections, json, re, sys, time

def job(text):
    t0 = time.perf_counter()
    words = text.split()
    counts = collections.Counter(words)
    top = counts.most_common(5)
    t1 = time.perf_counter()
    values = re.findall(r"=(\\d+)", text)
    total = sum(int(v) for v in values)
    t2 = time.perf_counter()
    levels = collections.Counter()
    days = set()
    for line in text.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[1].startswith("["):
            levels[parts[1].strip("[]")] += 1
            days.add(parts[0][:10])
    t3 = time.perf_counter()
    check = [len(words), top, total, sorted(levels.items()), len(days)]
    return check, {"split_counter": t1 - t0, "regex": t2 - t1, "lines": t3 - t2, "total": t3 - t0}

job(context)  # warm-up, dropped
_times = []
for _ in range(${runs}):
    _check, _t = job(context)
    _times.append(_t)
print(json.dumps({"python": sys.version.split()[0], "check": repr(_check), "times": _times}))
`;

export async function benchPython(log) {
	const out = {};
	const dir = tempDir('python');
	try {
		const text = makeText(8 * MB);
		const runs = reps(5);
		const code = jobCode(runs);

		const file = path.join(dir, 'context.txt');
		fs.writeFileSync(file, text);
		const native = spawnSync('python3', ['-c', `context = open(${JSON.stringify(file)}, encoding="utf-8").read()\n${code}`], {encoding: 'utf8', timeout: 120_000});
		if (native.status !== 0) {
			out.pythonError = `native python3 could not run: ${(native.stderr || native.error?.message || '').trim().split('\n').at(-1)}`;
			return out;
		}
		const nat = JSON.parse(native.stdout);

		await prewarmSandbox({cacheDir: dir});
		const sandbox = await Sandbox.start({cacheDir: dir, timeoutMs: 300_000});
		let sbx;
		try {
			await sandbox.setContext(text);
			const result = await sandbox.run(code, {timeoutMs: 300_000});
			if (!result.ok) throw new Error(`sandbox job failed: ${result.error}`);
			sbx = JSON.parse(result.stdout);
		} finally {
			await sandbox.dispose();
		}
		if (sbx.check !== nat.check) throw new Error(`the two runs disagree:\n${sbx.check}\n${nat.check}`);
		// The floor: the same job in a bare Pyodide, with no sandbox around it.
		const codeFile = path.join(dir, 'job.py');
		fs.writeFileSync(codeFile, code);
		const bareRun = spawnSync(process.execPath, [path.join(import.meta.dirname, 'support', 'bare-pyodide-job.mjs'), file, codeFile], {encoding: 'utf8', timeout: 300_000});
		const bare = bareRun.status === 0 ? JSON.parse(bareRun.stdout) : null;
		out.pythonVersions = {sandbox: sbx.python, native: nat.python};
		for (const part of ['total', 'split_counter', 'regex', 'lines']) {
			const s = sbx.times.map((t) => t[part] * 1000);
			const n = nat.times.map((t) => t[part] * 1000);
			out[`py_${part}_sandboxMs`] = s;
			out[`py_${part}_nativeMs`] = n;
			out[`py_${part}_ratio`] = s.map((x, i) => x / n[i]);
			if (bare) {
				const b = bare.times.map((t) => t[part] * 1000);
				out[`py_${part}_bareMs`] = b;
				out[`py_${part}_bareRatio`] = b.map((x, i) => x / n[i]);
				out[`py_${part}_sandboxOverBare`] = s.map((x, i) => x / b[i]);
			}
		}
		log(`  text job: sandbox ${out.py_total_sandboxMs.map((x) => x.toFixed(0)).join(', ')} ms (Python ${sbx.python}); native ${out.py_total_nativeMs.map((x) => x.toFixed(0)).join(', ')} ms (Python ${nat.python})`);
	} finally {
		fs.rmSync(dir, {recursive: true, force: true});
	}
	return out;
}
