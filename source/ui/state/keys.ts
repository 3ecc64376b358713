// Key presses as the reducer sees them, and the key-binding tables (one per scope). The key bus
// routes a press to the highest-priority scope that binds it: dialogs > panes > globals.
import type {Key} from 'ink';

export interface KeyPress {
	input: string;
	key: Partial<Key>;
}

/** A stable name for a press: 'ctrl+c', 'up', 'return', 'escape', 'j', 'G', ... */
export function keyName({input, key}: KeyPress): string {
	if (key.ctrl && input) return `ctrl+${input.toLowerCase()}`;
	if (key.upArrow) return 'up';
	if (key.downArrow) return 'down';
	if (key.leftArrow) return 'left';
	if (key.rightArrow) return 'right';
	if (key.pageUp) return 'pageup';
	if (key.pageDown) return 'pagedown';
	if (key.home) return 'home';
	if (key.end) return 'end';
	if (key.return) return 'return';
	if (key.escape) return 'escape';
	if (key.tab) return key.shift ? 'shift+tab' : 'tab';
	if (key.backspace || key.delete) return 'backspace';
	if (input === '\r' || input === '\n') return 'return';
	if (input === ' ') return 'space';
	return input;
}

export type Binding<A extends string> = {keys: readonly string[]; action: A; help?: string};

export function lookup<A extends string>(table: readonly Binding<A>[], name: string): A | undefined {
	for (const binding of table) if (binding.keys.includes(name)) return binding.action;
	return undefined;
}

export type GlobalAction = 'interrupt' | 'focus-next' | 'escape';
export const GLOBAL_KEYS: readonly Binding<GlobalAction>[] = [
	{keys: ['ctrl+c'], action: 'interrupt', help: 'cancel the running completion; twice when idle: quit'},
	{keys: ['tab', 'shift+tab'], action: 'focus-next', help: 'switch focus between the input and the tree'},
	{keys: ['escape'], action: 'escape', help: 'cancel a running completion / close a view'},
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
	{keys: ['pageup'], action: 'scroll-up', help: 'scroll the chat'},
	{keys: ['pagedown'], action: 'scroll-down'},
];

/** One control character as the key press a terminal would have reported for it alone. */
function controlPress(char: string): KeyPress {
	const code = char.charCodeAt(0);
	if (char === '\r' || char === '\n') return {input: '', key: {return: true}};
	if (char === '\t') return {input: '', key: {tab: true}};
	if (char === '\x7f' || char === '\b') return {input: '', key: {delete: true}};
	if (code >= 1 && code <= 26) return {input: String.fromCharCode(code + 96), key: {ctrl: true}};
	return {input: '', key: {}};
}

/**
 * Splits a chunk the terminal delivered at once (fast typing, tmux send-keys) into presses: each
 * control character on its own, printable runs kept together (or one character each, `single`).
 */
export function splitPress(press: KeyPress, single = true): KeyPress[] {
	const {input, key} = press;
	if (input.length <= 1 || key.ctrl || key.meta) return [press];
	const out: KeyPress[] = [];
	for (const part of input.match(/[\x00-\x1f\x7f]|[^\x00-\x1f\x7f]+/g) ?? []) {
		if (/^[\x00-\x1f\x7f]$/.test(part)) out.push(controlPress(part));
		else if (single) for (const char of part) out.push({input: char, key: {}});
		else out.push({input: part, key: {}});
	}
	return out;
}

/** A chunk with text and a line break followed by more (text, or a tab-indented line) reads as a
 * paste: it goes to the input whole. Text then one final Enter is typing, not a paste. */
export const looksPasted = (input: string) => /[^\x00-\x1f]/.test(input) && /[\r\n]+[^\r\n]/.test(input);
