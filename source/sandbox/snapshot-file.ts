// The on-disk form of a Pyodide memory snapshot: a 16-byte header (magic, payload length), the
// payload, and an 8-byte trailer. A file cut short or overwritten by something else fails the
// check and the worker falls back to a cold start. Used by the worker (read) and the parent (write).
import fs from 'node:fs';
import {releaseBuffer} from './release-buffer.js';

const MAGIC = Buffer.from('RLMSNAP1');
const TRAILER = Buffer.from('RLMSNAPE');
const HEADER = 16;

const PAGE = 4096;
/** Zero runs are looked for a chunk at a time first: most of a snapshot's zero pages come in long runs. */
const CHUNK = 16 * PAGE;
const zeroChunk = Buffer.alloc(CHUNK);
/** The payload's start read as it is: Pyodide's own header (magic, build id, the JSON of its JS
 * state) lies there, before the Wasm heap; at least this much of it, more if Pyodide says so. */
const PAYLOAD_HEAD = 64 * 1024;

type ByteArray = Uint8Array | Int8Array;
type SetMethod = (this: ByteArray, source: ArrayLike<number>, offset?: number) => void;

/** Whether bytes [start, end) of `bytes` are all zero (at most CHUNK of them); allocates nothing. */
const isZero = (bytes: Buffer, start: number, end: number): boolean => bytes.compare(zeroChunk, 0, end - start, start, end) === 0;

/**
 * Runs `load` (Pyodide's loadPyodide) with a snapshot file as its `_loadSnapshot` payload, without
 * a copy of the snapshot in memory. Pyodide restores a snapshot by copying the payload's heap part
 * into the Wasm memory with one TypedArray `set`; while `load` runs, that copy is read from the
 * file instead, page by page, and the zero pages (about half of a snapshot: the free part of
 * Python's heap) are not written, so the Wasm memory's fresh pages stay untouched and take no
 * resident memory. The payload handed to Pyodide is zero-filled (never resident) but for its head.
 * Only a `set` whose source is that payload is read from the file; every other call is the usual
 * one. About 24 MB less at a host's peak (npm run bench).
 * @throws Error when the file is cut short or is not a snapshot, or when `load` resolved without
 * copying the heap (a Pyodide that restores another way): the caller then starts cold.
 */
export async function withSnapshotFile<T>(file: string, load: (payload: Uint8Array) => Promise<T>): Promise<T> {
	const fd = fs.openSync(file, 'r');
	// TypedArray.prototype, which every typed array's `set` comes from.
	const prototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
	const own = Object.getOwnPropertyDescriptor(prototype, 'set')!;
	const set = own.value as SetMethod;
	/** Given back once the load settles. */
	let held: ArrayBuffer | null = null;
	try {
		const length = payloadLength(fd);
		// Zero-filled and 4-byte aligned (Pyodide reads it through a Uint32Array); untouched pages
		// of an array this size are never resident.
		const payload = new Uint8Array(length);
		held = payload.buffer;
		readFully(fd, payload.subarray(0, Math.min(length, PAYLOAD_HEAD)), HEADER);
		const heapStart = new Uint32Array(payload.buffer, 0, Math.min(2, length >> 2))[1] ?? 0;
		if (heapStart > PAYLOAD_HEAD && heapStart <= length) readFully(fd, payload.subarray(PAYLOAD_HEAD, heapStart), HEADER + PAYLOAD_HEAD);
		let restoredTo = 0;
		const intercepted = function (this: ByteArray, source: ArrayLike<number>, offset = 0) {
			if (!(source instanceof Uint8Array) || source.buffer !== payload.buffer || offset < 0 || offset + source.length > this.length || this.BYTES_PER_ELEMENT !== 1) {
				set.call(this, source, offset);
				return;
			}
			copyPages(fd, HEADER + source.byteOffset, Buffer.from(this.buffer, this.byteOffset + offset, source.length));
			restoredTo = Math.max(restoredTo, source.byteOffset + source.length);
		};
		Object.defineProperty(prototype, 'set', {...own, value: intercepted});
		const result = await load(payload);
		if (restoredTo !== length) throw new Error('the snapshot was not restored');
		return result;
	} finally {
		Object.defineProperty(prototype, 'set', own);
		fs.closeSync(fd);
		// Restored (or given up): the payload, as big as the heap, is given back now rather than at
		// the next full collection.
		if (held) releaseBuffer(held);
	}
}

/** The payload's length from the file's header and trailer. @throws Error when they are wrong. */
function payloadLength(fd: number): number {
	const size = fs.fstatSync(fd).size;
	if (size < HEADER + TRAILER.length) throw new Error('snapshot file too short');
	const header = Buffer.alloc(HEADER);
	fs.readSync(fd, header, 0, HEADER, 0);
	if (!header.subarray(0, 8).equals(MAGIC)) throw new Error('snapshot file has no header');
	const length = header.readUInt32LE(8) + header.readUInt32LE(12) * 2 ** 32;
	if (size !== HEADER + length + TRAILER.length) throw new Error('snapshot file is truncated');
	const trailer = Buffer.alloc(TRAILER.length);
	fs.readSync(fd, trailer, 0, TRAILER.length, HEADER + length);
	if (!trailer.equals(TRAILER)) throw new Error('snapshot file has no trailer');
	return length;
}

function readFully(fd: number, into: Uint8Array, position: number): void {
	for (let at = 0; at < into.length; ) {
		const n = fs.readSync(fd, into, at, into.length - at, position + at);
		if (n === 0) throw new Error('snapshot file is truncated');
		at += n;
	}
}

/** Copies the file's bytes from `position` into `target`, a page at a time: a zero page is only
 * written where the target holds something else. Native compares and copies, no allocation per page
 * (a page-by-page loop of views cost about 25 ms of a restore and a good part of its garbage). */
function copyPages(fd: number, position: number, target: Buffer): void {
	const block = Buffer.allocUnsafeSlow(256 * PAGE);
	try {
		copyPagesThrough(block, fd, position, target);
	} finally {
		releaseBuffer(block.buffer);
	}
}

function copyPagesThrough(block: Buffer, fd: number, position: number, target: Buffer): void {
	for (let at = 0; at < target.length; ) {
		const n = fs.readSync(fd, block, 0, Math.min(block.length, target.length - at), position + at);
		if (n === 0) throw new Error('snapshot file is truncated');
		for (let chunk = 0; chunk < n; chunk += CHUNK) {
			const chunkEnd = Math.min(n, chunk + CHUNK);
			if (isZero(block, chunk, chunkEnd)) {
				clearPages(target, at + chunk, at + chunkEnd);
				continue;
			}
			for (let page = chunk; page < chunkEnd; page += PAGE) {
				const pageEnd = Math.min(chunkEnd, page + PAGE);
				if (isZero(block, page, pageEnd)) clearPages(target, at + page, at + pageEnd);
				else block.copy(target, at + page, page, pageEnd);
			}
		}
		at += n;
	}
}

/** Zeroes bytes [start, end) of `target` (at most CHUNK) where they are not zero yet, a page at a time. */
function clearPages(target: Buffer, start: number, end: number): void {
	if (isZero(target, start, end)) return;
	for (let page = start; page < end; page += PAGE) {
		const pageEnd = Math.min(end, page + PAGE);
		if (!isZero(target, page, pageEnd)) target.fill(0, page, pageEnd);
	}
}

export function snapshotFileParts(payload: Uint8Array): Uint8Array[] {
	const header = Buffer.alloc(HEADER);
	MAGIC.copy(header, 0);
	header.writeUInt32LE(payload.length % 2 ** 32, 8);
	header.writeUInt32LE(Math.floor(payload.length / 2 ** 32), 12);
	return [header, payload, TRAILER];
}
