// Loading -c/--context-file: one file gives a str context, several give a dict of name -> text.
import {constants} from 'node:buffer';
import {readFile, stat} from 'node:fs/promises';
import {basename} from 'node:path';
import type {SandboxContext} from '../protocol/repl.js';

export class ContextFileError extends Error {}

/** The longest text one context file can hold, in UTF-16 code units: the longest string Node's V8
 * makes (2^29 - 24 = 536,870,888 on 64-bit, buffer.constants.MAX_STRING_LENGTH). */
export const maxContextFileChars = constants.MAX_STRING_LENGTH;

const MiB = 1024 * 1024;
const sizeText = (bytes: number) => (bytes >= 1024 * MiB ? `${(bytes / (1024 * MiB)).toFixed(1)} GiB` : `${Math.round(bytes / MiB)} MiB`);

function tooLong(path: string, bytes: number): ContextFileError {
	return new ContextFileError(
		`Context file ${path} is ${sizeText(bytes)}; one context file holds at most ${Math.floor(maxContextFileChars / MiB)} MiB of text ` +
			`(${maxContextFileChars.toLocaleString('en-US')} characters, the longest string Node.js makes). ` +
			'Split it into smaller files and pass each with its own -c (Python then gets a dict of name -> text), or pass a part of it.',
	);
}

/** NUL bytes or many invalid UTF-8 sequences in the first 8 KiB mean "not text". */
export function looksBinary(bytes: Buffer): boolean {
	const head = bytes.subarray(0, 8192);
	if (head.includes(0)) return true;
	const text = head.toString('utf8');
	const replacements = text.split('\uFFFD').length - 1;
	return replacements > Math.max(4, text.length / 100);
}

export async function readContextFile(path: string): Promise<string> {
	let info;
	try {
		info = await stat(path);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT') throw new ContextFileError(`Context file not found: ${path}`);
		if (code === 'EACCES') throw new ContextFileError(`Context file is not readable (permission denied): ${path}`);
		throw new ContextFileError(`Cannot read context file ${path}: ${(error as Error).message}`);
	}
	if (info.isDirectory()) throw new ContextFileError(`Context file is a directory, not a file: ${path}`);
	// Every character takes at least one byte, but a file over the limit may still decode under it
	// (multi-byte UTF-8): only a file that cannot fit even as UTF-16's worst case is refused unread.
	if (info.size > maxContextFileChars * 3) throw tooLong(path, info.size);
	let bytes: Buffer;
	try {
		bytes = await readFile(path);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'EACCES') throw new ContextFileError(`Context file is not readable (permission denied): ${path}`);
		throw new ContextFileError(`Cannot read context file ${path}: ${(error as Error).message}`);
	}
	if (looksBinary(bytes)) throw new ContextFileError(`Context file looks binary, not text: ${path} (give a text file)`);
	if (bytes.length <= maxContextFileChars) return bytes.toString('utf8');
	try {
		return bytes.toString('utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ERR_STRING_TOO_LONG') throw tooLong(path, bytes.length);
		throw error;
	}
}

export async function readContextFiles(paths: string[]): Promise<SandboxContext | undefined> {
	if (paths.length === 0) return undefined;
	if (paths.length === 1) return readContextFile(paths[0]!);
	const entries = await Promise.all(paths.map(async (path) => [path, await readContextFile(path)] as const));
	const context: Record<string, string> = {};
	for (const [path, text] of entries) {
		let key = basename(path);
		if (key in context) key = path;
		context[key] = text;
	}
	return context;
}
