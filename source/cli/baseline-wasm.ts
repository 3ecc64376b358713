// The command line's only WebAssembly is Node's HTTP parser (undici's llhttp, compiled on the first
// fetch). V8 compiles it fast (Liftoff), then again with its optimising compiler once it runs hot:
// for this large parser that second compile costs a headless run about 28 MB at its peak and 80 ms
// of CPU (npm run bench), and buys nothing a few streamed replies could notice.

import v8 from 'node:v8';

/**
 * Keeps every WebAssembly module compiled from now on at V8's baseline tier (--liftoff-only). Call
 * it before the first fetch. Not for the TUI: Ink lays out frames with Yoga, compiled to Wasm.
 */
export function keepWasmAtBaseline(): void {
	v8.setFlagsFromString('--liftoff-only');
}
