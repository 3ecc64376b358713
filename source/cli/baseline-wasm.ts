// The command line's only WebAssembly is Node's HTTP parser (undici's llhttp, compiled on the first
// fetch). V8 compiles it fast (Liftoff), then again with its optimising compiler once it runs hot:
// for this large parser that second compile costs a headless run about 28 MB at its peak and 80 ms
// of CPU (npm run bench), and buys nothing a few streamed replies could notice.

import v8 from 'node:v8';

/**
 * Keeps every WebAssembly module compiled from now on at V8's baseline tier (--liftoff-only). Call
 * it before the first fetch. Not for the TUI: Ink lays out frames with Yoga, compiled to Wasm.
 *
 * Any V8 flag set at run time changes V8's flag hash, and Node then refuses its own code cache for
 * every built-in module loaded afterwards: each is compiled from source. Node's fetch (undici, the
 * largest of them, loaded on the first request) is loaded first, while the cache still applies:
 * about 20 ms less CPU per run (measured: `globalThis.Headers` plus node:https loaded after the flag
 * 36 ms of CPU, before it 17 ms).
 */
export function keepWasmAtBaseline(): void {
	// The getter loads Node's whole fetch implementation (globalThis.fetch alone defers it).
	void globalThis.Headers;
	v8.setFlagsFromString('--liftoff-only');
}
