// Gives an ArrayBuffer's memory back without waiting for a full garbage collection.

/**
 * Detaches `buffer` (its views then read as empty) and hands its memory to a new, unreferenced
 * ArrayBuffer, which the next young-generation collection (a scavenge: about a millisecond, and
 * frequent) frees. Left alone, a buffer that lived through a few collections is freed only by a
 * full one (a mark-compact: 25-50 ms of a host's thread). Node 20 has no
 * ArrayBuffer.prototype.transfer; structuredClone's transfer list moves the memory the same way.
 * A buffer that cannot be detached (a Wasm memory's, a pooled Buffer's) is left as it is.
 */
export function releaseBuffer(buffer: ArrayBufferLike): void {
	try {
		structuredClone(buffer, {transfer: [buffer as ArrayBuffer]});
	} catch {
		// not transferable: the garbage collector frees it as before
	}
}
