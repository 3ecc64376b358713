// The on-disk form of a Pyodide memory snapshot: a 16-byte header (magic, payload length), the
// payload, and an 8-byte trailer. A file cut short or overwritten by something else fails the
// check and the worker falls back to a cold start. Used by the worker (read) and the parent (write).
import fs from 'node:fs';

const MAGIC = Buffer.from('RLMSNAP1');
const TRAILER = Buffer.from('RLMSNAPE');
const HEADER = 16;

export function readSnapshotFile(file: string): Uint8Array {
	const raw = fs.readFileSync(file);
	if (raw.length < HEADER + TRAILER.length) throw new Error('snapshot file too short');
	if (!raw.subarray(0, 8).equals(MAGIC)) throw new Error('snapshot file has no header');
	const length = raw.readUInt32LE(8) + raw.readUInt32LE(12) * 2 ** 32;
	if (raw.length !== HEADER + length + TRAILER.length) throw new Error('snapshot file is truncated');
	if (!raw.subarray(HEADER + length).equals(TRAILER)) throw new Error('snapshot file has no trailer');
	const payload = raw.subarray(HEADER, HEADER + length);
	// Pyodide reads the payload through a Uint32Array: it must be 4-byte aligned.
	return payload.byteOffset % 4 === 0 ? payload : new Uint8Array(payload);
}

export function snapshotFileParts(payload: Uint8Array): Uint8Array[] {
	const header = Buffer.alloc(HEADER);
	MAGIC.copy(header, 0);
	header.writeUInt32LE(payload.length % 2 ** 32, 8);
	header.writeUInt32LE(Math.floor(payload.length / 2 ** 32), 12);
	return [header, payload, TRAILER];
}
