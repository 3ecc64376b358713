// The on-disk form of a Pyodide memory snapshot, without its zero pages (about half of the Wasm
// heap: the free part of Python's memory): a 16-byte header (magic, payload length), a table of
// the payload's byte ranges that hold something ([start, end) pairs), those ranges' bytes one after
// another, and a 12-byte trailer: the CRC-32 of everything before it, and a magic. A file cut
// short, overwritten by something else or with any byte changed fails the checks and the worker
// falls back to a cold start. Used by the worker (read) and the parent (write).
import fs from 'node:fs';
import {crc32} from './crc32.js';
import {releaseBuffer} from './release-buffer.js';

const MAGIC = Buffer.from('RLMSNAP3');
const TRAILER_MAGIC = Buffer.from('RLMSNAPE');
/** The CRC-32 (4 bytes), then TRAILER_MAGIC. */
const TRAILER = 4 + TRAILER_MAGIC.length;
const HEADER = 16;
/** The table: a 4-byte count, then two 8-byte numbers (start, end) for each range. */
const COUNT = 4;
const RANGE = 16;

const PAGE = 4096;
/** Zero runs are looked for a chunk at a time first: most of a snapshot's zero pages come in long runs. */
const CHUNK = 16 * PAGE;
const zeroChunk = Buffer.alloc(CHUNK);
/** The payload's start read as it is: Pyodide's own header (magic, build id, the JSON of its JS
 * state) lies there, before the Wasm heap; at least this much of it, more if Pyodide says so. */
const PAYLOAD_HEAD = 64 * 1024;
/** Reads of the payload's ranges are made this much at a time. */
const PIECE = 256 * 1024;

/** Reads from the file not past `end` (the trailer's start), summing the file's bytes from its
 * start as they are read: reads come in file order, so each byte is summed once, straight from
 * where it was read to, with no copy of its own. */
class SummingReader {
	private sum = 0;
	/** Bytes [0, summed) of the file are in the sum. */
	private summed = 0;

	constructor(
		private readonly fd: number,
		private readonly end: number,
	) {}

	read(into: Uint8Array, position: number): void {
		if (position + into.length > this.end) throw new Error('snapshot file has a bad table');
		this.sumUpTo(position);
		// A piece at a time, each summed while it is still in the CPU's cache.
		for (let at = 0; at < into.length; at += PIECE) {
			const piece = into.subarray(at, Math.min(into.length, at + PIECE));
			readFully(this.fd, piece, position + at);
			const pieceEnd = position + at + piece.length;
			if (pieceEnd <= this.summed) continue;
			this.sum = crc32(piece.subarray(this.summed - (position + at)), this.sum);
			this.summed = pieceEnd;
		}
	}

	/** @throws Error when the file's bytes are not those its trailer sums (any byte changed). */
	check(expected: number): void {
		this.sumUpTo(this.end);
		if (this.sum !== expected) throw new Error('snapshot file is damaged (checksum mismatch)');
	}

	/** Sums the bytes up to `position` that no read has brought (none, when reads follow the file). */
	private sumUpTo(position: number): void {
		if (position <= this.summed) return;
		const buffer = Buffer.allocUnsafe(Math.min(position - this.summed, 1024 * 1024));
		while (this.summed < position) {
			const part = buffer.subarray(0, Math.min(buffer.length, position - this.summed));
			readFully(this.fd, part, this.summed);
			this.sum = crc32(part, this.sum);
			this.summed += part.length;
		}
	}
}

/** A range of the payload that holds something, and where its bytes are in the file. */
interface Range {
	start: number;
	end: number;
	filePosition: number;
}

type ByteArray = Uint8Array | Int8Array;
type SetMethod = (this: ByteArray, source: ArrayLike<number>, offset?: number) => void;

/** Whether bytes [start, end) of `bytes` are all zero (at most CHUNK of them); allocates nothing. */
const isZero = (bytes: Buffer, start: number, end: number): boolean => bytes.compare(zeroChunk, 0, end - start, start, end) === 0;

/**
 * Runs `load` (Pyodide's loadPyodide) with a snapshot file as its `_loadSnapshot` payload, without
 * a copy of the snapshot in memory. Pyodide restores a snapshot by copying the payload's heap part
 * into the Wasm memory with one TypedArray `set`; while `load` runs, that copy is made from the file
 * instead: each range that holds something is read straight into the Wasm memory, and the zero
 * pages between them are not written, so the Wasm memory's fresh pages stay untouched and take no
 * resident memory (they are cleared only where the memory already held something). The payload
 * handed to Pyodide is zero-filled (never resident) but for its head. Only a `set` whose source is
 * that payload is read from the file; every other call is the usual one. About 24 MB less at a
 * host's peak than a plain copy (npm run bench), and half the bytes read.
 * The file's checksum is checked as soon as the heap's copy has read it, before `set` returns: no
 * code runs on a damaged heap (`load` rejects with the error thrown there).
 * @throws Error when the file is cut short, damaged or is not a snapshot, or when `load` resolved
 * without copying the heap (a Pyodide that restores another way): the caller then starts cold.
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
		const {length, ranges, reader, checksum} = readLayout(fd);
		// Zero-filled and 4-byte aligned (Pyodide reads it through a Uint32Array); untouched pages
		// of an array this size are never resident.
		const payload = new Uint8Array(length);
		held = payload.buffer;
		const head = Math.min(length, PAYLOAD_HEAD);
		readRanges(reader, ranges, 0, head, Buffer.from(payload.buffer, 0, head));
		const heapStart = new Uint32Array(payload.buffer, 0, Math.min(2, length >> 2))[1] ?? 0;
		if (heapStart > head && heapStart <= length) readRanges(reader, ranges, head, heapStart, Buffer.from(payload.buffer, head, heapStart - head));
		let restoredTo = 0;
		const intercepted = function (this: ByteArray, source: ArrayLike<number>, offset = 0) {
			if (!(source instanceof Uint8Array) || source.buffer !== payload.buffer || offset < 0 || offset + source.length > this.length || this.BYTES_PER_ELEMENT !== 1) {
				set.call(this, source, offset);
				return;
			}
			const target = Buffer.from(this.buffer, this.byteOffset + offset, source.length);
			const from = source.byteOffset;
			const to = from + source.length;
			// The gaps between the ranges read: zero in the snapshot.
			let cleared = from;
			for (const range of ranges) {
				if (range.end <= from || range.start >= to) continue;
				if (range.start > cleared) clearRange(target, cleared - from, range.start - from);
				cleared = Math.min(range.end, to);
			}
			if (cleared < to) clearRange(target, cleared - from, to - from);
			readRanges(reader, ranges, from, to, target);
			reader.check(checksum);
			restoredTo = Math.max(restoredTo, to);
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

/** The payload's length and the ranges the file holds, from its header, table and trailer, and a
 * reader of the rest that has summed what was read so far, with the sum to check it against.
 * @throws Error when they are wrong. */
function readLayout(fd: number): {length: number; ranges: Range[]; reader: SummingReader; checksum: number} {
	const size = fs.fstatSync(fd).size;
	if (size < HEADER + COUNT + TRAILER) throw new Error('snapshot file too short');
	const reader = new SummingReader(fd, size - TRAILER);
	const header = Buffer.alloc(HEADER + COUNT);
	reader.read(header, 0);
	if (!header.subarray(0, 8).equals(MAGIC)) throw new Error('snapshot file has no header');
	const length = header.readUInt32LE(8) + header.readUInt32LE(12) * 2 ** 32;
	const count = header.readUInt32LE(HEADER);
	const tableEnd = HEADER + COUNT + count * RANGE;
	if (tableEnd + TRAILER > size) throw new Error('snapshot file is truncated');
	const table = Buffer.alloc(count * RANGE);
	reader.read(table, HEADER + COUNT);
	const ranges: Range[] = [];
	let filePosition = tableEnd;
	let last = 0;
	for (let i = 0; i < count; i++) {
		const start = table.readDoubleLE(i * RANGE);
		const end = table.readDoubleLE(i * RANGE + 8);
		if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < last || end <= start || end > length) throw new Error('snapshot file has a bad table');
		ranges.push({start, end, filePosition});
		filePosition += end - start;
		last = end;
	}
	if (size !== filePosition + TRAILER) throw new Error('snapshot file is truncated');
	const trailer = Buffer.alloc(TRAILER);
	readFully(fd, trailer, filePosition);
	if (!trailer.subarray(4).equals(TRAILER_MAGIC)) throw new Error('snapshot file has no trailer');
	return {length, ranges, reader, checksum: trailer.readUInt32LE(0)};
}

function readFully(fd: number, into: Uint8Array, position: number): void {
	for (let at = 0; at < into.length; ) {
		const n = fs.readSync(fd, into, at, into.length - at, position + at);
		if (n === 0) throw new Error('snapshot file is truncated');
		at += n;
	}
}

/** Reads the file's bytes for payload bytes [from, to) into `target` (which holds them from its
 * start), straight from the file with one read per range; bytes outside the ranges are left as they are. */
function readRanges(reader: SummingReader, ranges: readonly Range[], from: number, to: number, target: Buffer): void {
	for (const range of ranges) {
		const start = Math.max(range.start, from);
		const end = Math.min(range.end, to);
		if (start >= end) continue;
		reader.read(target.subarray(start - from, end - from), range.filePosition + (start - range.start));
	}
}

/** Zeroes bytes [start, end) of `target` where they are not zero yet, a page at a time: pages of
 * fresh Wasm memory, zero already, are only read (reading maps no memory of its own). */
function clearRange(target: Buffer, start: number, end: number): void {
	for (let chunk = start; chunk < end; chunk += CHUNK) {
		const chunkEnd = Math.min(end, chunk + CHUNK);
		if (isZero(target, chunk, chunkEnd)) continue;
		for (let page = chunk; page < chunkEnd; page += PAGE) {
			const pageEnd = Math.min(chunkEnd, page + PAGE);
			if (!isZero(target, page, pageEnd)) target.fill(0, page, pageEnd);
		}
	}
}

/**
 * The file's parts for a payload (written one after another): the header, the table of the ranges
 * that hold something, their bytes (views of `payload`, not copies), the trailer (their CRC-32,
 * and a magic). The ranges are
 * whole pages of the Wasm heap, counted from where Pyodide's header says it starts (its head is
 * one range of its own), so a range read lands on whole pages of the Wasm memory.
 */
export function snapshotFileParts(payload: Uint8Array): Uint8Array[] {
	const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.length);
	const heapStart = payload.length >= 8 ? bytes.readUInt32LE(4) : 0;
	const base = heapStart > 0 && heapStart <= payload.length ? heapStart : 0;
	const ranges: Array<[number, number]> = base > 0 ? [[0, base]] : [];
	let open: number | null = null;
	const close = (at: number) => {
		if (open === null) return;
		const previous = ranges.at(-1);
		if (previous && previous[1] === open) previous[1] = at;
		else ranges.push([open, at]);
		open = null;
	};
	for (let chunk = base; chunk < payload.length; chunk += CHUNK) {
		const chunkEnd = Math.min(payload.length, chunk + CHUNK);
		if (isZero(bytes, chunk, chunkEnd)) {
			close(chunk);
			continue;
		}
		for (let page = chunk; page < chunkEnd; page += PAGE) {
			const pageEnd = Math.min(chunkEnd, page + PAGE);
			if (isZero(bytes, page, pageEnd)) close(page);
			else open ??= page;
		}
	}
	close(payload.length);
	const header = Buffer.alloc(HEADER + COUNT);
	MAGIC.copy(header, 0);
	header.writeUInt32LE(payload.length % 2 ** 32, 8);
	header.writeUInt32LE(Math.floor(payload.length / 2 ** 32), 12);
	header.writeUInt32LE(ranges.length, HEADER);
	const table = Buffer.alloc(ranges.length * RANGE);
	ranges.forEach(([start, end], i) => {
		table.writeDoubleLE(start, i * RANGE);
		table.writeDoubleLE(end, i * RANGE + 8);
	});
	const parts = [header, table, ...ranges.map(([start, end]) => payload.subarray(start, end))];
	const trailer = Buffer.alloc(TRAILER);
	trailer.writeUInt32LE(parts.reduce((sum, part) => crc32(part, sum), 0), 0);
	TRAILER_MAGIC.copy(trailer, 4);
	return [...parts, trailer];
}
