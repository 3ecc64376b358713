// CRC-32 (zlib's, as in gzip and PNG), continued from an earlier value: Node's own (zlib, 20.15 and
// later), or the same sums from a table in JavaScript on the Node 20 releases before it (slower).
import zlib from 'node:zlib';

export type Crc32 = (data: Uint8Array, value?: number) => number;

let table: Uint32Array | null = null;

/** CRC-32 of `data` continued from `value`, a byte at a time through a 256-entry table. */
export function crc32Table(data: Uint8Array, value = 0): number {
	if (!table) {
		table = new Uint32Array(256);
		for (let n = 0; n < 256; n++) {
			let c = n;
			for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
			table[n] = c;
		}
	}
	let crc = ~value;
	for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
	return ~crc >>> 0;
}

export const crc32: Crc32 = (zlib as {crc32?: Crc32}).crc32 ?? crc32Table;
