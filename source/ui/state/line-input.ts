// The chat input's editing state, owned by the app reducer (not by a component) so that several
// keys arriving in one tick (typing then Enter, as tmux and fast typists send them) all land.
// Multi-line; the cursor moves by grapheme clusters; editing follows readline's conventions
// (Ctrl+A/E/K/U/W/Y, Alt+B/F/D, Alt+Backspace); a large paste stands in the text as one
// placeholder character and is expanded, whole, when the input is sent.
import {
	isPlaceholder,
	layoutInput,
	nextBoundary,
	offsetAtColumn,
	PLACEHOLDER_BASE,
	prevBoundary,
	snapBoundary,
} from './input-layout.js';

export interface LineInputState {
	/** The text, with '\n' between lines and one placeholder character per large paste. */
	readonly value: string;
	/** Cursor position in UTF-16 units, always on a grapheme cluster boundary. */
	readonly cursor: number;
	/** Placeholder character -> the pasted text it stands for. */
	readonly pastes: ReadonlyMap<string, string>;
	/** Earlier submitted inputs, oldest first. */
	readonly history: readonly string[];
	/** Position while browsing history (history.length when not browsing). */
	readonly historyIndex: number;
	/** The unsent input kept while browsing history. */
	readonly draft: string;
	/**
	 * The last deleted text (Ctrl+K/U/W, Alt+D, Alt+Backspace, a paste's placeholder), for Ctrl+Y,
	 * with its placeholders and the pastes they stand for. Consecutive kills join into one, as in
	 * readline and Emacs: a backward kill goes before the earlier ones, a forward kill after.
	 */
	readonly killed: Typed;
	/** Whether the last edit was a kill (so the next kill joins `killed`). */
	readonly killing: boolean;
	/**
	 * How this session's inputs with large pastes were typed, by their whole text: recalled with
	 * Up, one comes back as it was (`Q: ` and its [pasted 120 lines]), not as one big paste.
	 */
	readonly typed: ReadonlyMap<string, Typed>;
}

/** An input's text with its placeholders, and the pastes they stand for. */
export interface Typed {
	readonly value: string;
	readonly pastes: ReadonlyMap<string, string>;
}

/** A paste longer than this (lines or characters) is shown as a placeholder. */
export const PASTE_PLACEHOLDER_LINES = 8;
export const PASTE_PLACEHOLDER_CHARS = 800;
/** Inputs kept for Up/Down. */
export const HISTORY_LIMIT = 500;

const NO_PASTES: ReadonlyMap<string, string> = new Map();

const NO_TYPED: ReadonlyMap<string, Typed> = new Map();

const NOTHING: Typed = {value: '', pastes: NO_PASTES};

export const emptyInput = (history: readonly string[] = [], killed = NOTHING, typed = NO_TYPED): LineInputState => ({
	value: '',
	cursor: 0,
	pastes: NO_PASTES,
	history,
	historyIndex: history.length,
	draft: '',
	killed,
	killing: false,
	typed,
});

/** The input emptied after its text went into `history`; how it was typed is kept while the history holds it. */
function emptiedInto(state: LineInputState, history: readonly string[], text: string): LineInputState {
	let typed = state.typed;
	if (state.pastes.size > 0 && text.trim()) typed = new Map([...typed, [text, {value: state.value, pastes: state.pastes}]]);
	if (typed.size > 0) {
		const held = new Set(history);
		for (const key of typed.keys()) {
			if (held.has(key)) continue;
			typed = new Map([...typed].filter(([other]) => held.has(other)));
			break;
		}
	}
	return emptyInput(history, state.killed, typed.size === 0 ? NO_TYPED : typed);
}

// C0 and C1 controls other than line breaks and tabs: typed, one is a key the decoder did not
// name, never text. A paste keeps them: its text is what the user copied.
const TYPED_CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
// Our own placeholder range (Unicode's planes 15 and 16, private use): a text holding one enters as
// a paste of its own, so no character of the value but a placeholder is ever in it.
const PRIVATE_PLANES = /[\u{f0000}-\u{10ffff}]/u;

/** Line breaks as the input keeps them: CR LF and the CR a terminal sends for one are '\n'. */
const withLineBreaks = (text: string) => text.replace(/\r\n?/g, '\n');

/**
 * Typed text as it enters the input: line breaks normalised and control characters (keys, not
 * text) dropped. Everything else stays, format characters too (a bidi mark, a zero-width joiner):
 * the input box draws each character through `printable`, as the rest of the app does.
 */
export function cleanText(text: string): string {
	return withLineBreaks(text).replace(TYPED_CONTROLS, '');
}

/** A paste the input shows as one `[pasted 120 lines]` placeholder (over 8 lines or 800 characters). */
export const isLargePaste = (text: string) => text.length > PASTE_PLACEHOLDER_CHARS || text.split('\n').length > PASTE_PLACEHOLDER_LINES;
const isLarge = isLargePaste;

function setValue(state: LineInputState, value: string, cursor: number): LineInputState {
	const clamped = snapBoundary(value, Math.max(0, Math.min(value.length, cursor)));
	// Placeholders whose character was deleted are forgotten.
	let pastes = state.pastes;
	if (pastes.size > 0) {
		for (const mark of pastes.keys()) {
			if (!value.includes(mark)) {
				const next = new Map(pastes);
				for (const key of next.keys()) if (!value.includes(key)) next.delete(key);
				pastes = next.size === 0 ? NO_PASTES : next;
				break;
			}
		}
	}
	const left = state.historyIndex !== state.history.length && value !== state.value;
	return {...state, value, cursor: clamped, pastes, killing: false, ...(left ? {historyIndex: state.history.length, draft: ''} : {})};
}

function replaceRange(state: LineInputState, from: number, to: number, text: string): LineInputState {
	return setValue(state, state.value.slice(0, from) + text + state.value.slice(to), from + text.length);
}

/** `piece` with each placeholder renamed to one that `taken` does not use. */
function renamed(piece: Typed, taken: ReadonlyMap<string, string>): Typed {
	if (piece.pastes.size === 0) return piece;
	const pastes = new Map(taken);
	let value = piece.value;
	let code = PLACEHOLDER_BASE;
	for (const [mark, text] of piece.pastes) {
		while (pastes.has(String.fromCodePoint(code)) || piece.pastes.has(String.fromCodePoint(code))) code++;
		const fresh = String.fromCodePoint(code++);
		value = value.split(mark).join(fresh);
		pastes.set(fresh, text);
	}
	for (const mark of taken.keys()) pastes.delete(mark);
	return {value, pastes};
}

/** The text between `from` and `to`, with the pastes its placeholders stand for. */
function pieceOf(state: LineInputState, from: number, to: number): Typed {
	const value = state.value.slice(from, to);
	const pastes = new Map([...state.pastes].filter(([mark]) => value.includes(mark)));
	return {value, pastes: pastes.size === 0 ? NO_PASTES : pastes};
}

/**
 * Deletes `from`..`to` onto the kill ring. Right after another kill it joins that one (readline's
 * and Emacs's rule), before it when this kill goes back from the cursor, after it otherwise.
 */
function kill(state: LineInputState, from: number, to: number, chained: boolean): LineInputState {
	if (from === to) return {...state, killing: chained};
	const piece = renamed(pieceOf(state, from, to), chained ? state.killed.pastes : NO_PASTES);
	let killed = piece;
	if (chained) {
		const pastes = new Map([...state.killed.pastes, ...piece.pastes]);
		const backward = to === state.cursor;
		killed = {value: backward ? piece.value + state.killed.value : state.killed.value + piece.value, pastes: pastes.size === 0 ? NO_PASTES : pastes};
	}
	return {...replaceRange(state, from, to, ''), killed, killing: true};
}

/** Puts the last kill back at the cursor: its text as text, each paste as its own placeholder. */
function yank(state: LineInputState): LineInputState {
	if (!state.killed.value) return state;
	const piece = renamed(state.killed, state.pastes);
	const withPastes = piece.pastes.size === 0 ? state : {...state, pastes: new Map([...state.pastes, ...piece.pastes])};
	return replaceRange(withPastes, state.cursor, state.cursor, piece.value);
}

/** Inserts typed text at the cursor. */
export function insertText(state: LineInputState, text: string): LineInputState {
	const clean = cleanText(text);
	if (!clean) return state;
	if (PRIVATE_PLANES.test(clean)) return insertPaste(state, clean);
	return replaceRange(state, state.cursor, state.cursor, clean);
}

/**
 * Inserts pasted text whole: every character kept (escape sequences, controls, bidi overrides:
 * the value is what is sent; only the input box's drawing leaves them out), line breaks
 * normalised. A large one, or one holding a character of the placeholder range, as one placeholder.
 */
export function insertPaste(state: LineInputState, text: string): LineInputState {
	const whole = withLineBreaks(text);
	if (!whole) return state;
	// Right after a placeholder (a long paste that arrived in pieces): one paste, one placeholder.
	const before = state.value.slice(prevBoundary(state.value, state.cursor), state.cursor);
	const held = state.pastes.get(before);
	if (held !== undefined) return {...state, pastes: new Map([...state.pastes, [before, held + whole]]), killing: false};
	if (!isLarge(whole) && !PRIVATE_PLANES.test(whole)) return replaceRange(state, state.cursor, state.cursor, whole);
	let code = PLACEHOLDER_BASE;
	while (state.pastes.has(String.fromCodePoint(code))) code++;
	const mark = String.fromCodePoint(code);
	const next = replaceRange({...state, pastes: new Map([...state.pastes, [mark, whole]])}, state.cursor, state.cursor, mark);
	return next;
}

/** The value with every placeholder replaced by its pasted text. */
function expand(value: string, pastes: ReadonlyMap<string, string>): string {
	if (pastes.size === 0) return value;
	// One pass over the value: a pasted text may hold characters of the placeholder range itself.
	return value.replace(/[\u{f0000}-\u{10ffff}]/gu, (mark) => pastes.get(mark) ?? mark);
}

/** The whole text the input holds, as it would be sent. */
export const inputText = (state: LineInputState) => expand(state.value, state.pastes);

/** A text as the input's content (a large one collapsed to a placeholder again). */
export function withText(state: LineInputState, text: string): LineInputState {
	const base: LineInputState = {...state, value: '', cursor: 0, pastes: NO_PASTES, killing: false};
	if (isLarge(text) || PRIVATE_PLANES.test(text)) return insertPaste(base, text);
	const value = withLineBreaks(text);
	return {...base, value, cursor: value.length};
}

/** Sends the input: the expanded text, and a fresh input that remembers it in its history. */
export function submitInput(state: LineInputState): {state: LineInputState; submitted: string} {
	const text = inputText(state);
	const history = text.trim() && state.history[state.history.length - 1] !== text ? [...state.history, text].slice(-HISTORY_LIMIT) : state.history;
	return {state: emptiedInto(state, history, text), submitted: text};
}

/** Clears the input (Ctrl+C); the text goes into the history, so Up brings it back. */
export function clearInput(state: LineInputState): LineInputState {
	const text = inputText(state);
	if (!text.trim()) return emptiedInto(state, state.history, text);
	const history = state.history[state.history.length - 1] === text ? state.history : [...state.history, text].slice(-HISTORY_LIMIT);
	return emptiedInto(state, history, text);
}

/** Earlier inputs loaded from disk go before this session's. */
export function withHistory(state: LineInputState, earlier: readonly string[]): LineInputState {
	const history = [...earlier, ...state.history].slice(-HISTORY_LIMIT);
	const browsing = state.historyIndex !== state.history.length;
	return {...state, history, historyIndex: browsing ? state.historyIndex + history.length - state.history.length : history.length};
}

function browse(state: LineInputState, delta: number): LineInputState {
	const index = Math.max(0, Math.min(state.history.length, state.historyIndex + delta));
	if (index === state.historyIndex) return state;
	const leaving = state.historyIndex === state.history.length;
	const draft = leaving ? inputText(state) : state.draft;
	// The draft's pastes come back with it (kept by its text until the next send or clear).
	const known = leaving && state.pastes.size > 0 ? new Map([...state.typed, [draft, {value: state.value, pastes: state.pastes}]]) : state.typed;
	const text = index === state.history.length ? draft : state.history[index]!;
	const typed = known.get(text);
	const next = typed ? {...state, value: typed.value, cursor: typed.value.length, pastes: typed.pastes} : withText(state, text);
	return {...next, historyIndex: index, draft, typed: known};
}

const isWordChar = (cluster: string) => /[\p{L}\p{N}_]/u.test(cluster) || isPlaceholder(cluster);

/** Clusters of the current line before/after the cursor, for word motions. */
function wordLeft(value: string, cursor: number, isWord: (cluster: string) => boolean): number {
	let at = cursor;
	while (at > 0) {
		const before = prevBoundary(value, at);
		if (isWord(value.slice(before, at))) break;
		at = before;
	}
	while (at > 0) {
		const before = prevBoundary(value, at);
		if (!isWord(value.slice(before, at))) break;
		at = before;
	}
	return at;
}

function wordRight(value: string, cursor: number, isWord: (cluster: string) => boolean): number {
	let at = cursor;
	while (at < value.length) {
		const after = nextBoundary(value, at);
		if (isWord(value.slice(at, after))) break;
		at = after;
	}
	while (at < value.length) {
		const after = nextBoundary(value, at);
		if (!isWord(value.slice(at, after))) break;
		at = after;
	}
	return at;
}

const lineStart = (value: string, cursor: number) => value.lastIndexOf('\n', cursor - 1) + 1;
const lineEnd = (value: string, cursor: number) => {
	const end = value.indexOf('\n', cursor);
	return end === -1 ? value.length : end;
};

export type EditAction =
	| 'left'
	| 'right'
	| 'word-left'
	| 'word-right'
	| 'line-start'
	| 'line-end'
	| 'up'
	| 'down'
	| 'backspace'
	| 'delete'
	| 'kill-word-back'
	| 'kill-space-word-back'
	| 'kill-word-forward'
	| 'kill-to-end'
	| 'kill-to-start'
	| 'yank'
	| 'newline';

/**
 * Applies one editing action. `width` is the input's text width in columns: Up and Down move by
 * the rows the input is drawn in, and step through the history from the first and last row.
 */
export function editInput(current: LineInputState, action: EditAction, width: number): LineInputState {
	// Any edit but a kill ends a run of kills.
	const chained = current.killing;
	const state = chained ? {...current, killing: false} : current;
	const {value, cursor} = state;
	switch (action) {
		case 'left':
			return {...state, cursor: prevBoundary(value, cursor)};
		case 'right':
			return {...state, cursor: nextBoundary(value, cursor)};
		case 'word-left':
			return {...state, cursor: wordLeft(value, cursor, isWordChar)};
		case 'word-right':
			return {...state, cursor: wordRight(value, cursor, isWordChar)};
		case 'line-start':
			return {...state, cursor: lineStart(value, cursor)};
		case 'line-end':
			return {...state, cursor: lineEnd(value, cursor)};
		case 'up':
		case 'down': {
			const layout = layoutInput(value, cursor, state.pastes, width);
			const target = layout.cursorRow + (action === 'up' ? -1 : 1);
			if (target < 0) return browse(state, -1);
			if (target >= layout.rows.length) return browse(state, 1);
			return {...state, cursor: offsetAtColumn(layout.rows[target]!, layout.cursorColumn)};
		}
		// A paste's placeholder goes as a kill does: Ctrl+Y puts the paste back.
		case 'backspace': {
			if (cursor === 0) return state;
			const from = prevBoundary(value, cursor);
			return state.pastes.has(value.slice(from, cursor)) ? kill(state, from, cursor, chained) : replaceRange(state, from, cursor, '');
		}
		case 'delete': {
			if (cursor >= value.length) return state;
			const to = nextBoundary(value, cursor);
			return state.pastes.has(value.slice(cursor, to)) ? kill(state, cursor, to, chained) : replaceRange(state, cursor, to, '');
		}
		case 'kill-word-back':
			return kill(state, wordLeft(value, cursor, isWordChar), cursor, chained);
		case 'kill-space-word-back':
			// Ctrl+W (unix-word-rubout): back to the previous whitespace.
			return kill(state, wordLeft(value, cursor, (cluster) => !/\s/u.test(cluster)), cursor, chained);
		case 'kill-word-forward':
			return kill(state, cursor, wordRight(value, cursor, isWordChar), chained);
		case 'kill-to-end': {
			const end = lineEnd(value, cursor);
			// At the end of a line, Ctrl+K joins the next line (as Emacs does).
			return kill(state, cursor, end === cursor && end < value.length ? end + 1 : end, chained);
		}
		case 'kill-to-start':
			return kill(state, lineStart(value, cursor), cursor, chained);
		case 'yank':
			return yank(state);
		case 'newline':
			return replaceRange(state, cursor, cursor, '\n');
	}
}
