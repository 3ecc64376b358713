// The flags the command line knows, and which words are flags: a leaf with no imports, so the
// early look at the raw words (early-words.ts) and the parser (flags.ts) read them alike.

export const flagDefinitions = {
	model: {type: 'string', shortFlag: 'm'},
	backend: {type: 'string', shortFlag: 'b'},
	backendUrl: {type: 'string', shortFlag: 'u'},
	backendKey: {type: 'string', shortFlag: 'k'},
	header: {type: 'string', isMultiple: true},
	temperature: {type: 'string', shortFlag: 't'},
	verbose: {type: 'boolean', shortFlag: 'v'},
	execLog: {type: 'boolean', shortFlag: 'e'},
	contextFile: {type: 'string', shortFlag: 'c', isMultiple: true},
	contextFormat: {type: 'string'},
	maxContextBytes: {type: 'string'},
	prompt: {type: 'string', shortFlag: 'p'},
	json: {type: 'boolean'},
	subModel: {type: 'string'},
	tools: {type: 'string'},
	subTools: {type: 'string'},
	compaction: {type: 'boolean'},
	contextWindow: {type: 'string'},
	subBackend: {type: 'string'},
	subUrl: {type: 'string'},
	system: {type: 'string', shortFlag: 's'},
	systemFile: {type: 'string'},
	maxIterations: {type: 'string'},
	maxDepth: {type: 'string'},
	timeout: {type: 'string'},
	requestTimeout: {type: 'string'},
	memoryLimit: {type: 'string'},
	keepWarm: {type: 'string'},
	logDir: {type: 'string'},
	replay: {type: 'string'},
	resume: {type: 'boolean'},
	port: {type: 'string'},
	host: {type: 'string'},
	token: {type: 'string'},
	maxConcurrent: {type: 'string'},
	cors: {type: 'string', isMultiple: true},
	http: {type: 'boolean'},
	allowDir: {type: 'string', isMultiple: true},
	allowModels: {type: 'string', isMultiple: true},
	maxBudget: {type: 'string'},
	maxTimeout: {type: 'string'},
	maxTokens: {type: 'string'},
	maxErrors: {type: 'string'},
	maxSubCalls: {type: 'string'},
	totalBudget: {type: 'string'},
	totalTokens: {type: 'string'},
	help: {type: 'boolean', shortFlag: 'h'},
	version: {type: 'boolean', shortFlag: 'V'},
} as const;

export const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** A flag as the user may have typed it: `-u/--backend-url`, `--port`. */
export const flagDisplay = (name: FlagName) => {
	const short = (flagDefinitions[name] as {shortFlag?: string}).shortFlag;
	return short ? `-${short}/--${kebab(name)}` : `--${kebab(name)}`;
};

/** What a command line runs: `app` is rlm-tui without a command (the app, -p, --replay); `mcp
 * --http` is mcp's HTTP transport, which takes mcp's flags and its own. */
export type FlagMode = 'app' | 'serve' | 'mcp' | 'mcp --http';

/** The modes of the flags that are not every mode's (the model, backend, run settings and limits
 * are: serve and mcp run with them). */
const flagModes: Partial<Record<FlagName, readonly FlagMode[]>> = {
	prompt: ['app'],
	execLog: ['app'],
	verbose: ['app'],
	json: ['app'],
	contextFile: ['app'],
	contextFormat: ['app'],
	replay: ['app'],
	resume: ['app'],
	maxContextBytes: ['app', 'mcp', 'mcp --http'],
	port: ['serve', 'mcp --http'],
	host: ['serve', 'mcp --http'],
	token: ['serve', 'mcp --http'],
	maxConcurrent: ['serve', 'mcp', 'mcp --http'],
	cors: ['serve'],
	http: ['mcp', 'mcp --http'],
	allowDir: ['mcp', 'mcp --http'],
	totalBudget: ['mcp', 'mcp --http'],
	totalTokens: ['mcp', 'mcp --http'],
};

const MODE_NAMES: Record<FlagMode, string> = {app: 'rlm-tui without a command', serve: 'rlm-tui serve', mcp: 'rlm-tui mcp', 'mcp --http': 'rlm-tui mcp --http'};
const HELP: Record<FlagMode, string> = {app: 'rlm-tui --help', serve: 'rlm-tui serve --help', mcp: 'rlm-tui mcp --help', 'mcp --http': 'rlm-tui mcp --help'};

/**
 * The refusal of the first flag given (`given`: set on the command line) that `mode` has no use
 * for, naming where it belongs, in one line: `--port has no use with rlm-tui mcp: it is an option
 * of rlm-tui mcp --http and rlm-tui serve (see rlm-tui mcp --help)`, `-p/--prompt has no use with
 * rlm-tui serve: …`, `--port is an option of rlm-tui serve and …` (without a command); undefined
 * when all are its.
 */
export function misplacedFlag(mode: FlagMode, given: (name: FlagName) => boolean): string | undefined {
	for (const [name, modes] of Object.entries(flagModes) as Array<[FlagName, readonly FlagMode[]]>) {
		if (modes.includes(mode) || !given(name)) continue;
		// mcp without --http: say that --http is what the flag wants.
		const named = mode === 'mcp' && modes.includes('mcp --http') ? ['mcp --http' as const, ...modes.filter((home) => home !== 'mcp --http')] : modes;
		// "rlm-tui mcp" says "rlm-tui mcp --http" too.
		const homes = named.includes('mcp') ? named.filter((home) => home !== 'mcp --http') : named;
		const where = homes.map((home) => MODE_NAMES[home]).join(', ').replace(/, (?=[^,]*$)/, ' and ');
		const here = mode === 'app' ? 'is' : `has no use with ${MODE_NAMES[mode]}: it is`;
		return `${flagDisplay(name)} ${here} an option of ${where} (see ${HELP[homes[0]!]})`;
	}
	return undefined;
}

/** Known long names (kebab and camel) and short letters, as yargs-parser reports them. */
export const knownKeys = new Set(
	Object.entries(flagDefinitions).flatMap(([name, definition]) => [name, kebab(name), ...('shortFlag' in definition ? [definition.shortFlag] : [])]),
);

const shortLetters = new Set(Object.values(flagDefinitions).flatMap((definition) => ('shortFlag' in definition ? [definition.shortFlag as string] : [])));
const booleanNames = new Set(Object.entries(flagDefinitions).flatMap(([name, definition]) => (definition.type === 'boolean' ? [name, kebab(name)] : [])));

type FlagName = keyof typeof flagDefinitions;

/** Each spelling of a flag that takes a value (`--base-url`, `--baseUrl`, `-u`) and its name. */
const valueFlagNames = new Map<string, FlagName>(
	Object.entries(flagDefinitions).flatMap(([name, definition]) =>
		definition.type === 'string' ? [`--${kebab(name)}`, `--${name}`, ...('shortFlag' in definition ? [`-${definition.shortFlag}`] : [])].map((word): [string, FlagName] => [word, name as FlagName]) : [],
	),
);

/** `-m` / `--model` (also `--backendUrl`, as yargs takes it): the name of the flag that takes a
 * value, else undefined. */
export function valueFlagName(word: string): FlagName | undefined {
	return valueFlagNames.get(word);
}

/**
 * Whether a word is one of our flags (`--model`, `--model=x`, `--no-json`, `-v`, `-ve`) or `--`.
 * Anything else after a flag that takes a value is that value, even when it starts with a dash:
 * `-p "-e is the flag for what?"`, `-p "--verbose mode?"`, `-t -0.5`, `-p -` (as getopt takes an
 * option's required argument; a known flag there means the value was left out: `-m -p q`).
 */
export function isFlagWord(word: string): boolean {
	if (word === '--') return true;
	if (word.startsWith('--')) {
		const name = word.slice(2).split('=')[0]!;
		return knownKeys.has(name) || (name.startsWith('no-') && booleanNames.has(name.slice(3)));
	}
	return /^-[A-Za-z]+$/.test(word) && [...word.slice(1)].every((letter) => shortLetters.has(letter));
}
