// The snapshot file read into the Wasm memory as Pyodide copies it there: the same bytes land as
// with a plain copy (zero pages too, where the target held something), other copies are left
// alone, and a load that never copied the heap is refused (the worker then starts cold).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import {afterAll, describe, expect, it} from 'vitest';
import {crc32Table} from '../../source/sandbox/crc32.js';
import {snapshotFileParts, withSnapshotFile} from '../../source/sandbox/snapshot-file.js';
import {freshCacheDir} from './helpers.js';

const PAGE = 4096;
const dir = freshCacheDir();
afterAll(() => fs.rmSync(dir, {recursive: true, force: true}));

/** A payload shaped as Pyodide's: a head (magic, heap offset, JSON), then a heap of pages, some zero. */
function makePayload(heapStart: number, pages: number): Uint8Array {
	const payload = new Uint8Array(heapStart + pages * PAGE);
	const words = new Uint32Array(payload.buffer, 0, 2);
	words[0] = 0x706f6e00;
	words[1] = heapStart;
	payload.set(new TextEncoder().encode('{"state":1}'), 48);
	for (let page = 0; page < pages; page++) {
		if (page % 3 === 1) continue; // a zero page
		payload.fill((page % 250) + 1, heapStart + page * PAGE, heapStart + page * PAGE + (page % 2 ? PAGE : 100));
	}
	return payload;
}

function writeFile(name: string, payload: Uint8Array): string {
	const file = path.join(dir, name);
	fs.writeFileSync(file, Buffer.concat(snapshotFileParts(payload)));
	return file;
}

/** What Pyodide's restore does with the payload: its head read as it is, its heap copied with one set. */
function restoreLikePyodide(payload: Uint8Array, heap: Int8Array): {json: string; heap: Int8Array} {
	const heapStart = new Uint32Array(payload.buffer, payload.byteOffset, 2)[1]!;
	const json = new TextDecoder().decode(payload.subarray(48, 59));
	heap.set(payload.subarray(heapStart));
	return {json, heap};
}

describe('withSnapshotFile', () => {
	it('puts the snapshot\'s exact bytes into the heap, zero pages included, and leaves TypedArray.set as it was', async () => {
		const payload = makePayload(128, 40);
		const file = writeFile('a.snapshot', payload);
		const heap = new Int8Array(payload.length - 128);
		heap.fill(9, 1 * PAGE, 2 * PAGE); // a page the snapshot has as zeros: it must become zeros
		heap.fill(9, 7 * PAGE + 5, 7 * PAGE + 6);
		const before = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype) as object, 'set');
		let handed: Uint8Array | null = null;
		const restored = await withSnapshotFile(file, async (given) => {
			handed = given;
			expect(given.length).toBe(payload.length);
			// Another copy while the load runs is an ordinary copy.
			const other = new Uint8Array(4);
			other.set([1, 2, 3, 4]);
			expect([...other]).toEqual([1, 2, 3, 4]);
			return restoreLikePyodide(given, heap);
		});
		expect(restored.json).toBe('{"state":1}');
		expect(Buffer.from(heap.buffer).equals(Buffer.from(payload.subarray(128)))).toBe(true);
		expect(Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype) as object, 'set')).toEqual(before);
		expect(Object.hasOwn(Uint8Array.prototype, 'set')).toBe(false);
		// The payload handed to the load is given back once it settles (detached), not left to a full collection.
		expect(handed!.buffer.byteLength).toBe(0);
	});

	it('gets every byte right across long zero runs, mixed runs and reads of more than one block', async () => {
		// 600 pages (more than one 1 MB read): a zero run of 64 pages, pages alternating zero and not,
		// a last page cut short; the target holds stray bytes where the snapshot has zeros.
		const pages = 600;
		const payload = new Uint8Array(128 + pages * PAGE - 100);
		new Uint32Array(payload.buffer, 0, 2).set([0x706f6e00, 128]);
		for (let page = 0; page < pages; page++) {
			const zero = (page >= 100 && page < 164) || (page >= 300 && page % 2 === 0);
			if (!zero) payload.fill((page % 200) + 1, 128 + page * PAGE + (page % 7), Math.min(payload.length, 128 + page * PAGE + 300 + (page % 7)));
		}
		const file = writeFile('long.snapshot', payload);
		const heap = new Int8Array(payload.length - 128);
		for (const at of [100 * PAGE + 17, 130 * PAGE, 163 * PAGE + 4095, 302 * PAGE + 1, heap.length - 1]) heap[at] = 3;
		await withSnapshotFile(file, async (given) => restoreLikePyodide(given, heap));
		expect(Buffer.from(heap.buffer).equals(Buffer.from(payload.subarray(128)))).toBe(true);
	});

	it('reads a head longer than its usual size in full', async () => {
		const payload = makePayload(80 * 1024, 3);
		payload.fill(5, 70 * 1024, 80 * 1024);
		const file = writeFile('b.snapshot', payload);
		const heap = new Int8Array(3 * PAGE);
		const head = await withSnapshotFile(file, async (given) => {
			restoreLikePyodide(given, heap);
			return Buffer.from(given.subarray(0, 80 * 1024));
		});
		expect(head.equals(Buffer.from(payload.subarray(0, 80 * 1024)))).toBe(true);
		expect(Buffer.from(heap.buffer).equals(Buffer.from(payload.subarray(80 * 1024)))).toBe(true);
	});

	it('stores only the pages that hold something, whole pages of the heap', async () => {
		const pages = 300;
		const payload = new Uint8Array(128 + pages * PAGE);
		new Uint32Array(payload.buffer, 0, 2).set([0x706f6e00, 128]);
		const full = [3, 4, 5, 120, 299];
		// One byte at each page's end: a page counted from the payload's start would spill into the next.
		for (const page of full) payload[128 + page * PAGE + PAGE - 1] = 1;
		const file = writeFile('sparse.snapshot', payload);
		// Header and count, four ranges (the head, pages 3-5, 120, 299), their bytes, the trailer (CRC-32 and magic).
		expect(fs.statSync(file).size).toBe(16 + 4 + 4 * 16 + 128 + full.length * PAGE + 12);
		const heap = new Int8Array(pages * PAGE);
		await withSnapshotFile(file, async (given) => restoreLikePyodide(given, heap));
		expect(Buffer.from(heap.buffer).equals(Buffer.from(payload.subarray(128)))).toBe(true);
	});

	it('refuses a file whose table of ranges does not fit its payload', async () => {
		const file = writeFile('bad.snapshot', makePayload(128, 6));
		const bytes = fs.readFileSync(file);
		bytes.writeDoubleLE(1e9, 16 + 4 + 8); // the first range's end, far past the payload
		fs.writeFileSync(file, bytes);
		await expect(withSnapshotFile(file, async () => 1)).rejects.toThrow(/bad table/);
	});

	it('refuses a load that did not copy the heap, and a file that is not a snapshot', async () => {
		const file = writeFile('c.snapshot', makePayload(128, 4));
		await expect(withSnapshotFile(file, async () => 'not restored')).rejects.toThrow(/not restored/);
		const cut = path.join(dir, 'cut.snapshot');
		fs.writeFileSync(cut, fs.readFileSync(file).subarray(0, 5000));
		await expect(withSnapshotFile(cut, async () => 1)).rejects.toThrow(/truncated/);
		const other = path.join(dir, 'other.snapshot');
		fs.writeFileSync(other, Buffer.alloc(5000, 7));
		await expect(withSnapshotFile(other, async () => 1)).rejects.toThrow(/no header/);
	});

	it('refuses a file with one byte changed anywhere, before the load gets past the heap\'s copy', async () => {
		const payload = makePayload(128, 200);
		const file = writeFile('whole.snapshot', payload);
		const made = fs.readFileSync(file);
		const tableEnd = 16 + 4 + made.readUInt32LE(16) * 16;
		// In the header's length (high word: the table still fits), the head (Pyodide's JSON), the heap's
		// first page, its middle and its last byte.
		for (const at of [13, tableEnd + 50, tableEnd + 200, Math.floor((tableEnd + made.length) / 2), made.length - 13]) {
			const damaged = Buffer.from(made);
			damaged[at]! ^= 0x01;
			fs.writeFileSync(file, damaged);
			let pastCopy = false;
			const heap = new Int8Array(payload.length - 128);
			await expect(
				withSnapshotFile(file, async (given) => {
					restoreLikePyodide(given, heap);
					pastCopy = true;
				}),
				`byte ${at}`,
			).rejects.toThrow(/damaged|Invalid typed array length/);
			expect(pastCopy).toBe(false);
		}
		expect(Object.hasOwn(Uint8Array.prototype, 'set')).toBe(false);
		// The heap copy of a sound file, after all that, still checks out.
		fs.writeFileSync(file, made);
		const heap = new Int8Array(payload.length - 128);
		await withSnapshotFile(file, async (given) => restoreLikePyodide(given, heap));
		expect(Buffer.from(heap.buffer).equals(Buffer.from(payload.subarray(128)))).toBe(true);
	});

	it('sums a head that Pyodide\'s heap copy reads again, and a heap it skips, once each', async () => {
		// The heap starts inside the head read before the load: the copy reads part of it again.
		const payload = makePayload(128, 40);
		const file = writeFile('overlap.snapshot', payload);
		const heap = new Int8Array(payload.length - 128);
		await withSnapshotFile(file, async (given) => restoreLikePyodide(given, heap));
		expect(Buffer.from(heap.buffer).equals(Buffer.from(payload.subarray(128)))).toBe(true);
		// A copy of the heap's last pages only: the file's bytes before them, damaged here, are summed all the same.
		const damaged = fs.readFileSync(file);
		damaged[Math.floor(damaged.length / 2)]! ^= 0x80;
		fs.writeFileSync(file, damaged);
		await expect(withSnapshotFile(file, async (given) => heap.set(given.subarray(payload.length - 8 * PAGE), 0))).rejects.toThrow(/damaged/);
	});

	it('sums as zlib does, in one piece or continued', () => {
		const bytes = Buffer.from(Array.from({length: 5000}, (_, i) => (i * 7919) % 256));
		expect(crc32Table(Buffer.from('123456789'))).toBe(0xcbf43926);
		expect(crc32Table(bytes.subarray(1234), crc32Table(bytes.subarray(0, 1234)))).toBe(crc32Table(bytes));
		const native = (zlib as {crc32?: (data: Uint8Array, value?: number) => number}).crc32;
		if (native) expect(crc32Table(bytes)).toBe(native(bytes));
	});
});
