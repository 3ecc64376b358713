// --context-format json: a .json file as its parsed value, a .jsonl (or .ndjson) file as the list
// of its lines' values. Numbers pass through JavaScript: integers past 2^53 lose precision and
// 1.0 arrives in Python as 1.
import type {JsonValue} from '../protocol/repl.js';
import {ContextLoadError} from './errors.js';

/** How `--context-format` reads a file: as text (the default) or as JSON data. */
export type ContextFormat = 'text' | 'json';
export const contextFormats: readonly ContextFormat[] = ['text', 'json'];

/** Whether a file name is one JSON document per line. */
export const isJsonLines = (name: string): boolean => /\.(jsonl|ndjson)$/i.test(name);
/** Whether a file name is a JSON or JSON Lines file (what --context-format json parses in a folder). */
export const isJsonName = (name: string): boolean => /\.json$/i.test(name) || isJsonLines(name);

const withoutBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
const reason = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0];

/** One JSON document. @throws ContextLoadError naming `name` when it is not valid JSON. */
export function parseJson(text: string, name: string): JsonValue {
	try {
		return JSON.parse(withoutBom(text)) as JsonValue;
	} catch (error) {
		throw new ContextLoadError(`${name} is not valid JSON: ${reason(error)}`);
	}
}

/** One JSON document per line; blank lines are skipped. @throws ContextLoadError naming the line. */
export function parseJsonLines(text: string, name: string): JsonValue[] {
	const values: JsonValue[] = [];
	const lines = withoutBom(text).split('\n');
	for (const [index, line] of lines.entries()) {
		if (!line.trim()) continue;
		try {
			values.push(JSON.parse(line) as JsonValue);
		} catch (error) {
			throw new ContextLoadError(`${name} line ${index + 1} is not valid JSON: ${reason(error)}`);
		}
	}
	return values;
}

/** Text of unknown shape (stdin): one JSON document, else JSON Lines. */
export function parseJsonOrLines(text: string, name: string): JsonValue {
	try {
		return JSON.parse(withoutBom(text)) as JsonValue;
	} catch (error) {
		const lines = text.split('\n').filter((line) => line.trim());
		if (lines.length < 2) throw new ContextLoadError(`${name} is not valid JSON: ${reason(error)}`);
		return parseJsonLines(text, name);
	}
}
