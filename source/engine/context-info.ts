// What the root model (and the tree, the logs, the status line) is told about the context: its
// Python type and its size, never the text itself.
import type {SandboxContext} from '../protocol/repl.js';
import type {CharUnit, ContextInfo} from '../protocol/events.js';
import {codePointCount} from '../protocol/code-points.js';

/** A text's characters as Python's len() gives them (code points), or its UTF-16 units when `unit` says so (logs written before 2026-12-02). */
function textChars(text: string, unit: CharUnit): number {
	return unit === 'utf16_unit' ? text.length : codePointCount(text);
}

/** The characters a value takes: a str its len(), anything else its JSON text's len(). */
function valueChars(value: unknown, unit: CharUnit): number {
	if (typeof value === 'string') return textChars(value, unit);
	return textChars(JSON.stringify(value) ?? '', unit);
}

/**
 * The context's Python type and size in characters (code points, as Python's len() counts them,
 * at any size), or in UTF-16 units when `unit` says so.
 * A str and a dict of str count their texts; a list or a dict of other values count each item as
 * text when it is a str and as JSON text when it is not; a number or a bool its JSON text.
 */
export function contextInfo(context: SandboxContext | null | undefined, unit: CharUnit = 'code_point'): ContextInfo {
	if (context === null || context === undefined) return {type: 'none', chars: 0};
	if (typeof context === 'string') return {type: 'str', chars: textChars(context, unit)};
	if (typeof context === 'number') return {type: Number.isInteger(context) ? 'int' : 'float', chars: valueChars(context, unit)};
	if (typeof context === 'boolean') return {type: 'bool', chars: valueChars(context, unit)};
	if (Array.isArray(context)) return {type: 'list', chars: context.reduce<number>((sum, item) => sum + valueChars(item, unit), 0), items: context.length};
	const keys = Object.keys(context);
	let chars = 0;
	let allText = true;
	for (const key of keys) {
		const value = context[key];
		if (typeof value === 'string') chars += textChars(value, unit);
		else {
			allText = false;
			chars += valueChars(value, unit);
		}
	}
	return {type: 'dict', chars, keys, ...(allText ? {} : {values: 'json' as const})};
}

function sameContextShape(now: ContextInfo, logged: ContextInfo): boolean {
	if (now.type !== logged.type || now.chars !== logged.chars || now.items !== logged.items) return false;
	return JSON.stringify(now.keys ?? []) === JSON.stringify(logged.keys ?? []);
}

/** Whether `context` has the type, size and (for a dict) keys `logged` records: the test --resume
 * uses before it lets the session's context stand in for one too big to have been logged.
 * `loggedUnit` is what the log says its size counts; a log that does not say (written before
 * 2026-12-02, when it counted UTF-16 units, or on that day, code points) matches in either. */
export function matchesLoggedShape(context: SandboxContext, logged: ContextInfo | undefined, loggedUnit: CharUnit | undefined): boolean {
	if (!logged) return false;
	if (loggedUnit) return sameContextShape(contextInfo(context, loggedUnit), logged);
	return sameContextShape(contextInfo(context), logged) || sameContextShape(contextInfo(context, 'utf16_unit'), logged);
}
