// Python's `context` as UTF-8 parts sent in chunks, so that no whole copy of it is ever made on the
// way: a str is one part, a dict of text one part per value (laid end to end), any other JSON
// value one part of its JSON text (Python parses it with json.loads). The chunks are encoded one
// at a time from the strings themselves; the worker writes each into Python's memory as it comes.
import type {ContextKind, ContextPartHeader} from './protocol.js';
import type {SandboxContext} from './types.js';

export interface ContextPart {
	/** The dict key; '' for a str or JSON text. */
	name: string;
	text: string;
	/** UTF-8 bytes of `text`. */
	bytes: number;
	/** Every character is ASCII (then bytes === text.length): Python can take the bytes as they are. */
	ascii: boolean;
}

export interface ContextPlan {
	kind: ContextKind;
	parts: ContextPart[];
}

/** Bytes per chunk: small enough that the copies each process makes of one stay small. */
export const contextChunkBytes = 1024 * 1024;

/** @throws TypeError when the value has no JSON form (a BigInt, a cycle). */
export function planContext(context: SandboxContext | null): ContextPlan {
	if (context === null || context === undefined) return {kind: 'none', parts: []};
	if (typeof context === 'string') return {kind: 'str', parts: [part('', context)]};
	if (!isTextDict(context)) return {kind: 'json', parts: [part('', jsonText(context))]};
	return {kind: 'dict', parts: Object.entries(context).map(([name, text]) => part(name, text))};
}

export function partHeaders(plan: ContextPlan): ContextPartHeader[] {
	return plan.parts.map((p) => [p.name, p.bytes, p.ascii]);
}

function part(name: string, text: string): ContextPart {
	const bytes = Buffer.byteLength(text, 'utf8');
	return {name, text, bytes, ascii: bytes === text.length};
}

const encoder = new TextEncoder();

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/**
 * The parts' UTF-8 bytes laid end to end, in chunks of at most `chunkBytes` (a chunk may hold the
 * end of one part and the start of the next). A character is never split across chunks, and a
 * lone surrogate becomes U+FFFD as Buffer.byteLength counts it.
 */
export function* contextChunks(plan: ContextPlan, chunkBytes = contextChunkBytes): Generator<Uint8Array> {
	let chunk = new Uint8Array(chunkBytes);
	let filled = 0;
	for (const {text} of plan.parts) {
		let at = 0;
		while (at < text.length) {
			const room = chunkBytes - filled;
			// At most 3 bytes per UTF-16 unit, so these units fit (two may be one 4-byte pair).
			let end = Math.min(text.length, at + Math.max(2, Math.floor(room / 3)));
			if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1)) && end - 1 > at) end--;
			const {read, written} = encoder.encodeInto(text.slice(at, end), chunk.subarray(filled));
			at += read;
			filled += written;
			if (chunkBytes - filled < 4) {
				yield chunk.subarray(0, filled);
				chunk = new Uint8Array(chunkBytes);
				filled = 0;
			}
		}
	}
	if (filled > 0) yield chunk.subarray(0, filled);
}

/** A plain object whose values are all str: the dict-of-text path. */
function isTextDict(context: SandboxContext): context is Record<string, string> {
	if (typeof context !== 'object' || Array.isArray(context)) return false;
	for (const key in context) if (typeof context[key] !== 'string') return false;
	return true;
}

/** @throws TypeError when the value has no JSON form (a BigInt, a cycle). */
function jsonText(context: SandboxContext): string {
	const text = JSON.stringify(context);
	if (text === undefined) throw new TypeError(`context of type ${typeof context} has no JSON form`);
	return text;
}
