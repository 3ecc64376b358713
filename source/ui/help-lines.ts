// The help text: key tables and commands (shared by the help view and the reducer's scrolling).
import {COMMANDS} from './commands.js';
import {DETAIL_KEYS, GLOBAL_KEYS, TREE_KEYS, CHAT_KEYS, type Binding} from './state/keys.js';

const pretty = (key: string) =>
	({up: '↑', down: '↓', left: '←', right: '→', return: 'Enter', escape: 'Esc', pageup: 'PgUp', pagedown: 'PgDn', space: 'Space', home: 'Home', end: 'End', tab: 'Tab', 'shift+tab': 'Shift+Tab', 'ctrl+c': 'Ctrl+C'})[key] ?? key;

function keyLines(title: string, table: readonly Binding<string>[]): string[] {
	return [
		title,
		...table.filter((binding) => binding.help).map((binding) => `  ${binding.keys.map(pretty).join(' / ').padEnd(22)} ${binding.help}`),
		'',
	];
}

export const HELP_LINES: readonly string[] = [
	...keyLines('Anywhere', GLOBAL_KEYS),
	...keyLines('Tree (Tab to focus)', TREE_KEYS),
	...keyLines('Detail view', DETAIL_KEYS),
	...keyLines('Chat input', [...CHAT_KEYS, {keys: ['up', 'down'], action: 'history', help: 'earlier questions'}, {keys: ['return'], action: 'send', help: 'send the question or command'}]),
	'Commands',
	...COMMANDS.map((command) => `  ${command.usage.padEnd(38)} ${command.help}`),
];

