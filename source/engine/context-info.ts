// What the root model (and the tree, the logs, the status line) is told about the context: its
// Python type and its size, never the text itself.
import type {SandboxContext} from '../protocol/repl.js';
import type {ContextInfo} from '../protocol/events.js';

/** Up to this many UTF-16 units a text's characters are counted as Python's len() counts them
 * (a surrogate pair is one); past it, the units (the scan of a 100 MB text that is not Latin-1
 * takes about half a second, and pairs are rare in so much text). */
const EXACT_COUNT_UNITS = 8 * 1024 * 1024;

/** A text's characters as Python's len() gives them (code points), but see EXACT_COUNT_UNITS. */
function textChars(text: string): number {
	if (text.length > EXACT_COUNT_UNITS) return text.length;
	return text.length - (text.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0);
}

/** The characters a value takes: a str its len(), anything else its JSON text's length. */
function valueChars(value: unknown): number {
	if (typeof value === 'string') return textChars(value);
	return JSON.stringify(value)?.length ?? 0;
}

/**
 * The context's Python type and size in characters (code points, as Python's len() counts them;
 * UTF-16 units for a text of over EXACT_COUNT_UNITS).
 * A str and a dict of str count their texts; a list or a dict of other values count each item as
 * text when it is a str and as JSON text when it is not; a number or a bool its JSON text.
 */
export function contextInfo(context: SandboxContext | null | undefined): ContextInfo {
	if (context === null || context === undefined) return {type: 'none', chars: 0};
	if (typeof context === 'string') return {type: 'str', chars: textChars(context)};
	if (typeof context === 'number') return {type: Number.isInteger(context) ? 'int' : 'float', chars: valueChars(context)};
	if (typeof context === 'boolean') return {type: 'bool', chars: valueChars(context)};
	if (Array.isArray(context)) return {type: 'list', chars: context.reduce<number>((sum, item) => sum + valueChars(item), 0), items: context.length};
	const keys = Object.keys(context);
	let chars = 0;
	let allText = true;
	for (const key of keys) {
		const value = context[key];
		if (typeof value === 'string') chars += textChars(value);
		else {
			allText = false;
			chars += valueChars(value);
		}
	}
	return {type: 'dict', chars, keys, ...(allText ? {} : {values: 'json' as const})};
}

/** Whether `now` has the type, size and (for a dict) keys `logged` records: the test --resume uses
 * before it lets the session's context stand in for one too big to have been logged. */
export function sameContextShape(now: ContextInfo, logged: ContextInfo | undefined): boolean {
	if (!logged || now.type !== logged.type || now.chars !== logged.chars || now.items !== logged.items) return false;
	return JSON.stringify(now.keys ?? []) === JSON.stringify(logged.keys ?? []);
}
