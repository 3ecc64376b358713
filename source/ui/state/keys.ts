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

export type Binding<A extends string> = {keys: readonly string[]; action: A; help?: string};

export function lookup<A extends string>(table: readonly Binding<A>[], name: string): A | undefined {
	for (const binding of table) if (binding.keys.includes(name)) return binding.action;
	return undefined;
}

export type GlobalAction = 'interrupt' | 'focus-next' | 'escape' | 'suspend';
export const GLOBAL_KEYS: readonly Binding<GlobalAction>[] = [
	{keys: ['escape'], action: 'escape', help: 'close the open view; else cancel the running answer (one press never does both)'},
	{keys: ['ctrl+c'], action: 'interrupt', help: 'close the open view; else cancel the running answer; else clear the input (Up brings it back); on an empty input, twice within 2 s: quit'},
	{keys: ['ctrl+z'], action: 'suspend', help: 'suspend to the shell (fg comes back)'},
	{keys: ['tab', 'shift+tab'], action: 'focus-next', help: 'switch focus between the input and the tree'},
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
	| 'page-down';
export const TREE_KEYS: readonly Binding<TreeAction>[] = [
	{keys: ['up', 'k'], action: 'up', help: 'move up'},
	{keys: ['down', 'j'], action: 'down', help: 'move down'},
	{keys: ['right', 'l'], action: 'expand', help: 'expand / step in'},
	{keys: ['left', 'h'], action: 'collapse', help: 'collapse / go to parent'},
	{keys: ['return'], action: 'enter', help: 'expand, or open the detail view'},
	{keys: ['o', 'space'], action: 'open', help: 'open the detail view'},
	{keys: ['g', 'home'], action: 'top', help: 'first row'},
	{keys: ['G', 'end'], action: 'bottom', help: 'last row (and follow the newest)'},
	{keys: ['pageup'], action: 'page-up'},
	{keys: ['pagedown'], action: 'page-down'},
];

export type DetailAction = 'close' | 'line-up' | 'line-down' | 'page-up' | 'page-down' | 'top' | 'bottom';
export const DETAIL_KEYS: readonly Binding<DetailAction>[] = [
	{keys: ['escape', 'q', 'return'], action: 'close', help: 'close'},
	{keys: ['up', 'k'], action: 'line-up'},
	{keys: ['down', 'j'], action: 'line-down'},
	{keys: ['pageup', 'b'], action: 'page-up', help: 'page up'},
	{keys: ['pagedown', 'space'], action: 'page-down', help: 'page down'},
	{keys: ['g', 'home'], action: 'top'},
	{keys: ['G', 'end'], action: 'bottom'},
];

export type PickerAction = 'close' | 'up' | 'down' | 'page-up' | 'page-down' | 'pick';
export const PICKER_KEYS: readonly Binding<PickerAction>[] = [
	{keys: ['escape'], action: 'close'},
	{keys: ['up', 'ctrl+p'], action: 'up'},
	{keys: ['down', 'ctrl+n'], action: 'down'},
	{keys: ['pageup'], action: 'page-up'},
	{keys: ['pagedown'], action: 'page-down'},
	{keys: ['return'], action: 'pick'},
];

export type ChatAction = 'scroll-up' | 'scroll-down';
export const CHAT_KEYS: readonly Binding<ChatAction>[] = [
	{keys: ['pageup'], action: 'scroll-up', help: 'scroll the chat (the mouse wheel scrolls the pane under the pointer)'},
	{keys: ['pagedown'], action: 'scroll-down'},
];

export type InputAction = EditAction | 'submit' | 'delete-or-quit';
/** The chat input's editing keys (readline's conventions). Printable keys and pastes insert. */
export const INPUT_KEYS: readonly Binding<InputAction>[] = [
	{keys: ['return'], action: 'submit', help: 'send the question or command'},
	{keys: ['shift+return', 'alt+return', 'ctrl+j'], action: 'newline', help: 'new line (a paste keeps its line breaks)'},
	{keys: ['up', 'ctrl+p'], action: 'up', help: 'line up; on the first line: earlier inputs (kept across restarts)'},
	{keys: ['down', 'ctrl+n'], action: 'down', help: 'line down; on the last line: later inputs'},
	{keys: ['left', 'ctrl+b'], action: 'left', help: 'one character (an emoji is one)'},
	{keys: ['right', 'ctrl+f'], action: 'right'},
	{keys: ['alt+left', 'ctrl+left', 'alt+b'], action: 'word-left', help: 'one word back'},
	{keys: ['alt+right', 'ctrl+right', 'alt+f'], action: 'word-right', help: 'one word forward'},
	{keys: ['home', 'ctrl+a'], action: 'line-start', help: 'start of the line'},
	{keys: ['end', 'ctrl+e'], action: 'line-end', help: 'end of the line'},
	{keys: ['backspace', 'shift+backspace'], action: 'backspace', help: 'delete backwards'},
	{keys: ['delete'], action: 'delete', help: 'delete forwards'},
	{keys: ['ctrl+d'], action: 'delete-or-quit', help: 'delete forwards; on an empty input: quit'},
	{keys: ['alt+backspace', 'ctrl+backspace'], action: 'kill-word-back', help: 'delete the word before the cursor'},
	{keys: ['ctrl+w'], action: 'kill-space-word-back', help: 'delete back to the previous space'},
	{keys: ['alt+d', 'ctrl+delete', 'alt+delete'], action: 'kill-word-forward', help: 'delete the word after the cursor'},
	{keys: ['ctrl+k'], action: 'kill-to-end', help: 'delete to the end of the line'},
	{keys: ['ctrl+u'], action: 'kill-to-start', help: 'delete to the start of the line'},
	{keys: ['ctrl+y'], action: 'yank', help: 'put back the last deleted text'},
];

/** Splits a run of typed text into one press per character (for keys outside the chat input). */
export function splitText(press: KeyPress): KeyPress[] {
	const {input, key} = press;
	if ([...input].length <= 1 || key.ctrl || key.meta || key.paste) return [press];
	return [...input].map((char) => ({input: char, key: {}}));
}
