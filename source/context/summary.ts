// How a loaded context is told to the user: what is loaded (for the status line and the chat).
import type {JsonValue, SandboxContext} from '../protocol/repl.js';
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
	/** Brought back by --resume or /resume from the session's log, which keeps the text but not the
	 * names of the paths it was read from. */
	resumed?: true;
}

/** File names a badge keeps: enough to say what is loaded without holding a big folder's list. */
const BADGE_FILE_NAMES = 5;

export function contextBadge(loaded: LoadedContext): ContextBadge {
	const {context, files} = loaded;
	const keys = context !== null && typeof context === 'object' && !Array.isArray(context) ? Object.keys(context) : [];
	const names = files > 1 && keys.length === files ? {names: keys.slice(0, BADGE_FILE_NAMES)} : {};
	return {label: loaded.label, files, bytes: loaded.bytes, shape: contextShape(context, files), ...names};
}

/** The badge of a context a resume brought back (Rlm.sessionContext after it). A dict of texts is
 * taken as a dict of files, as /context PATH… loads several; bytes are those of its text in UTF-8. */
export function resumedContextBadge(context: SandboxContext): ContextBadge {
	const texts = typeof context === 'object' && !Array.isArray(context) ? Object.values(context) : [];
	const strings = texts.filter((text): text is string => typeof text === 'string');
	const ofFiles = texts.length > 0 && strings.length === texts.length;
	const files = ofFiles ? texts.length : 1;
	const bytes = typeof context === 'string' ? Buffer.byteLength(context) : ofFiles ? strings.reduce((sum, text) => sum + Buffer.byteLength(text), 0) : Buffer.byteLength(JSON.stringify(context));
	const names = ofFiles && files > 1 ? {names: Object.keys(context).slice(0, BADGE_FILE_NAMES)} : {};
	return {label: 'resumed', files, bytes, shape: contextShape(context, files), ...names, resumed: true};
}

/** What is loaded, in one line: "docs/ (a dict of 12 files, 1.2 MiB): docs/a.md, docs/b.md, … and 7 more". */
export function describeBadge(badge: ContextBadge): string {
	const shape = badge.shape ?? plural(badge.files, 'file');
	const names = badge.names?.length ? badge.names.join(', ') : '';
	const more = badge.names && badge.files > badge.names.length ? ` and ${formatCount(badge.files - badge.names.length)} more` : '';
	const what = badge.resumed ? "the resumed session's context" : badge.label;
	return `${what} (${shape}, ${formatBytes(badge.bytes)})${names ? `: ${names}${more}` : ''}`;
}

/** "docs/ · 12 files, 1.2 MiB", "notes.txt · 10 B": the label clipped by `clip` to fit. */
export function badgeText(badge: ContextBadge, clip: (text: string) => string = (text) => text): string {
	const count = badge.files > 1 && !badge.label.endsWith(' files') ? `${formatCount(badge.files)} files, ` : '';
	return `${clip(badge.label)} · ${count}${formatBytes(badge.bytes)}`;
}
