// What the raw command line asks for before anything is parsed: help or the version. Imports
// nothing, so the entry (cli.tsx) reads it before loading any module, and a run that is neither
// starts its sandbox at once (cli/early-sandbox.ts) while the help texts stay unloaded.

/** A request answered from the raw words alone. */
export type EarlyRequest = {kind: 'help'; topic: string | undefined} | {kind: 'version'};

/** `--help`/`-h` anywhere (before `--`), `help [COMMAND]` as the command, `-V`/`--version`;
 * undefined otherwise. Checks the raw words only, so it needs no parser. */
export function earlyRequest(argv: readonly string[]): EarlyRequest | undefined {
	const end = argv.indexOf('--');
	const words = end === -1 ? argv : argv.slice(0, end);
	const command = words.find((word) => !word.startsWith('-'));
	const wantsHelp = words.includes('--help') || words.includes('-h') || (command === 'help' && words[0] === 'help');
	if (wantsHelp) return {kind: 'help', topic: command === 'help' ? words[words.indexOf('help') + 1] : command};
	if (words.includes('--version') || words.includes('-V')) return {kind: 'version'};
	return undefined;
}
