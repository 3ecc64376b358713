// Loading -c/--context-file: one file gives a str context, several give a dict of name -> text.
import {readFile, stat} from 'node:fs/promises';
import {basename} from 'node:path';
import type {SandboxContext} from '../sandbox/types.js';

export class ContextFileError extends Error {}

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
	let bytes: Buffer;
	try {
		bytes = await readFile(path);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'EACCES') throw new ContextFileError(`Context file is not readable (permission denied): ${path}`);
		throw new ContextFileError(`Cannot read context file ${path}: ${(error as Error).message}`);
	}
	if (looksBinary(bytes)) throw new ContextFileError(`Context file looks binary, not text: ${path} (give a text file)`);
	return bytes.toString('utf8');
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
