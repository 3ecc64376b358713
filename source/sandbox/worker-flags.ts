// How the host sets up V8 for its worker (host.ts): flags and the young generation's size.
/**
 * V8 flags the worker runs with. A host started from Node's startup snapshot has them on its
 * command line (node-startup-snapshot.ts: the blob was built with them, and its code cache for
 * Node's built-in modules was made with them). Otherwise the host (host.ts) sets them just before it
 * starts the worker: any of them on a plain host's command line changes V8's flag hash
 * (v8.cachedDataVersionTag), and Node's own code cache, made with no flags, is then refused, so the
 * host compiled every built-in it loads from source (about 50 ms of CPU before it could start the
 * worker, at a start's load) — and the worker still compiles its own bootstrap from source (about
 * 25 ms more). Each is read when it is needed: the ban on code from strings and `gc` when the
 * worker's context is made, the Wasm ones when Pyodide's module compiles and instantiates.
 */
export const workerV8Flags = [
	// No eval, new Function or string timers in the worker's context (worker.ts checks it at start).
	'--disallow-code-generation-from-strings',
	// The worker's `gc` (it collects the start's garbage once it is ready: an idle host holds about
	// 30 MB less). Python reaches no JavaScript global, this one included.
	'--expose-gc',
	// One background compiler: with GC on the main thread, a host starts with the memory and CPU of
	// --single-threaded (about 20 MB and 20% less than V8's defaults) and leaves the second core to
	// the parent. Not --single-threaded itself: it defers optimising the hot Wasm functions, and a
	// snapshot restore starts with none optimised (a fresh load warms them while Python starts), so
	// Python ran about 75% slower for its first second of work, and the whole 8 MB text job of
	// `npm run bench` 1.3x slower than in a bare Pyodide.
	'--wasm-num-compilation-tasks=1',
	// V8 optimises a Wasm function once it has run about this many bytes of code (default 1.8 M).
	// CPython's eval loop gets there within the first block anyway; the 10-20 smaller functions that
	// reached the default in a short run stay at the baseline tier: the host of a 3-turn answer uses
	// about 60-90 ms less CPU, and the text job of `npm run bench` runs as fast (it is measured after
	// a warm-up run). 400 K was slower; no tiering at all far slower.
	'--wasm-tiering-budget=20000000',
];

/** The worker's young generation, in MB: V8 makes it three semi-spaces, so 1 MB each instead of up
 * to 16 (what --max-semi-space-size=1 did, as a Worker resource limit it leaves the flag hash
 * alone). The worker's JavaScript is Pyodide's glue, whose garbage is small: about 9 MB less
 * resident, Python as fast (npm run bench). */
export const workerYoungGenerationMb = 3;
