// The chat input's editing state, owned by the app reducer (not by a component) so that several
// keys arriving in one tick (typing then Enter, as tmux and fast typists send them) all land.
import type {KeyPress} from './keys.js';

export interface LineInputState {
	readonly value: string;
	/** Cursor position in UTF-16 units, 0..value.length. */
	readonly cursor: number;
	/** Earlier submitted lines, oldest first. */
	readonly history: readonly string[];
	/** Position while browsing history (history.length when not browsing). */
	readonly historyIndex: number;
	/** The unsent line kept while browsing history. */
	readonly draft: string;
}

export const emptyInput = (history: readonly string[] = []): LineInputState => ({
	value: '',
	cursor: 0,
	history,
	historyIndex: history.length,
	draft: '',
});

export type InputResult = {state: LineInputState; submitted?: string};

const set = (state: LineInputState, value: string, cursor: number): LineInputState => ({
	...state,
	value,
	cursor: Math.max(0, Math.min(value.length, cursor)),
});

function insert(state: LineInputState, text: string): LineInputState {
	if (!text) return state;
	return set(state, state.value.slice(0, state.cursor) + text + state.value.slice(state.cursor), state.cursor + text.length);
}

function backspace(state: LineInputState): LineInputState {
	if (state.cursor === 0) return state;
	let cut = 1;
	const code = state.value.charCodeAt(state.cursor - 1);
	if (code >= 0xdc00 && code <= 0xdfff && state.cursor >= 2) cut = 2;
	return set(state, state.value.slice(0, state.cursor - cut) + state.value.slice(state.cursor), state.cursor - cut);
}

function deleteWord(state: LineInputState): LineInputState {
	const before = state.value.slice(0, state.cursor).replace(/\S+\s*$/, '');
	return set(state, before + state.value.slice(state.cursor), before.length);
}

function submit(state: LineInputState): InputResult {
	const line = state.value;
	const history = line.trim() && state.history[state.history.length - 1] !== line ? [...state.history, line].slice(-200) : state.history;
	return {state: emptyInput(history), submitted: line};
}

function browse(state: LineInputState, delta: number): LineInputState {
	const index = Math.max(0, Math.min(state.history.length, state.historyIndex + delta));
	if (index === state.historyIndex) return state;
	const draft = state.historyIndex === state.history.length ? state.value : state.draft;
	const value = index === state.history.length ? draft : state.history[index]!;
	return {...state, value, cursor: value.length, historyIndex: index, draft};
}

/**
 * Applies one key press (or a run of typed text). Text containing newlines: a trailing newline
 * submits; newlines inside pasted text become spaces.
 */
export function inputKey(state: LineInputState, press: KeyPress): InputResult {
	const {key, input} = press;
	if (key.return) return submit(state);
	if (key.ctrl) {
		switch (input) {
			case 'a':
				return {state: set(state, state.value, 0)};
			case 'e':
				return {state: set(state, state.value, state.value.length)};
			case 'u':
				return {state: set(state, state.value.slice(state.cursor), 0)};
			case 'k':
				return {state: set(state, state.value.slice(0, state.cursor), state.cursor)};
			case 'w':
				return {state: deleteWord(state)};
			case 'b':
				return {state: set(state, state.value, state.cursor - 1)};
			case 'f':
				return {state: set(state, state.value, state.cursor + 1)};
			default:
				return {state};
		}
	}
	if (key.backspace || key.delete) return {state: backspace(state)};
	if (key.leftArrow) return {state: set(state, state.value, state.cursor - 1)};
	if (key.rightArrow) return {state: set(state, state.value, state.cursor + 1)};
	if (key.home) return {state: set(state, state.value, 0)};
	if (key.end) return {state: set(state, state.value, state.value.length)};
	if (key.upArrow) return {state: browse(state, -1)};
	if (key.downArrow) return {state: browse(state, 1)};
	if (key.meta || key.tab || key.escape || key.pageUp || key.pageDown) return {state};
	return typeText(state, input);
}

function typeText(state: LineInputState, text: string): InputResult {
	let current = state;
	const normalized = text.replace(/\r\n/g, '\n').replace(/\r/g, '\n');
	const trailingSubmit = normalized.endsWith('\n');
	const body = trailingSubmit ? normalized.replace(/\n+$/, '') : normalized;
	let chunk = '';
	for (const char of body) {
		if (char === '\x7f' || char === '\b') {
			current = backspace(insert(current, chunk));
			chunk = '';
		} else if (char === '\n' || char === '\t') {
			chunk += ' ';
		} else if (char >= ' ') {
			chunk += char;
		}
	}
	current = insert(current, chunk);
	if (current !== state && current.historyIndex !== current.history.length) {
		current = {...current, historyIndex: current.history.length, draft: ''};
	}
	return trailingSubmit ? submit(current) : {state: current};
}
