// A fingerprint of a context too big to log (jsonl-log.ts keeps at most 1,000,000 characters of
// it), so --resume can tell whether the context given again is the one the run had: not only its
// type and size (a different file of the same length has those too).
import {createHash, type Hash} from 'node:crypto';
import type {SandboxContext} from '../protocol/repl.js';

/** Characters hashed in all, at most (about 3 ms of SHA-256): beyond it, evenly spaced samples. */
const BUDGET_CHARS = 1_000_000;
const SAMPLE_CHARS = 1024;

function addText(hash: Hash, text: string, budget: number): void {
	hash.update(`${text.length}:`);
	if (text.length <= budget) {
		hash.update(text);
		return;
	}
	// Samples from the first character to the last, evenly spaced.
	const samples = Math.max(2, Math.floor(budget / SAMPLE_CHARS));
	for (let i = 0; i < samples; i++) {
		const start = Math.floor((i * (text.length - SAMPLE_CHARS)) / (samples - 1));
		hash.update(text.slice(start, start + SAMPLE_CHARS));
	}
}

function addValue(hash: Hash, value: unknown, budget: number): void {
	if (typeof value === 'string') {
		hash.update('s');
		addText(hash, value, budget);
	} else if (Array.isArray(value)) {
		hash.update(`[${value.length}`);
		const each = Math.max(SAMPLE_CHARS, Math.floor(budget / Math.max(1, value.length)));
		for (const item of value) addValue(hash, item, each);
	} else if (value !== null && typeof value === 'object') {
		const keys = Object.keys(value).sort();
		hash.update(`{${keys.length}`);
		const each = Math.max(SAMPLE_CHARS, Math.floor(budget / Math.max(1, keys.length)));
		for (const key of keys) {
			addText(hash, key, each);
			addValue(hash, (value as Record<string, unknown>)[key], each);
		}
	} else {
		hash.update(`j${JSON.stringify(value) ?? 'undefined'}`);
	}
}

/**
 * `context`'s fingerprint: SHA-256 (as 32 hex digits) over its structure and its text, sampled
 * (evenly spaced 1,024-character pieces, first and last included) past 1,000,000 characters in all.
 * Equal contexts always match; contexts that differ only between samples can match too.
 */
export function contextFingerprint(context: SandboxContext): string {
	const hash = createHash('sha256');
	addValue(hash, context, BUDGET_CHARS);
	return hash.digest('hex').slice(0, 32);
}
