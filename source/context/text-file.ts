// Reading one file as text: refused when it is binary, missing, unreadable, a folder, or too long
// for one JavaScript string.
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

/** NUL bytes or many invalid UTF-8 sequences in the first 8 KiB mean "not text". */
export function looksBinary(bytes: Uint8Array): boolean {
	const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, sniffBytes));
	if (head.includes(0)) return true;
	const text = head.toString('utf8');
	const replacements = text.split('\uFFFD').length - 1;
	return replacements > Math.max(4, text.length / 100);
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
	let bytes: Buffer;
	try {
		bytes = await readInputFile(path, contextInput, shown);
	} catch (error) {
		throw readError(shown, error);
	}
	if (looksBinary(bytes)) throw new ContextLoadError(`Context file looks binary, not text: ${shown} (give a text file)`);
	return {text: decodeText(shown, bytes), bytes: bytes.length};
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
