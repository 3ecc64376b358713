// The command line: meow's flag definitions, plus the checks meow leaves to us: unknown flags
// (with a hint), flags given without their value, and numbers that are not numbers, each as one
// `rlm-tui:` line naming the flag and what was given.
import {existsSync} from 'node:fs';
import leven from 'leven';
import meow from 'meow';
import {BACKEND_NAMES} from '../protocol/backends.js';
import {parseQuantity, type Quantity} from '../protocol/numbers.js';
import {UsageError} from './usage-error.js';
import {quoted, quotedClip} from '../protocol/quoted.js';
import {flagDefinitions, flagDisplay, isFlagWord, kebab, valueFlagName} from './flag-table.js';

export const COMMANDS = ['serve', 'mcp', 'help'] as const;


/** Flags read as numbers (meow's number type turns "hot" into NaN, so they are parsed here). */
const numberFlags = [
	'temperature',
	'contextWindow',
	'maxIterations',
	'maxDepth',
	'timeout',
	'requestTimeout',
	'memoryLimit',
	'keepWarm',
	'port',
	'maxConcurrent',
	'maxBudget',
	'maxTimeout',
	'maxTokens',
	'maxErrors',
	'maxSubCalls',
	'totalBudget',
	'totalTokens',
] as const;
type NumberFlag = (typeof numberFlags)[number];

/** What each number flag stands for (its suffixes); any other is a count (8k, 1.5M). */
const FLAG_QUANTITIES: Partial<Record<NumberFlag, Quantity>> = {
	temperature: 'plain',
	port: 'plain',
	timeout: 'seconds',
	maxTimeout: 'seconds',
	requestTimeout: 'seconds',
	keepWarm: 'minutes',
	memoryLimit: 'megabytes',
	maxBudget: 'usd',
	totalBudget: 'usd',
};

/** What a flag's value is, for "needs a value" messages. */
const valueNames: Partial<Record<keyof typeof flagDefinitions, string>> = {
	model: 'a model name, e.g. -m qwen3:8b',
	backend: `a backend: ${BACKEND_NAMES.join(', ')}`,
	backendUrl: 'a URL, e.g. http://localhost:11434/v1',
	backendKey: 'an API key',
	header: "a header, e.g. --header 'X-Portkey-Provider: openai'",
	contextFile: 'a file, a folder, a quoted glob, or - for stdin',
	contextFormat: 'text or json',
	maxContextBytes: 'a size in bytes, e.g. 200M',
	prompt: 'the question, e.g. -p "what changed?"',
	subModel: 'a model name',
	tools: 'a Python file, e.g. --tools helpers.py',
	subTools: 'a Python file for child RLMs',
	subBackend: `a backend for sub-calls: ${BACKEND_NAMES.join(', ')}`,
	subUrl: 'a URL for sub-calls, e.g. http://localhost:11434/v1',
	system: 'instructions for the model, e.g. -s "Answer in French."',
	systemFile: 'a file holding the whole system prompt',
	logDir: 'a directory',
	replay: 'a trajectory file (.jsonl)',
	host: 'an interface, e.g. 127.0.0.1',
	token: 'a bearer token',
	cors: 'an origin, e.g. http://localhost:3000',
	allowDir: 'a folder MCP calls may read, e.g. --allow-dir ~/logs',
	allowModels: 'a model name (or several, comma-separated) that model= may name',
};

const display = flagDisplay;

type Parsed = ReturnType<typeof parseWithMeow>;
/** Parsed['flags'] without meow's `Record<string, unknown>` (which would swallow every key). */
type ParsedFlags = {[K in keyof Parsed['flags'] as string extends K ? never : K]: Parsed['flags'][K]};
export type CliFlags = Omit<ParsedFlags, NumberFlag> & Partial<Record<NumberFlag, number>>;
export interface Cli {
	/** The command word (serve, help) if one was given. */
	command?: (typeof COMMANDS)[number];
	/** Words after the command. */
	input: string[];
	flags: CliFlags;
	/** Each number flag given, as its error names the value: what the user typed (see asTyped). */
	typed: TypedNumbers;
}

/** A number flag's value as typed, for the range checks' errors (they see only the number). */
export type TypedNumbers = Partial<Record<NumberFlag, string>>;

const QUANTITY_WORDS: Partial<Record<Quantity, string>> = {seconds: 'seconds', minutes: 'minutes', megabytes: 'MB', usd: 'USD'};

/** `"90s" (1.5 minutes)`: the text in quotes, then what it was read as when that is not the same text. */
function asTyped(text: string, number: number, quantity: Quantity): string {
	const shown = quotedClip(text);
	const word = QUANTITY_WORDS[quantity];
	return Number(text) === number ? shown : `${shown} (${number}${word ? ` ${word}` : ''})`;
}

function parseWithMeow(argv: string[]) {
	return meow({importMeta: import.meta, argv, pkg: {}, allowUnknownFlags: true, autoHelp: false, autoVersion: false, flags: flagDefinitions});
}

/**
 * Parses the command line.
 * @throws UsageError for an unknown flag or command, a flag without its value, or a number flag
 * whose value is not a number.
 */
export function parseCli(argv: string[] = process.argv.slice(2)): Cli {
	argv = withValuesJoined(argv);
	checkUnknownFlags(argv);
	checkMissingValues(argv);
	let parsed: Parsed;
	try {
		parsed = parseWithMeow(argv);
	} catch (error) {
		// meow throws for a flag given twice that takes one value, naming it by its key (--backendUrl).
		const message = error instanceof Error ? error.message : String(error);
		const twice = /^The flag --(\w+) can only be set once\.?$/.exec(message);
		if (twice && twice[1]! in flagDefinitions) throw new UsageError(`${display(twice[1] as keyof typeof flagDefinitions)} can only be set once`);
		throw new UsageError(message.replace(/^The flag /, ''));
	}
	const flags = {...parsed.flags} as Record<string, unknown>;
	for (const [name, value] of Object.entries(flags)) {
		const empty = value === '' || (Array.isArray(value) && value.includes(''));
		// A value was given (checkMissingValues says when none was), but it is "".
		if (empty && name in valueNames) {
			throw new UsageError(`${display(name as keyof typeof flagDefinitions)} is empty: give ${valueNames[name as keyof typeof valueNames]}`);
		}
	}
	const typed: TypedNumbers = {};
	for (const name of numberFlags) {
		const raw = flags[name] as string | number | boolean | undefined;
		if (raw === undefined) continue;
		// The suffixes /set takes too: --context-window 128k, --memory-limit 2G, --timeout 5m, --max-budget '$0.50'.
		const text = String(raw).trim();
		const quantity = FLAG_QUANTITIES[name] ?? 'count';
		const number = parseQuantity(text, quantity) ?? Number.NaN;
		if (!Number.isFinite(number)) {
			throw new UsageError(text === '' ? `${display(name)} needs a number` : `${display(name)} needs a number, not ${quoted(String(raw))}`);
		}
		flags[name] = number;
		typed[name] = asTyped(text, number, quantity);
	}
	const [word, ...input] = parsed.input;
	if (word !== undefined && !(COMMANDS as readonly string[]).includes(word)) {
		if (existsSync(word))
			throw new UsageError(
				`${quoted(word)} is a path, not a command: the shell expanded a glob or split a name. Quote the glob (-c 'docs/*.md') or give each path its own -c`,
			);
		const close = COMMANDS.find((command) => leven(command, word) <= 2);
		throw new UsageError(
			`unknown command ${quoted(word)}${close ? ` (did you mean ${close}?)` : ''}: the commands are ${COMMANDS.join(', ')}; a question goes in -p "..." (see --help)`,
		);
	}
	return {...(word ? {command: word as Cli['command']} : {}), input, flags: flags as CliFlags, typed};
}

/**
 * Each flag that takes a value joined to the word after it (`-p "-5 degrees"` as
 * `--prompt=-5 degrees`) unless that word is a flag of ours (see isFlagWord): the parser would
 * read a value that starts with a dash as flags of its own, and a lone `-` as a word.
 */
function withValuesJoined(argv: readonly string[]): string[] {
	const out: string[] = [];
	for (let index = 0; index < argv.length; index++) {
		const word = argv[index]!;
		if (word === '--') return [...out, ...argv.slice(index)];
		const name = valueFlagName(word);
		const next = argv[index + 1];
		if (name && next !== undefined && !isFlagWord(next)) {
			out.push(`--${kebab(name)}=${next}`);
			index++;
		} else out.push(word);
	}
	return out;
}

/** A flag that takes a value left with none: the last word, or followed by another flag
 * (`-m -p q`), which withValuesJoined leaves apart; the parser would read it as empty, or for a
 * repeatable flag drop it without a word. */
function checkMissingValues(argv: readonly string[]): void {
	const end = argv.indexOf('--');
	const words = end === -1 ? argv : argv.slice(0, end);
	for (const word of words) {
		const key = valueFlagName(word);
		if (!key) continue;
		const what = valueNames[key];
		const numeric = (numberFlags as readonly string[]).includes(key);
		throw new UsageError(`${display(key)} needs ${numeric ? 'a number' : what ? `a value: ${what}` : 'a value'}`);
	}
}

/**
 * A word that starts with a dash and is no flag of ours: one line naming it as typed (not as the
 * parser renamed it: `--verbose mode?` is not `--verbose-mode?`), with the nearest long flag when
 * one is close. Values are joined to their flags by then, so every such word is meant as a flag.
 */
function checkUnknownFlags(argv: readonly string[]): void {
	const end = argv.indexOf('--');
	const words = end === -1 ? argv : argv.slice(0, end);
	for (const word of words) {
		if (!word.startsWith('-') || word === '-' || isFlagWord(word) || /^-\.?\d[\d.eE+-]*$/.test(word)) continue;
		const long = word.startsWith('--');
		const typed = long ? word.split('=')[0]! : word;
		const letter = /^-[A-Za-z]+$/.test(word) ? [...word.slice(1)].find((one) => !isFlagWord(`-${one}`)) : undefined;
		const shown = letter ? `-${letter}` : /^--?[A-Za-z][\w-]*$/.test(typed) ? typed : quoted(typed);
		const target = long ? kebab(typed.slice(2)) : '';
		const best = Object.keys(flagDefinitions)
			.map(kebab)
			.map((name) => ({name, distance: leven(name, target)}))
			.sort((a, b) => a.distance - b.distance)[0];
		const hint = long && best && best.distance <= Math.max(2, Math.floor(target.length / 3)) ? `did you mean --${best.name}? ` : '';
		throw new UsageError(`unknown flag ${shown} (${hint}see rlm-tui --help)`);
	}
}
