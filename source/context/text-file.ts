// Reading one file as text (decoding it: UTF-8, UTF-16 with a BOM, else Windows-1252): refused when it is binary, missing, unreadable, a folder, or too long
// for one JavaScript string.
import {isUtf8} from 'node:buffer';
import {constants} from 'node:fs';
import {open} from 'node:fs/promises';
import {ContextLoadError} from './errors.js';
import {InputReadError, MAX_INPUT_BYTES, readInputFile, tooLargeMessage, type InputSpec} from '../protocol/bounded-read.js';

/** The longest text one file can hold: 512 MiB (the longest string Node's V8 makes, 536,870,888
 * on 64-bit), taken as bytes so that it always decodes. */
export const maxContextFileChars = MAX_INPUT_BYTES;

/** A context file, or stdin given as one: 512 MiB; a FIFO (`-c <(cmd)`) is read up to that. */
export const contextInput: InputSpec = {
	what: 'Context file',
	limit: maxContextFileChars,
	tooLarge: 'split it into smaller files and pass each with its own -c (Python then gets a dict of name -> text), or pass a part of it',
	streams: true,
};

/** How much of a file's start decides whether it is text. */
const sniffBytes = 8192;

const UTF16_BOMS = [
	{bom: [0xff, 0xfe], encoding: 'utf-16le', name: 'UTF-16 LE'},
	{bom: [0xfe, 0xff], encoding: 'utf-16be', name: 'UTF-16 BE'},
] as const;

const utf16Of = (bytes: Uint8Array) => UTF16_BOMS.find(({bom}) => bytes[0] === bom[0] && bytes[1] === bom[1]);

/** Controls no text uses (all below 0x20 but tab, line breaks, form feed and escape; and DEL). */
const isOddControl = (byte: number) => (byte < 0x20 && !(byte >= 0x09 && byte <= 0x0d) && byte !== 0x1b) || byte === 0x7f;

/**
 * Whether the first 8 KiB say "not text": a NUL byte (unless UTF-16 with its byte order mark), or
 * controls no text uses in more than 4 bytes and 1% of them. Bytes that are not valid UTF-8 are
 * text in another encoding (see decodeText), not binary.
 */
export function looksBinary(bytes: Uint8Array): boolean {
	const head = bytes.subarray(0, Math.min(bytes.byteLength, sniffBytes));
	if (utf16Of(head)) return false;
	if (head.includes(0)) return true;
	let odd = 0;
	for (const byte of head) if (isOddControl(byte)) odd++;
	return odd > Math.max(4, head.length / 100);
}

function tooLong(path: string, bytes: number): ContextLoadError {
	return new ContextLoadError(tooLargeMessage(contextInput, path, bytes));
}

function readError(path: string, error: unknown): ContextLoadError {
	if (!(error instanceof InputReadError)) return new ContextLoadError(`Cannot read context file ${path}: ${(error as Error).message}`);
	if (error.reason === 'missing') return new ContextLoadError(`Context file not found: ${path}`);
	if (error.reason === 'denied') return new ContextLoadError(`Context file is not readable (permission denied): ${path}`);
	if (error.reason === 'folder') return new ContextLoadError(`Context file is a directory, not a file: ${path}`);
	return new ContextLoadError(error.message);
}

/** A text as decoded, and a one-line note when it was not plain UTF-8 (another encoding, or
 * characters replaced). */
export interface DecodedText {
	text: string;
	note?: string;
}

const countReplaced = (text: string) => text.split('\uFFFD').length - 1;

function decodeWith(path: string, bytes: Uint8Array, encoding: string): string {
	try {
		return new TextDecoder(encoding).decode(bytes);
	} catch (error) {
		if (error instanceof RangeError || (error as NodeJS.ErrnoException).code === 'ERR_STRING_TOO_LONG') throw tooLong(path, bytes.length);
		throw error;
	}
}

/**
 * Text bytes as a string, the one place the app decodes a document: UTF-8 (a byte order mark
 * dropped); UTF-16 LE or BE when a byte order mark says so; bytes that are not valid UTF-8 as
 * Windows-1252 (Latin-1 as Windows writes it) unless most of their non-ASCII is valid UTF-8, when
 * the bad sequences become U+FFFD. The note names the file and what was done.
 * @throws ContextLoadError when they are too many for one string.
 */
export function decodeText(path: string, bytes: Uint8Array): DecodedText {
	const utf16 = utf16Of(bytes);
	if (utf16) {
		const text = decodeWith(path, bytes, utf16.encoding);
		const replaced = countReplaced(text);
		return {text, ...(replaced ? {note: `${path}: read as ${utf16.name}; ${replacedWords(replaced)}`} : {})};
	}
	if (isUtf8(bytes)) {
		// Checked by simdutf, then Buffer's decoder: about twice as fast as a fatal TextDecoder.
		const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
		try {
			return {text: Buffer.from(bytes.buffer, bytes.byteOffset + start, bytes.byteLength - start).toString('utf8')};
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ERR_STRING_TOO_LONG') throw tooLong(path, bytes.length);
			throw error;
		}
	}
	const asUtf8 = decodeWith(path, bytes, 'utf-8');
	const replaced = countReplaced(asUtf8);
	let validNonAscii = 0;
	for (const char of asUtf8) if (char > '\u007f' && char !== '\uFFFD') validNonAscii++;
	if (validNonAscii > replaced) return {text: asUtf8, note: `${path}: not valid UTF-8 in places: ${replacedWords(replaced)}`};
	const latin = decodeWith(path, bytes, 'windows-1252').replace(/[\u0080-\u009f]/g, (char) => WINDOWS_1252_HIGH[char.charCodeAt(0) - 0x80]!);
	return {text: latin, note: `${path}: not UTF-8, read as Windows-1252 (Latin-1)`};
}

/** Windows-1252's 0x80-0x9F (the WHATWG table; its five unused bytes stay as they are): Node 20's
 * TextDecoder('windows-1252') gives them as Latin-1's C1 controls, so curly quotes and € vanish. */
const WINDOWS_1252_HIGH = [...'€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ'];

const replacedWords = (count: number) => `${count} ${count === 1 ? 'character' : 'characters'} replaced with U+FFFD`;

/**
 * Reads a file the user named as text (see decodeText).
 * @throws ContextLoadError when it is missing, unreadable, a folder, binary or too long.
 */
export async function readTextFile(path: string, shown = path): Promise<DecodedText & {bytes: number}> {
	let bytes: Buffer;
	try {
		bytes = await readInputFile(path, contextInput, shown);
	} catch (error) {
		throw readError(shown, error);
	}
	if (looksBinary(bytes)) throw new ContextLoadError(`Context file looks binary, not text: ${shown} (give a text file)`);
	return {...decodeText(shown, bytes), bytes: bytes.length};
}

/** What reading a file found in a folder or by a glob gave. */
export type SniffedFile = {kind: 'text'; bytes: Buffer} | {kind: 'binary'} | {kind: 'not a regular file'} | {kind: 'unreadable'; reason: string};

/**
 * Reads a file found by a walk, deciding from its first 8 KiB whether it is text before reading
 * the rest, so a large binary costs one small read. `beforeRead(size)` runs between the two and
 * may throw (the size cap); a text file over the 512 MiB one file may hold is refused as `-c` does.
 * A device or pipe found there (through a link, or swapped in) is never read.
 */
export async function readIfText(path: string, beforeRead: (size: number) => void): Promise<SniffedFile> {
	let handle;
	try {
		// Non-blocking: a FIFO put there after the walk looked must not hang the load.
		handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
	} catch (error) {
		return {kind: 'unreadable', reason: (error as NodeJS.ErrnoException).code ?? (error as Error).message};
	}
	try {
		const info = await handle.stat();
		if (!info.isFile()) return {kind: 'not a regular file'};
		const size = info.size;
		const head = Buffer.allocUnsafe(Math.min(size, sniffBytes));
		const headBytes = (await handle.read(head, 0, head.length, 0)).bytesRead;
		if (looksBinary(head.subarray(0, headBytes))) return {kind: 'binary'};
		beforeRead(size);
		if (size > maxContextFileChars) throw tooLong(path, size);
		// One buffer for the whole file: the head goes to its start, the rest is read after it.
		const bytes = Buffer.allocUnsafe(size);
		head.copy(bytes, 0, 0, headBytes);
		let filled = headBytes;
		while (filled < size) {
			const {bytesRead} = await handle.read(bytes, filled, size - filled, filled);
			if (bytesRead === 0) break; // the file shrank meanwhile
			filled += bytesRead;
		}
		return {kind: 'text', bytes: bytes.subarray(0, filled)};
	} catch (error) {
		if (error instanceof ContextLoadError) throw error;
		return {kind: 'unreadable', reason: (error as NodeJS.ErrnoException).code ?? (error as Error).message};
	} finally {
		await handle.close();
	}
}
