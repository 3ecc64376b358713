// Reading one file as text: refused when it is binary, missing, unreadable, a folder, or too long
// for one JavaScript string.
import {constants} from 'node:buffer';
import {open, readFile, stat} from 'node:fs/promises';
import {ContextLoadError} from './errors.js';
import {formatCount} from '../protocol/numbers.js';

/** The longest text one file can hold, in UTF-16 code units: the longest string Node's V8 makes
 * (2^29 - 24 = 536,870,888 on 64-bit, buffer.constants.MAX_STRING_LENGTH). */
export const maxContextFileChars = constants.MAX_STRING_LENGTH;

/** How much of a file's start decides whether it is text. */
const sniffBytes = 8192;

/** NUL bytes or many invalid UTF-8 sequences in the first 8 KiB mean "not text". */
export function looksBinary(bytes: Uint8Array): boolean {
	const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, sniffBytes));
	if (head.includes(0)) return true;
	const text = head.toString('utf8');
	const replacements = text.split('\uFFFD').length - 1;
	return replacements > Math.max(4, text.length / 100);
}

const MiB = 1024 * 1024;
const sizeText = (bytes: number) => (bytes >= 1024 * MiB ? `${(bytes / (1024 * MiB)).toFixed(1)} GiB` : `${Math.round(bytes / MiB)} MiB`);

function tooLong(path: string, bytes: number): ContextLoadError {
	return new ContextLoadError(
		`Context file ${path} is ${sizeText(bytes)}; one context file holds at most ${Math.floor(maxContextFileChars / MiB)} MiB of text ` +
			`(${formatCount(maxContextFileChars)} characters, the longest string Node.js makes). ` +
			'Split it into smaller files and pass each with its own -c (Python then gets a dict of name -> text), or pass a part of it.',
	);
}

function readError(path: string, error: unknown): ContextLoadError {
	const code = (error as NodeJS.ErrnoException).code;
	if (code === 'ENOENT') return new ContextLoadError(`Context file not found: ${path}`);
	if (code === 'EACCES' || code === 'EPERM') return new ContextLoadError(`Context file is not readable (permission denied): ${path}`);
	return new ContextLoadError(`Cannot read context file ${path}: ${(error as Error).message}`);
}

/** Bytes as UTF-8 text. @throws ContextLoadError when they are too many for one string. */
export function decodeText(path: string, bytes: Buffer): string {
	try {
		return bytes.toString('utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ERR_STRING_TOO_LONG') throw tooLong(path, bytes.length);
		throw error;
	}
}

/**
 * Reads a file the user named as UTF-8 text.
 * @throws ContextLoadError when it is missing, unreadable, a folder, binary or too long.
 */
export async function readTextFile(path: string, shown = path): Promise<{text: string; bytes: number}> {
	let info;
	try {
		info = await stat(path);
	} catch (error) {
		throw readError(shown, error);
	}
	if (info.isDirectory()) throw new ContextLoadError(`Context file is a directory, not a file: ${shown}`);
	// Every character takes at least one byte, but a file over the limit may still decode under it
	// (multi-byte UTF-8): only a file that cannot fit even as UTF-16's worst case is refused unread.
	if (info.size > maxContextFileChars * 3) throw tooLong(shown, info.size);
	let bytes: Buffer;
	try {
		bytes = await readFile(path);
	} catch (error) {
		throw readError(shown, error);
	}
	if (looksBinary(bytes)) throw new ContextLoadError(`Context file looks binary, not text: ${shown} (give a text file)`);
	return {text: decodeText(shown, bytes), bytes: bytes.length};
}

/** What reading a file found in a folder or by a glob gave. */
export type SniffedFile = {kind: 'text'; bytes: Buffer} | {kind: 'binary'} | {kind: 'unreadable'; reason: string};

/**
 * Reads a file found by a walk, deciding from its first 8 KiB whether it is text before reading
 * the rest, so a large binary costs one small read. `beforeRead(size)` runs between the two and
 * may throw (the size cap).
 */
export async function readIfText(path: string, beforeRead: (size: number) => void): Promise<SniffedFile> {
	let handle;
	try {
		handle = await open(path, 'r');
	} catch (error) {
		return {kind: 'unreadable', reason: (error as NodeJS.ErrnoException).code ?? (error as Error).message};
	}
	try {
		const size = (await handle.stat()).size;
		// One buffer for the whole file: the head is read into its start, the rest after it.
		const bytes = Buffer.allocUnsafe(size);
		let filled = (await handle.read(bytes, 0, Math.min(size, sniffBytes), 0)).bytesRead;
		if (looksBinary(bytes.subarray(0, filled))) return {kind: 'binary'};
		beforeRead(size);
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
