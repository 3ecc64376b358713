// Shared by the sandbox tests (not a test file itself).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** One snapshot cache for the sandbox tests, outside the user's real cache. */
export const testCacheDir = path.join(os.tmpdir(), 'rlm-tui-sandbox-test-cache');

/** A fresh, empty cache directory (removed by the caller). */
export function freshCacheDir(): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-tui-sandbox-cache-'));
}

/** User + system CPU seconds of a process (all its threads), from /proc; null where unavailable. */
export function cpuSeconds(pid: number): number | null {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		const ticks = Number(fields[11]) + Number(fields[12]);
		return ticks / 100;
	} catch {
		return null;
	}
}

export function processExists(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** Polls until `check` is true (or fails after `ms`). */
export async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
	const end = Date.now() + ms;
	while (!check()) {
		if (Date.now() > end) throw new Error('condition not met in time');
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

export function delay<T>(ms: number, value: T): Promise<T> {
	return new Promise((resolve) => setTimeout(() => resolve(value), ms));
}

/** Python that finds Pyodide's own JS objects (API, Module) through the garbage collector. */
export const findPyodide = `
import gc
from pyodide.ffi import JsProxy
_found = {}
for _o in gc.get_objects():
    for _r in [_o, *gc.get_referents(_o)]:
        if isinstance(_r, JsProxy):
            _found[id(_r)] = _r
pj = next(x for x in _found.values() if hasattr(x, "mountNodeFS"))
M = pj._module
API = pj._api
def tryit(label, fn):
    try:
        value = fn()
        print(label, "ESCAPED", str(value)[:200])
    except BaseException as e:
        print(label, "blocked", type(e).__name__)
`;
