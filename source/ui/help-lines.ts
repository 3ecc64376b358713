// The help text: key tables and commands (shared by the help view and the reducer's scrolling).
import {COMMANDS} from './commands.js';
import {CHAT_KEYS, DETAIL_KEYS, GLOBAL_KEYS, INPUT_KEYS, TREE_KEYS, type Binding} from './state/keys.js';

const NAMES: Record<string, string> = {
	up: '↑',
	down: '↓',
	left: '←',
	right: '→',
	return: 'Enter',
	escape: 'Esc',
	pageup: 'PgUp',
	pagedown: 'PgDn',
	space: 'Space',
	home: 'Home',
	end: 'End',
	tab: 'Tab',
	backspace: 'Backspace',
	delete: 'Delete',
	ctrl: 'Ctrl',
	alt: 'Alt',
	shift: 'Shift',
};

/** A key name as people write it: 'ctrl+left' -> 'Ctrl+←', 'alt+b' -> 'Alt+B', 'G' -> 'G'. */
export function prettyKey(key: string): string {
	if (key.length === 1) return key;
	return key
		.split('+')
		.map((part) => NAMES[part] ?? (part.length === 1 ? part.toUpperCase() : part))
		.join('+');
}

function keyLines(title: string, table: readonly Binding<string>[]): string[] {
	return [
		title,
		...table.filter((binding) => binding.help).map((binding) => `  ${binding.keys.map(prettyKey).join(' / ').padEnd(30)} ${binding.help}`),
		'',
	];
}

export const HELP_LINES: readonly string[] = [
	...keyLines('Anywhere', GLOBAL_KEYS),
	...keyLines('Chat input', [...INPUT_KEYS, ...CHAT_KEYS]),
	...keyLines('Tree (Tab to focus)', TREE_KEYS),
	...keyLines('Detail view', DETAIL_KEYS),
	'Commands',
	...COMMANDS.map((command) => `  ${command.usage.padEnd(38)} ${command.help}`),
];
