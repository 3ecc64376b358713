// What a slash command is: its name, aliases, usage and help (for /help and the README), a pure
// `run` the reducer calls with the text after the name, and the side effect it may queue, which
// the effect runner performs after the render. Adding a command is one file here and its line in
// index.ts.
import {homedir} from 'node:os';
import {resolve} from 'node:path';
import type {ContextLoadOptions} from '../../context/index.js';
import type {BackendName} from '../../protocol/backends.js';
import type {ResolvedConfig} from '../../settings/resolve.js';
import type {SettingsStore} from '../../settings/store.js';
import type {UiEngine} from '../engine-port.js';
import type {AppAction, AppState, ChatKind, ChatTable} from '../state/types.js';
import {withEffect} from '../state/updates.js';
import type {TerminalControl} from '../terminal.js';

/** What a command's effect may use: the engine, the settings store, the terminal, the chat. */
export interface CommandContext {
	readonly rlm: UiEngine;
	readonly settings: SettingsStore;
	/** The configuration the app was started with (flags > environment > settings). */
	readonly config: ResolvedConfig;
	/** For relative paths (/context, /save). */
	readonly cwd: string;
	readonly env: NodeJS.ProcessEnv;
	/** Absent under tests. */
	readonly terminal?: TerminalControl;
	/** How /context reads (the command line's --context-format and --max-context-bytes). */
	readonly contextLoad?: Pick<ContextLoadOptions, 'format' | 'maxBytes'>;
	/** The backend in use now. */
	readonly backend: BackendName;
	dispatch(action: AppAction): void;
	/** A line in the chat (where the command was given, for a command's effect); `table`: rows of
	 * cells under it, laid out for the chat pane's width when drawn (never padded here). */
	say(kind: ChatKind, text: string, table?: ChatTable): void;
}

/** Queues the command's effect with this payload (its `perform` gets it after the render). */
export type Queue<P> = (state: AppState, payload: P) => AppState;

export interface SlashCommand<P = never> {
	/** Typed after the slash, lower case. */
	readonly name: string;
	readonly aliases?: readonly string[];
	/** How it is typed: '/backend NAME [URL]'. */
	readonly usage: string;
	/** One line for /help and the README. */
	readonly help: string;
	/** Allowed while exploring a replay (nothing can be asked or changed there). */
	readonly inReplay?: boolean;
	/** Refused while a question runs ("cancel it first"). */
	readonly idleOnly?: boolean;
	/** Pure: the state after the command, given the text after its name (trimmed, maybe empty). */
	run(state: AppState, args: string, queue: Queue<P>): AppState;
	/** The side effect `run` queued, performed by the effect runner (the only place the UI touches the engine). */
	perform?(payload: P, context: CommandContext): void | Promise<void>;
}

/** Any command, whatever its payload (for the list and the runner). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the list holds commands of every payload type
export type AnyCommand = SlashCommand<any>;

/** Declares a command (the payload type is inferred from `perform`). */
export const defineCommand = <P = never>(command: SlashCommand<P>): SlashCommand<P> => command;

/** Removes one pair of matching quotes around a path ("my file.txt"). */
export function unquote(text: string): string {
	const trimmed = text.trim();
	if (trimmed.length >= 2 && /^(["']).*\1$/.test(trimmed)) return trimmed.slice(1, -1);
	return trimmed;
}

/** Queues `command`'s effect with `payload` (what `run`'s `queue` does; for callers outside `run`). */
export function queueCommand<P>(state: AppState, command: SlashCommand<P>, payload: P): AppState {
	return withEffect(state, {kind: 'command', name: command.name, payload});
}

/** Words as a shell splits them: spaces separate, quotes ('…' or "…") keep a word whole. */
export function splitWords(text: string): string[] {
	const words: string[] = [];
	for (const match of text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) words.push(match[1] ?? match[2] ?? match[3]!);
	return words;
}

/** A path as the user typed it, made absolute: `~` is the home directory, else relative to `cwd`. */
export function userPath(cwd: string, path: string): string {
	const expanded = path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path;
	return resolve(cwd, expanded);
}
