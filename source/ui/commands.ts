// Slash commands: parsing and the help text. What they do lives in the app's effects.
import {BACKEND_NAMES} from '../protocol/backends.js';
export type Command =
	| {name: 'model'; arg?: string}
	| {name: 'backend'; backend?: string; url?: string}
	| {name: 'context'; paths: string[]}
	| {name: 'clear'}
	| {name: 'save'; path?: string}
	| {name: 'export'; path?: string}
	| {name: 'resume'}
	| {name: 'theme'; theme?: string}
	| {name: 'mouse'; setting?: string}
	| {name: 'help'}
	| {name: 'quit'}
	| {name: 'unknown'; text: string};

export const COMMANDS: ReadonlyArray<{usage: string; help: string}> = [
	{usage: '/model [NAME]', help: 'pick the model (from the backend\'s list; type to filter); saved'},
	{usage: '/backend NAME [URL]', help: `switch backend (and its base URL); saved. NAME: ${BACKEND_NAMES.join(', ')}`},
	{usage: '/context PATH…', help: 'load files, folders or globs as the context of the next questions (/context off clears it)'},
	{usage: '/clear', help: 'start a fresh session: new REPL, empty chat and tree'},
	{usage: '/save [FILE]', help: 'write the session as JSON: chat, settings and the whole tree (as --json)'},
	{usage: '/export [FILE]', help: 'write the transcript as Markdown'},
	{usage: '/resume', help: 'reopen the last logged session: its chat and its REPL variables'},
	{usage: '/theme dark|light', help: 'colours for a dark or a light terminal; saved'},
	{usage: '/mouse on|off', help: 'off: the terminal selects and copies text; on: the wheel scrolls panes (Shift+drag selects)'},
	{usage: '/help', help: 'keys and commands'},
	{usage: '/quit', help: 'leave (Ctrl+C twice does too)'},
];

function unquote(text: string): string {
	const trimmed = text.trim();
	if (trimmed.length >= 2 && /^(["']).*\1$/.test(trimmed)) return trimmed.slice(1, -1);
	return trimmed;
}

/** Words as a shell splits them: spaces separate, quotes ('…' or "…") keep a word whole. */
export function splitWords(text: string): string[] {
	const words: string[] = [];
	for (const match of text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) words.push(match[1] ?? match[2] ?? match[3]!);
	return words;
}

export function parseCommand(line: string): Command | undefined {
	const trimmed = line.trim();
	if (!trimmed.startsWith('/')) return undefined;
	const match = /^\/(\S*)\s*(.*)$/s.exec(trimmed)!;
	const name = match[1]!.toLowerCase();
	const rest = match[2]!.trim();
	switch (name) {
		case 'model':
		case 'models':
			return rest ? {name: 'model', arg: rest} : {name: 'model'};
		case 'backend': {
			const [backend, url] = rest.split(/\s+/).filter(Boolean);
			return {name: 'backend', ...(backend ? {backend} : {}), ...(url ? {url} : {})};
		}
		case 'context':
			return {name: 'context', paths: splitWords(rest)};
		case 'clear':
		case 'new':
			return {name: 'clear'};
		case 'save':
			return rest ? {name: 'save', path: unquote(rest)} : {name: 'save'};
		case 'export':
			return rest ? {name: 'export', path: unquote(rest)} : {name: 'export'};
		case 'resume':
			return {name: 'resume'};
		case 'theme':
			return rest ? {name: 'theme', theme: rest.toLowerCase()} : {name: 'theme'};
		case 'mouse':
			return rest ? {name: 'mouse', setting: rest.toLowerCase()} : {name: 'mouse'};
		case 'help':
		case '?':
			return {name: 'help'};
		case 'quit':
		case 'exit':
		case 'q':
			return {name: 'quit'};
		default:
			return {name: 'unknown', text: trimmed};
	}
}
