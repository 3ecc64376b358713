// How a loaded context is told to the user: what is loaded (for the status line and the chat).
import type {JsonValue} from '../protocol/repl.js';
import type {LoadedContext} from './load.js';
import {formatBytes} from './size.js';
import {formatCount} from '../protocol/numbers.js';
import {codePointCount} from '../protocol/code-points.js';

const plural = (count: number, word: string) => `${formatCount(count)} ${word}${count === 1 ? '' : 's'}`;

/** What Python gets, in words: "a str of 1,234 characters", "a dict of 12 files", "a list of 40 items". */
export function contextShape(context: JsonValue, files: number): string {
	if (typeof context === 'string') return `${formatCount(codePointCount(context))} characters`;
	if (Array.isArray(context)) return `a list of ${plural(context.length, 'item')}`;
	if (context !== null && typeof context === 'object') {
		const keys = Object.keys(context).length;
		return keys === files ? `a dict of ${plural(files, 'file')}` : `a dict of ${plural(keys, 'key')}`;
	}
	return `a${typeof context === 'number' ? ' number' : ' bool'}`;
}

/** One line for the chat or stderr: "docs/ (a dict of 12 files, 1.2 MiB)". */
export function describeLoaded(loaded: LoadedContext): string {
	return `${loaded.label} (${contextShape(loaded.context, loaded.files)}, ${formatBytes(loaded.bytes)})`;
}

/** What the status line shows (the name (or count) and the size, e.g. "docs/ 1.2 MiB"), and what
 * /context alone tells (what Python gets, the first files). */
export interface ContextBadge {
	label: string;
	files: number;
	bytes: number;
	/** What Python gets, in words (contextShape): "a dict of 12 files". */
	shape?: string;
	/** The first keys of a dict of files, in order (at most BADGE_FILE_NAMES). */
	names?: string[];
}

/** File names a badge keeps: enough to say what is loaded without holding a big folder's list. */
const BADGE_FILE_NAMES = 5;

export function contextBadge(loaded: LoadedContext): ContextBadge {
	const {context, files} = loaded;
	const keys = context !== null && typeof context === 'object' && !Array.isArray(context) ? Object.keys(context) : [];
	const names = files > 1 && keys.length === files ? {names: keys.slice(0, BADGE_FILE_NAMES)} : {};
	return {label: loaded.label, files, bytes: loaded.bytes, shape: contextShape(context, files), ...names};
}

/** What is loaded, in one line: "docs/ (a dict of 12 files, 1.2 MiB): docs/a.md, docs/b.md, … and 7 more". */
export function describeBadge(badge: ContextBadge): string {
	const shape = badge.shape ?? plural(badge.files, 'file');
	const names = badge.names?.length ? badge.names.join(', ') : '';
	const more = badge.names && badge.files > badge.names.length ? ` and ${formatCount(badge.files - badge.names.length)} more` : '';
	return `${badge.label} (${shape}, ${formatBytes(badge.bytes)})${names ? `: ${names}${more}` : ''}`;
}

/** "docs/ · 12 files, 1.2 MiB", "notes.txt · 10 B": the label clipped by `clip` to fit. */
export function badgeText(badge: ContextBadge, clip: (text: string) => string = (text) => text): string {
	const count = badge.files > 1 && !badge.label.endsWith(' files') ? `${formatCount(badge.files)} files, ` : '';
	return `${clip(badge.label)} · ${count}${formatBytes(badge.bytes)}`;
}
