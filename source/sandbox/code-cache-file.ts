// The on-disk form of V8's code cache for pyodide.asm.mjs (asm-script.ts): a header (magic, the
// SHA-256 of the script it was made from, the SHA-256 of the cache data) and the data. Release V8
// checks a code cache's version, flags and source length, but not its bytes, and a cache holds
// compiled JavaScript: a cache cut short, overwritten or made from another Pyodide would run as
// it is. The worker reads it only if both hashes match (readCodeCache); the parent writes it
// (codeCacheFileParts) from the bytes a cold-started host sent before any model code ran.
import crypto from 'node:crypto';
import fs from 'node:fs';

const MAGIC = Buffer.from('RLMCODE1');
const HASH = 32;
const HEADER = MAGIC.length + 2 * HASH;

/** SHA-256 of `text` (as UTF-8) or of bytes, as 64 hex digits. */
export function sha256Hex(data: string | Uint8Array): string {
	return crypto.createHash('sha256').update(data).digest('hex');
}

/** The parts of a code cache file, in order, for `data` made from the script whose SHA-256 is `sourceHash` (hex). */
export function codeCacheFileParts(sourceHash: string, data: Uint8Array): Uint8Array[] {
	const header = Buffer.alloc(HEADER);
	MAGIC.copy(header, 0);
	Buffer.from(sourceHash, 'hex').copy(header, MAGIC.length);
	Buffer.from(sha256Hex(data), 'hex').copy(header, MAGIC.length + HASH);
	return [header, data];
}

/**
 * The cache data in `file` (`data`, a view of `file`'s bytes), if it was made from the script
 * whose SHA-256 is `sourceHash` (hex) and its bytes are those its header hashes.
 * @throws Error saying what is wrong (missing, not a code cache, another script's, damaged).
 */
export function readCodeCache(file: string, sourceHash: string): {file: Buffer; data: Buffer} {
	const bytes = fs.readFileSync(file);
	if (bytes.length <= HEADER || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not a code cache');
	if (bytes.toString('hex', MAGIC.length, MAGIC.length + HASH) !== sourceHash) throw new Error('made from another pyodide.asm.mjs');
	const data = bytes.subarray(HEADER);
	if (bytes.toString('hex', MAGIC.length + HASH, HEADER) !== sha256Hex(data)) throw new Error('its bytes do not match its checksum');
	return {file: bytes, data};
}
