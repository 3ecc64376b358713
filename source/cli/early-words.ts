// What the raw command line asks for before anything is parsed: help or the version. Imports
// nothing, so the entry (cli.tsx) reads it before loading any module, and a run that is neither
// starts its sandbox at once (cli/early-sandbox.ts) while the help texts stay unloaded. It reads
// a flag's value as the parser does (flag-table.ts): `-p "-h"` asks a question, not for help.
import {isFlagWord, valueFlagName} from './flag-table.js';

/** A request answered from the raw words alone. */
export type EarlyRequest = {kind: 'help'; topic: string | undefined} | {kind: 'version'} | {kind: 'usage error'; message: string};

/** The commands `help` has a page for (`rlm-tui help` alone gives the main one). */
export const HELP_TOPICS = ['serve', 'mcp'] as const;

/** The one-line refusal for `help TOPIC` when TOPIC has no page, else undefined. */
export function unknownHelpTopic(topic: string | undefined): string | undefined {
	if (topic === undefined || topic.startsWith('-') || (HELP_TOPICS as readonly string[]).includes(topic)) return undefined;
	return `no help on ${JSON.stringify(topic)}: the topics are ${HELP_TOPICS.join(" and ")} (rlm-tui help [${HELP_TOPICS.join("|")}])`;
}

/** The words before `--` without the values of flags that take one (`-p "--help me"`, `-m help`). */
function flagsAndCommands(argv: readonly string[]): string[] {
	const words: string[] = [];
	for (let index = 0; index < argv.length; index++) {
		const word = argv[index]!;
		if (word === '--') break;
		words.push(word);
		const next = argv[index + 1];
		if (valueFlagName(word) && next !== undefined && !isFlagWord(next)) index++;
	}
	return words;
}

/** `--help`/`-h` anywhere (before `--`), `help [COMMAND]` as the command, `-V`/`--version`;
 * undefined otherwise. Checks the raw words only, so it needs no parser. */
export function earlyRequest(argv: readonly string[]): EarlyRequest | undefined {
	const words = flagsAndCommands(argv);
	const command = words.find((word) => !word.startsWith('-'));
	const wantsHelp = words.includes('--help') || words.includes('-h') || (command === 'help' && words[0] === 'help');
	if (wantsHelp && command === 'help' && words[0] === 'help') {
		const topic = words[1];
		const unknown = unknownHelpTopic(topic);
		return unknown ? {kind: 'usage error', message: unknown} : {kind: 'help', topic};
	}
	if (wantsHelp) return {kind: 'help', topic: command === 'help' ? words[words.indexOf('help') + 1] : command};
	if (words.includes('--version') || words.includes('-V')) return {kind: 'version'};
	return undefined;
}
