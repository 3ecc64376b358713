// The help the app gives, from the key tables (state/keys.ts) and the slash commands (commands/):
// the /help view's lines, and the README's tables of keys and commands (a test keeps them equal).
import {COMMANDS} from './commands/index.js';
import type {AnyCommand} from './commands/command.js';
import {KEYMAP, prettyKey, type Binding} from './state/keys.js';

const listed = (table: readonly Binding<string>[]) => table.filter((binding) => binding.help);

/** How a command is typed, with its other names: '/quit (/exit, /q)'. */
export const commandSpelling = (command: AnyCommand) => `${command.usage}${command.aliases?.length ? ` (${command.aliases.map((alias) => `/${alias}`).join(', ')})` : ''}`;

export const HELP_LINES: readonly string[] = [
	...KEYMAP.flatMap(({title, table}) => [
		title,
		...listed(table).map((binding) => `  ${binding.keys.map(prettyKey).join(' / ').padEnd(30)} ${binding.help}`),
		'',
	]),
	'Commands',
	...COMMANDS.map((command) => `  ${commandSpelling(command).padEnd(38)} ${command.help}`),
];

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The README's table of keys (Markdown). */
export function keysTableMarkdown(): string {
	const rows = KEYMAP.flatMap(({where, table}) => listed(table).map((binding) => `| ${cell(binding.keys.map(prettyKey).join(', '))} | ${where} | ${cell(binding.help!)} |`));
	return ['| keys | where | what |', '|---|---|---|', ...rows].join('\n');
}

/** The README's table of slash commands (Markdown). */
export function commandsTableMarkdown(): string {
	const rows = COMMANDS.map((command) => `| \`${cell(commandSpelling(command))}\` | ${cell(command.help)} |`);
	return ['| command | what |', '|---|---|', ...rows].join('\n');
}
