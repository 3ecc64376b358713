// Key presses as the reducer sees them, and the key-binding tables (one per scope). The key bus
// routes a press to the highest-priority scope that binds it: dialogs > panes > globals.
import type {EditAction} from './line-input.js';
/** What a press is, as the key decoder (key-decoder.ts) reports it. All flags optional. */
export interface Keys {
	upArrow: boolean;
	downArrow: boolean;
	leftArrow: boolean;
	rightArrow: boolean;
	pageUp: boolean;
	pageDown: boolean;
	home: boolean;
	end: boolean;
	insert: boolean;
	return: boolean;
	escape: boolean;
	tab: boolean;
	/** Backspace (0x7F or ^H): deletes backwards. */
	backspace: boolean;
	/** The Delete key (ESC[3~): deletes forwards. */
	delete: boolean;
	ctrl: boolean;
	shift: boolean;
	/** Alt / Option (an ESC prefix, or a modifier in CSI sequences). */
	meta: boolean;
	super: boolean;
	/** `input` is pasted text (bracketed paste, or a multi-line burst), verbatim. */
	paste: boolean;
}

export interface KeyPress {
	input: string;
	key: Partial<Keys>;
}

const SPECIAL: ReadonlyArray<[keyof Keys, string]> = [
	['upArrow', 'up'],
	['downArrow', 'down'],
	['leftArrow', 'left'],
	['rightArrow', 'right'],
	['pageUp', 'pageup'],
	['pageDown', 'pagedown'],
	['home', 'home'],
	['end', 'end'],
	['insert', 'insert'],
	['return', 'return'],
	['escape', 'escape'],
	['tab', 'tab'],
	['backspace', 'backspace'],
	['delete', 'delete'],
];

/**
 * A stable name for a press: 'ctrl+c', 'up', 'ctrl+left', 'alt+b', 'shift+return', 'escape', 'j',
 * 'G', 'paste'... Modifiers come first, in the order ctrl, alt, shift.
 */
export function keyName({input, key}: KeyPress): string {
	if (key.paste) return 'paste';
	const special = SPECIAL.find(([flag]) => key[flag]);
	const mods = `${key.ctrl ? 'ctrl+' : ''}${key.meta && !key.escape ? 'alt+' : ''}`;
	if (special) return `${mods}${key.shift && special[1] !== 'escape' ? 'shift+' : ''}${special[1]}`;
	if (key.ctrl && input) return `${mods}${input.toLowerCase()}`;
	if (input === ' ') return `${mods}space`;
	if (input === '\r' || input === '\n') return 'return';
	return `${mods}${input}`;
}

/** One row of a key table: the keys (by `keyName`; the first is the one hints show), what they do
 * in the reducer, and the line /help and the README give them (none: not listed). */
export type Binding<A extends string> = {readonly keys: readonly string[]; readonly action: A; readonly help?: string};

export function lookup<A extends string>(table: readonly Binding<A>[], name: string): A | undefined {
	for (const binding of table) if (binding.keys.includes(name)) return binding.action;
	return undefined;
}

/** The keys bound to an action (the first is its main key); throws for an action the table lacks. */
export function keysOf<A extends string>(table: readonly Binding<A>[], action: A): readonly string[] {
	const binding = table.find((row) => row.action === action);
	if (!binding) throw new Error(`No key is bound to ${action}`);
	return binding.keys;
}

export type GlobalAction = 'interrupt' | 'quit' | 'focus-next' | 'escape' | 'suspend';
/** Keys that work anywhere. `interrupt` comes first, before any view or pane sees the key. */
export const GLOBAL_KEYS: readonly Binding<GlobalAction>[] = [
	{keys: ['escape'], action: 'escape', help: 'close the open view; else cancel the running answer; one press never does both (an Esc right after closing a view does not cancel)'},
	{keys: ['ctrl+c'], action: 'interrupt', help: 'cancel the running answer, else close the open view, else clear the typed input (↑ brings it back; as in a shell, this press never quits); a second Ctrl+C within 2 s of a cancel or of a press on an empty input quits'},
	{keys: ['ctrl+\\'], action: 'quit', help: 'quit at once, as SIGQUIT does (exit code 131): the running answer is not cancelled but left unfinished in the log (--resume brings it back), the terminal restored'},
	{keys: ['ctrl+z'], action: 'suspend', help: 'suspend to the shell (fg comes back and redraws)'},
	{keys: ['tab', 'shift+tab'], action: 'focus-next', help: 'switch focus between the input and the tree'},
];
/** The global actions a view (detail, help, model picker) lets through; it takes every other key. */
export const OVER_VIEWS: readonly GlobalAction[] = ['interrupt', 'quit', 'suspend'];

export type InputAction = EditAction | 'submit' | 'delete-or-quit' | 'paste';
/** The chat input's editing keys (readline's conventions). Printable keys insert. */
export const INPUT_KEYS: readonly Binding<InputAction>[] = [
	{keys: ['return'], action: 'submit', help: 'send the question or command; a question typed while one runs is queued: shown at once, asked when that one ends (answered, failed or cancelled)'},
	{keys: ['shift+return', 'alt+return', 'ctrl+j'], action: 'newline', help: 'new line (the input grows to a few rows, then scrolls; long lines wrap)'},
	{keys: ['paste'], action: 'paste', help: 'lands whole, every character kept (line breaks, tabs, escape bytes and bidi controls are sent as pasted; the screen leaves the controls out), never sent by itself; a paste over 8 lines or 800 characters shows as [pasted 120 lines] and is sent whole; the chat then shows the question by its first and last lines (the tree\'s run row shows it whole)'},
	{keys: ['up', 'ctrl+p'], action: 'up', help: 'line up; on the first line: earlier inputs (kept across restarts); on an empty input while a question is queued: takes the last one back to edit'},
	{keys: ['down', 'ctrl+n'], action: 'down', help: 'line down; on the last line: later inputs'},
	{keys: ['left', 'ctrl+b'], action: 'left', help: 'one character back (an emoji is one)'},
	{keys: ['right', 'ctrl+f'], action: 'right', help: 'one character forward'},
	{keys: ['alt+left', 'ctrl+left', 'alt+b'], action: 'word-left', help: 'one word back'},
	{keys: ['alt+right', 'ctrl+right', 'alt+f'], action: 'word-right', help: 'one word forward'},
	{keys: ['home', 'ctrl+a'], action: 'line-start', help: 'start of the line'},
	{keys: ['end', 'ctrl+e'], action: 'line-end', help: 'end of the line'},
	{keys: ['backspace', 'shift+backspace'], action: 'backspace', help: 'delete backwards; on a [pasted 120 lines] placeholder: the whole paste, which Ctrl+Y puts back'},
	{keys: ['delete'], action: 'delete', help: 'delete forwards (a paste\'s placeholder as Backspace does)'},
	{keys: ['ctrl+d'], action: 'delete-or-quit', help: 'delete forwards; on an empty input: quit (while an answer runs: press twice)'},
	{keys: ['alt+backspace', 'ctrl+backspace'], action: 'kill-word-back', help: 'delete the word before the cursor'},
	{keys: ['ctrl+w'], action: 'kill-space-word-back', help: 'delete back to the previous space'},
	{keys: ['alt+d', 'ctrl+delete', 'alt+delete'], action: 'kill-word-forward', help: 'delete the word after the cursor'},
	{keys: ['ctrl+k'], action: 'kill-to-end', help: 'delete to the end of the line'},
	{keys: ['ctrl+u'], action: 'kill-to-start', help: 'delete to the start of the line'},
	{keys: ['ctrl+y'], action: 'yank', help: 'put back the last text deleted by Ctrl+K, Ctrl+U, Ctrl+W, Alt+D, Alt+Backspace, or a paste deleted with Backspace or Delete; deletions in a row come back together, pastes as placeholders'},
];

export type ChatAction = 'scroll-up' | 'scroll-down';
/** Keys the chat takes while the input has focus. */
export const CHAT_KEYS: readonly Binding<ChatAction>[] = [
	{keys: ['pageup'], action: 'scroll-up', help: 'scroll the chat a page up'},
	{keys: ['pagedown'], action: 'scroll-down', help: 'scroll the chat a page down'},
];

export type TreeAction =
	| 'up'
	| 'down'
	| 'expand'
	| 'collapse'
	| 'enter'
	| 'open'
	| 'top'
	| 'bottom'
	| 'page-up'
	| 'page-down'
	| 'filter'
	| 'next-error'
	| 'previous-error'
	| 'next-running'
	| 'previous-running'
	| 'collapse-all'
	| 'expand-all'
	| 'command'
	| 'help'
	| 'to-input';
export const TREE_KEYS: readonly Binding<TreeAction>[] = [
	{keys: ['k', 'up'], action: 'up', help: 'move up'},
	{keys: ['j', 'down'], action: 'down', help: 'move down'},
	{keys: ['l', 'right'], action: 'expand', help: 'expand, or step in'},
	{keys: ['h', 'left'], action: 'collapse', help: 'collapse, or go to the parent'},
	{keys: ['return'], action: 'enter', help: 'expand, or open the detail view (full code, output, prompt, response)'},
	{keys: ['o', 'space'], action: 'open', help: 'open the detail view'},
	{keys: ['g', 'home'], action: 'top', help: 'first row'},
	{keys: ['G', 'end'], action: 'bottom', help: 'last row (and follow the newest again)'},
	{keys: ['pageup'], action: 'page-up', help: 'a page up'},
	{keys: ['pagedown'], action: 'page-down', help: 'a page down'},
	{keys: ['/'], action: 'filter', help: 'filter the rows by their text as you type (ancestors stay); Enter keeps the filter, Esc clears it'},
	{keys: ['e'], action: 'next-error', help: 'next failed row, opening what hides it'},
	{keys: ['E'], action: 'previous-error', help: 'previous failed row'},
	{keys: ['r'], action: 'next-running', help: 'next row where work is running'},
	{keys: ['R'], action: 'previous-running', help: 'previous row where work is running'},
	{keys: ['-'], action: 'collapse-all', help: 'collapse every row'},
	{keys: ['+', '='], action: 'expand-all', help: 'expand every row (large batches included)'},
	{keys: [':'], action: 'command', help: 'type a command (the input takes focus with a /)'},
	{keys: ['?'], action: 'help', help: 'this help'},
	{keys: ['i'], action: 'to-input', help: 'back to the input; so does any character the tree does not bind (a capital, a digit, a comma...), which is typed there; a paste lands there whole'},
];

export type TimelineAction = 'back' | 'forward' | 'back-tenth' | 'forward-tenth';
/** A replay's tree (--replay): stepping through the logged run, the tree as it stood. */
export const TIMELINE_KEYS: readonly Binding<TimelineAction>[] = [
	{keys: ['['], action: 'back', help: 'one event back'},
	{keys: [']'], action: 'forward', help: 'one event forward'},
	{keys: ['{'], action: 'back-tenth', help: 'a tenth of the run back'},
	{keys: ['}'], action: 'forward-tenth', help: 'a tenth of the run forward'},
];

export type DetailAction = 'close' | 'line-up' | 'line-down' | 'page-up' | 'page-down' | 'top' | 'bottom';
export const DETAIL_KEYS: readonly Binding<DetailAction>[] = [
	{keys: ['escape', 'q', 'return'], action: 'close', help: 'close; a character not bound here closes it too and is typed into the input, a paste lands there whole'},
	{keys: ['pageup', 'b'], action: 'page-up', help: 'a page up'},
	{keys: ['pagedown', 'space'], action: 'page-down', help: 'a page down'},
	{keys: ['k', 'up'], action: 'line-up', help: 'a line up'},
	{keys: ['j', 'down'], action: 'line-down', help: 'a line down'},
	{keys: ['g', 'home'], action: 'top', help: 'top'},
	{keys: ['G', 'end'], action: 'bottom', help: 'bottom'},
];

export type HelpAction = 'close' | 'line-up' | 'line-down' | 'page-up' | 'page-down';
export const HELP_KEYS: readonly Binding<HelpAction>[] = [
	{keys: ['escape', 'q', 'return', '?'], action: 'close', help: 'close; a character not bound here closes it too and is typed into the input, a paste lands there whole'},
	{keys: ['up', 'k'], action: 'line-up', help: 'a line up'},
	{keys: ['down', 'j'], action: 'line-down', help: 'a line down'},
	{keys: ['pageup'], action: 'page-up', help: 'a page up'},
	{keys: ['pagedown', 'space'], action: 'page-down', help: 'a page down'},
];

export type PickerAction = 'close' | 'up' | 'down' | 'page-up' | 'page-down' | 'pick';
/** The model picker; other keys edit its filter as in the chat input. */
export const PICKER_KEYS: readonly Binding<PickerAction>[] = [
	{keys: ['return'], action: 'pick', help: 'use the model (saved for the backend); a typed name not listed is offered too'},
	{keys: ['escape'], action: 'close', help: 'leave without picking'},
	{keys: ['up', 'ctrl+p'], action: 'up', help: 'move up'},
	{keys: ['down', 'ctrl+n'], action: 'down', help: 'move down'},
	{keys: ['pageup'], action: 'page-up', help: 'a page up'},
	{keys: ['pagedown'], action: 'page-down', help: 'a page down'},
];

export type MouseAction = 'wheel-up' | 'wheel-down';
/** Mouse reports by button (key-decoder.ts), while the mouse is on (/mouse). */
export const MOUSE_KEYS: readonly Binding<MouseAction>[] = [
	{keys: ['wheel-up'], action: 'wheel-up', help: 'scroll up what is under the pointer: a view, the chat or the tree (Shift+drag selects text)'},
	{keys: ['wheel-down'], action: 'wheel-down', help: 'scroll down what is under the pointer'},
];

const KEY_LABELS: Record<string, string> = {
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
	paste: 'a paste',
	'wheel-up': 'wheel up',
	'wheel-down': 'wheel down',
};

/** A key name as people write it: 'ctrl+left' -> 'Ctrl+←', 'alt+b' -> 'Alt+B', 'G' -> 'G'. */
export function prettyKey(key: string): string {
	if (key.length === 1) return key;
	if (KEY_LABELS[key]) return KEY_LABELS[key];
	return key
		.split('+')
		.map((part) => KEY_LABELS[part] ?? (part.length === 1 ? part.toUpperCase() : part))
		.join('+');
}

/** The main key of an action as people write it ('Esc', 'j'). */
export const keyLabel = <A extends string>(table: readonly Binding<A>[], action: A): string => prettyKey(keysOf(table, action)[0]!);

/** A hint: the main keys of some actions and what they do ('j/k move', 'Esc close'). */
export function hint<A extends string>(table: readonly Binding<A>[], actions: readonly A[], text: string): string {
	return `${actions.map((action) => keyLabel(table, action)).join('/')} ${text}`;
}

/** Every key table, where it applies: the source of /help and of the README's table of keys. */
export const KEYMAP: ReadonlyArray<{readonly where: string; readonly title: string; readonly table: readonly Binding<string>[]}> = [
	{where: 'anywhere', title: 'Anywhere', table: GLOBAL_KEYS},
	{where: 'input', title: 'Chat input', table: INPUT_KEYS},
	{where: 'chat', title: 'Chat', table: CHAT_KEYS},
	{where: 'tree', title: `Tree (${prettyKey(GLOBAL_KEYS.find((row) => row.action === 'focus-next')!.keys[0]!)} to focus)`, table: TREE_KEYS},
	{where: 'replay', title: 'Replay (the tree of --replay)', table: TIMELINE_KEYS},
	{where: 'detail', title: 'Detail view', table: DETAIL_KEYS},
	{where: 'help', title: 'Help', table: HELP_KEYS},
	{where: 'model picker', title: 'Model picker (/model; typing filters)', table: PICKER_KEYS},
	{where: 'mouse', title: 'Mouse', table: MOUSE_KEYS},
];

/** Splits a run of typed text into one press per character (for keys outside the chat input). */
export function splitText(press: KeyPress): KeyPress[] {
	const {input, key} = press;
	if ([...input].length <= 1 || key.ctrl || key.meta || key.paste) return [press];
	return [...input].map((char) => ({input: char, key: {}}));
}
