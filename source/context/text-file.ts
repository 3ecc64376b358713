// Reading one file as text (decoding it: UTF-8, UTF-16 with a BOM, else Windows-1252): refused when it is binary, missing, unreadable, a folder, or too long
// for one JavaScript string.
import {isUtf8} from 'node:buffer';
import {ContextLoadError} from './errors.js';
import {InputReadError, MAX_INPUT_BYTES, readInputFile, readInputFileHeadFirst, tooLargeMessage, type InputSpec} from '../protocol/bounded-read.js';

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

/** What `decode` makes of `bytes`; too many of them for one string is the file over its cap. */
function asString(path: string, bytes: Uint8Array, decode: () => string): string {
	try {
		return decode();
	} catch (error) {
		if (error instanceof RangeError || (error as NodeJS.ErrnoException).code === 'ERR_STRING_TOO_LONG') throw tooLong(path, bytes.length);
		throw error;
	}
}

const decodeWith = (path: string, bytes: Uint8Array, encoding: string) => asString(path, bytes, () => new TextDecoder(encoding).decode(bytes));

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
		return {text: asString(path, bytes, () => Buffer.from(bytes.buffer, bytes.byteOffset + start, bytes.byteLength - start).toString('utf8'))};
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
	return {...textOf(shown, bytes, `Context file looks binary, not text: ${shown} (give a text file)`), bytes: bytes.length};
}

/**
 * Bytes the user gave as a text (a file, stdin) as decodeText decodes them; `name` is how a note shows them.
 * @throws ContextLoadError with the message `binary` when they look binary (looksBinary), or when they are too long.
 */
export function textOf(name: string, bytes: Uint8Array, binary: string): DecodedText {
	if (looksBinary(bytes)) throw new ContextLoadError(binary);
	return decodeText(name, bytes);
}

/** What reading a file found in a folder or by a glob gave. */
export type SniffedFile = {kind: 'text'; bytes: Buffer} | {kind: 'binary'} | {kind: 'not a regular file'} | {kind: 'unreadable'; reason: string};

/** A file found by a walk is read only when it is a regular file: a pipe there is refused unopened. */
const foundInput: InputSpec = {...contextInput, streams: false};

/**
 * Reads a file found by a walk, deciding from its first 8 KiB whether it is text before reading
 * the rest, so a large binary costs one small read. `beforeRead(size)` runs between the two and
 * may throw (the size cap); a text file over the 512 MiB one file may hold is refused as `-c` does.
 * A device or pipe found there (through a link, or swapped in) is never read.
 */
export async function readIfText(path: string, beforeRead: (size: number) => void): Promise<SniffedFile> {
	try {
		const read = await readInputFileHeadFirst(path, foundInput, {
			bytes: sniffBytes,
			judge: (head, size) => {
				if (looksBinary(head)) return 'binary' as const;
				beforeRead(size);
				return undefined;
			},
		});
		return 'stopped' in read ? {kind: 'binary'} : {kind: 'text', bytes: read.bytes};
	} catch (error) {
		if (!(error instanceof InputReadError)) throw error;
		if (error.reason === 'too large') throw new ContextLoadError(error.message);
		if (error.reason === 'folder' || error.reason === 'not a file') return {kind: 'not a regular file'};
		return {kind: 'unreadable', reason: error.message};
	}
}
