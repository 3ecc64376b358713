// The slash commands, in the order /help and the README list them, and how a typed line finds one.
import {backendCommand} from './backend.js';
import {clearCommand} from './clear.js';
import type {AnyCommand} from './command.js';
import {contextCommand} from './context.js';
import {copyCommand} from './copy.js';
import {exportCommand} from './export.js';
import {helpCommand} from './help.js';
import {modelCommand} from './model.js';
import {mouseCommand} from './mouse.js';
import {quitCommand} from './quit.js';
import {resumeCommand} from './resume.js';
import {saveCommand} from './save.js';
import {setCommand} from './set.js';
import {themeCommand} from './theme.js';
import {unsetCommand} from './unset.js';

export const COMMANDS: readonly AnyCommand[] = [
	modelCommand,
	backendCommand,
	setCommand,
	unsetCommand,
	contextCommand,
	clearCommand,
	saveCommand,
	exportCommand,
	copyCommand,
	resumeCommand,
	themeCommand,
	mouseCommand,
	helpCommand,
	quitCommand,
];

const byName = new Map<string, AnyCommand>(COMMANDS.flatMap((command) => [command.name, ...(command.aliases ?? [])].map((name) => [name, command] as const)));

/** The command a name or alias (without the slash, any case) stands for. */
export const findCommand = (name: string): AnyCommand | undefined => byName.get(name.toLowerCase());

/** A line typed into the input, read as a command: which one and the text after its name. */
export type CommandLine = {command: AnyCommand; args: string} | {unknown: string};

/** `undefined` when the line is not a command (it does not start with "/"). */
export function parseCommandLine(line: string): CommandLine | undefined {
	const trimmed = line.trim();
	if (!trimmed.startsWith('/')) return undefined;
	const match = /^\/(\S*)\s*(.*)$/s.exec(trimmed)!;
	const command = findCommand(match[1]!);
	return command ? {command, args: match[2]!.trim()} : {unknown: trimmed};
}
