// The help the app gives, from the key tables (state/keys.ts) and the slash commands (commands/):
// the /help view's lines, and the README's tables of keys and commands (a test keeps them equal).
import {COMMANDS} from './commands/index.js';
import type {AnyCommand} from './commands/command.js';
import {append, wrapLines} from './format.js';
import {KEYMAP, prettyKey, type Binding} from './state/keys.js';

const listed = (table: readonly Binding<string>[]) => table.filter((binding) => binding.help);

/** How a command is typed, with its other names: '/quit (/exit, /q)'. */
export const commandSpelling = (command: AnyCommand) => `${command.usage}${command.aliases?.length ? ` (${command.aliases.map((alias) => `/${alias}`).join(', ')})` : ''}`;

/** One row of the help: what to press or type, and what it does. */
interface HelpEntry {
	name: string;
	help: string;
}

const SECTIONS: ReadonlyArray<{title: string; entries: HelpEntry[]; nameWidth: number}> = [
	...KEYMAP.map(({title, table}) => ({title, nameWidth: 30, entries: listed(table).map((binding) => ({name: binding.keys.map(prettyKey).join(' / '), help: binding.help!}))})),
	{title: 'Commands', nameWidth: 38, entries: COMMANDS.map((command) => ({name: commandSpelling(command), help: command.help}))},
];

/** The description column needs at least this many columns beside the names; narrower, it goes
 * under its name. */
const MIN_HELP_COLUMNS = 24;

const cache = new Map<number, readonly string[]>();

/**
 * The /help view's lines for a text area `width` columns wide: each description wrapped in its
 * column (continuation lines indented under it), or under its name when the name column leaves
 * too little room (80 columns cut every description before).
 */
export function helpLines(width: number): readonly string[] {
	const known = cache.get(width);
	if (known) return known;
	const lines: string[] = [];
	for (const [index, {title, entries, nameWidth}] of SECTIONS.entries()) {
		if (index > 0) lines.push('');
		append(lines, wrapLines(title, Math.max(10, width)));
		const beside = width - (2 + nameWidth + 1) >= MIN_HELP_COLUMNS;
		for (const {name, help} of entries) {
			if (beside && name.length <= nameWidth) {
				const [first = '', ...rest] = wrapLines(help, width - (2 + nameWidth + 1));
				lines.push(`  ${name.padEnd(nameWidth)} ${first}`);
				append(lines, rest.map((line) => `${' '.repeat(2 + nameWidth + 1)}${line}`));
			} else {
				append(lines, wrapLines(name, Math.max(10, width - 2)).map((line) => `  ${line}`));
				append(lines, wrapLines(help, Math.max(10, width - 6)).map((line) => `      ${line}`));
			}
		}
	}
	cache.set(width, lines);
	return lines;
}

/** The help as one long line per entry (the README's tables and tests read it). */
export const HELP_LINES: readonly string[] = helpLines(Number.MAX_SAFE_INTEGER);

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
