// The one state owner of the TUI: a pure reducer over key presses, engine events and effect
// results. Keys are routed here, in priority order (dialogs > panes > globals), so several keys
// arriving in one tick each see the state the previous one left. Side effects (start a completion,
// save settings, exit) are queued as effects that the app runs after the render.
import type {RlmEvent, RlmEventOf} from '../../protocol/events.js';
import {unansweredWords, type ResumeTurn} from '../../trajectory/resume.js';
import type {BackendName} from '../../protocol/backends.js';
import {findRun, getNode, type RunNode} from '../../trajectory/tree.js';
import {COMMANDS, parseCommandLine, type CommandLine} from '../commands/index.js';
import {pickModel} from '../commands/model.js';
import {detailLines} from '../detail.js';
import {formatMs, formatTokens} from '../../text/units.js';
import {entryLines} from '../chat-lines.js';
import {failureText, sentence} from '../advice.js';
import {helpLines} from '../help-lines.js';
import {safeEvent} from '../../text/safe-text.js';
import {printable, printableMarkedLine} from '../../text/printable.js';
import {
	CHAT_KEYS,
	DETAIL_KEYS,
	GLOBAL_KEYS,
	HELP_KEYS,
	hint,
	INPUT_KEYS,
	keyLabel,
	keyName,
	lookup,
	MOUSE_KEYS,
	OVER_VIEWS,
	PICKER_KEYS,
	splitText,
	TIMELINE_KEYS,
	TREE_KEYS,
	type DetailAction,
	type HelpAction,
	type KeyPress,
} from './keys.js';
import type {InputEvent} from './key-decoder.js';
import {computeLayout, inputMaxRows, inputWidth, type Layout} from './layout.js';
import {layoutInput, pasteLabel} from './input-layout.js';
import {
	clearInput,
	editInput,
	emptyInput,
	insertPaste,
	insertText,
	inputText,
	isLargePaste,
	submitInput,
	withHistory,
	withText,
	type EditAction,
	type LineInputState,
} from './line-input.js';
import {
	applyEvents,
	collapseOrParent,
	emptyTreeView,
	enterWouldExpand,
	expandCursor,
	expandOrEnter,
	jumpTo,
	moveCursor,
	resized,
	setAllExpanded,
	setFilter,
} from './tree-view.js';
import type {AppAction, AppState, ChatEntry, CompletionSummary, ModelPickerDialog, QueuedQuestion, SessionConfig} from './types.js';
import {questionPreview} from '../question-preview.js';
import {addChat, insertChat, openHelp, withEffect} from './updates.js';
import {warnInChat} from './chat-warnings.js';
import type {Size} from './layout.js';

export type * from './types.js';
export {addChat} from './updates.js';

export interface InitialStateOptions {
	size: Size;
	config: SessionConfig;
	notices?: readonly string[];
	/** A line saying what is under way from the start (--resume: opening the last session), until 'progress-done'. */
	progress?: string;
	/** A logged trajectory to explore read-only (--replay). */
	replay?: {title: string; events: readonly RlmEvent[]};
}

export function initialAppState({size, config, notices = [], progress, replay}: InitialStateOptions): AppState {
	let state: AppState = {
		size,
		layout: computeLayout(size),
		focus: 'input',
		input: emptyInput(),
		chat: [],
		nextChatId: 1,
		chatScroll: 0,
		tree: emptyTreeView(),
		dialog: null,
		running: null,
		exitArmed: null,
		flash: null,
		escClosedAt: -Infinity,
		refusedLine: null,
		mouse: true,
		treeSearch: null,
		config,
		effects: [],
		effectSeq: 0,
	};
	for (const notice of notices) state = addChat(state, 'notice', notice);
	if (progress !== undefined) state = addChat(state, 'info', progress, {progress: true});
	if (replay) state = loadReplay(state, replay.title, replay.events);
	return state;
}

/** Fills the tree with a logged run and the chat with its questions and answers. */
function loadReplay(state: AppState, title: string, events: readonly RlmEvent[]): AppState {
	let next: AppState = addChat(
		{...state, readOnly: title, focus: 'tree'},
		'info',
		`Replay of ${title} (read-only). The tree has focus: ${hint(TREE_KEYS, ['down', 'up'], 'move')}, ${hint(TREE_KEYS, ['expand', 'collapse'], 'open and close')}, ${keyLabel(TREE_KEYS, 'enter')} for details, ${hint(TIMELINE_KEYS, ['back', 'forward'], 'step through the run event by event')} (${hint(TIMELINE_KEYS, ['back-tenth', 'forward-tenth'], 'by tenths')}). ${replayCommands()} work: ${keyLabel(TREE_KEYS, 'command')} starts one from the tree (/ there filters the rows).`,
	);
	const safe = events.map(safeEvent);
	let tree = applyEvents(next.tree, safe, next.layout.treeRows);
	tree = moveCursor(tree, 'top', next.layout.treeRows);
	next = {...next, tree: {...tree, follow: false}, timeline: {events: safe, at: safe.length}};
	let elapsed = 0;
	for (const event of events) {
		if (event.type === 'run.start' && event.parentCallId === undefined && event.depth === 0) {
			next = addChat(next, 'user', event.question || '(no question)', questionShown(event.question));
			next = {...next, config: {...next.config, backend: (event.backend || next.config.backend) as BackendName, model: event.model || next.config.model, maxIterations: event.maxIterations || next.config.maxIterations}};
		}
		if (event.type === 'run.done' && getNode(next.tree.traj, next.tree.traj.runIndex.get(event.runId) ?? -1)?.parent === -1) {
			// A run its log ends in: how long it ran is not known.
			if (event.status !== 'unfinished') elapsed += event.ms;
			next = turnOutcome(next, runDoneSummary(event));
		}
	}
	return {...next, lastElapsed: elapsed};
}

/** A question as the chat shows it: a large paste by its label, as it was typed in. */
const questionShown = (question: string) => (isLargePaste(question) ? {shown: questionPreview(question)} : {});

/** A logged root run's end as the summary a live completion gives the chat. */
function runDoneSummary(event: RlmEventOf<'run.done'>): CompletionSummary {
	return {
		runId: event.runId,
		status: event.status,
		response: event.answer,
		iterations: event.iterations,
		ms: event.ms,
		usage: event.usage,
		...(event.error ? {error: event.error} : {}),
		...(event.errorCode ? {errorCode: event.errorCode} : {}),
	};
}

/**
 * A turn a resume brought back (--resume, /resume), as the live session showed it: its question,
 * its tree from its log's events, and its end as a live completion's (an answer with its status
 * line; a cancelled or limited run's best answer so far), from its root run's logged end. A run
 * that failed, or that its log ends in (the process was killed), or that never started, says so.
 */
function resumedTurn(state: AppState, turn: ResumeTurn, events: readonly RlmEvent[]): AppState {
	let next = addChat(state, 'user', turn.question, questionShown(turn.question));
	next = warnInChat({...next, tree: applyEvents(next.tree, events, next.layout.treeRows)}, events);
	const root = events.find((event): event is RlmEventOf<'run.start'> => event.type === 'run.start' && event.depth === 0)?.runId;
	const done = events.find((event): event is RlmEventOf<'run.done'> => event.type === 'run.done' && event.runId === root);
	// The status line's time of the last question, as live (a killed run's is not known).
	if (done && done.status !== 'unfinished') next = {...next, lastElapsed: done.ms};
	if (done && turn.status !== undefined && ['answered', 'forced', 'limited', 'cancelled'].includes(done.status)) return turnOutcome(next, runDoneSummary(done));
	if (turn.answer !== null) return addChat(next, 'answer', turn.answer);
	if (turn.status === undefined) return asOutcome(addChat(next, 'notice', 'Unfinished: the session ended while this question ran (the app was closed or killed), so it has no answer.'));
	const said = `No answer: this question's run ${unansweredWords(turn.status)}`;
	return asOutcome(addChat(next, 'notice', turn.status === 'failed' && done?.error ? `${said}: ${sentence(failureText(done))}` : `${said}, so it has no answer.`));
}

/** The picker's filter text. */
export const pickerFilter = (dialog: ModelPickerDialog) => inputText(dialog.filter).trim();

/** The backend's aliases the picker lists (alias to model id): those the server's list does not name as models. */
export function pickerAliases(dialog: ModelPickerDialog): Array<[alias: string, id: string]> {
	return Object.entries(dialog.aliases ?? {}).filter(([alias]) => !dialog.models.includes(alias));
}

/** Listed models, then aliases, that match the filter (case-insensitive substring; an alias by its name or its model id). */
export function pickerMatches(dialog: ModelPickerDialog): string[] {
	const filter = pickerFilter(dialog).toLowerCase();
	// Matched as the picker draws it (a mark where a hidden character was: printable.ts), and as
	// without the marks, so `gpt-4o` finds its look-alikes and `<U+` every id that hides a character.
	const matches = (text: string) => !filter || printable(text).toLowerCase().includes(filter) || printableMarkedLine(text).toLowerCase().includes(filter);
	return [...dialog.models.filter(matches), ...pickerAliases(dialog).filter(([alias, id]) => matches(alias) || matches(id)).map(([alias]) => alias)];
}

/** How many rows the picker lists before filtering: the server's models and the aliases. */
export const pickerTotal = (dialog: ModelPickerDialog) => dialog.models.length + pickerAliases(dialog).length;

/** Model names in the picker after filtering; the typed filter is offered too when not listed. */
export function pickerRows(dialog: ModelPickerDialog): string[] {
	const rows = pickerMatches(dialog);
	const typed = pickerFilter(dialog);
	if (typed && !dialog.models.includes(typed) && !Object.hasOwn(dialog.aliases ?? {}, typed)) rows.push(typed);
	return rows;
}

/** The model id a picker row stands for: an alias's id, else the row itself. */
export const pickerModel = (dialog: ModelPickerDialog, row: string) => (!dialog.models.includes(row) && Object.hasOwn(dialog.aliases ?? {}, row) ? dialog.aliases![row]! : row);

/** Width of the detail view's text (the overlay's inside, less one column of padding each side). */
export const detailWidth = (layout: Layout) => Math.max(10, layout.overlay.innerWidth - 2);

function clampScroll(value: number, total: number, visible: number): number {
	return Math.max(0, Math.min(value, Math.max(0, total - visible)));
}

// --- key handlers, highest priority first; each returns undefined when it does not bind the key ---

type Handler = (state: AppState, press: KeyPress, name: string, now: number) => AppState | undefined;

/** A view takes every key but the global ones it lets through (Ctrl+C, Ctrl+Z). */
const passesOverViews = (name: string) => {
	const action = lookup(GLOBAL_KEYS, name);
	return action !== undefined && OVER_VIEWS.includes(action);
};

function scrollDetail(state: AppState, action: Exclude<DetailAction, 'close'>): AppState {
	const dialog = state.dialog;
	if (dialog?.type !== 'detail') return state;
	const node = getNode(state.tree.traj, dialog.nodeId);
	const total = node ? detailLines(node, detailWidth(state.layout), state.tree.traj).length : 0;
	const page = Math.max(1, state.layout.overlayRows - 1);
	const next = {
		'line-up': dialog.scroll - 1,
		'line-down': dialog.scroll + 1,
		'page-up': dialog.scroll - page,
		'page-down': dialog.scroll + page,
		top: 0,
		bottom: total,
	}[action];
	return {...state, dialog: {...dialog, scroll: clampScroll(next, total, state.layout.overlayRows)}};
}

const detailHandler: Handler = (state, press, name, now) => {
	if (state.dialog?.type !== 'detail') return undefined;
	const action = lookup(DETAIL_KEYS, name);
	if (!action) return passesOverViews(name) ? undefined : (typedIntoInput(state, press, name, now) ?? state);
	if (action === 'close') return {...state, dialog: null};
	return scrollDetail(state, action);
};

function scrollHelp(state: AppState, action: Exclude<HelpAction, 'close'>): AppState {
	const dialog = state.dialog;
	if (dialog?.type !== 'help') return state;
	const delta = {'line-up': -1, 'line-down': 1, 'page-up': -10, 'page-down': 10}[action];
	const most = Math.max(0, helpLines(detailWidth(state.layout)).length - state.layout.overlayRows);
	return {...state, dialog: {...dialog, scroll: Math.max(0, Math.min(most, dialog.scroll + delta))}};
}

const helpHandler: Handler = (state, press, name, now) => {
	if (state.dialog?.type !== 'help') return undefined;
	const action = lookup(HELP_KEYS, name);
	if (!action) return passesOverViews(name) ? undefined : (typedIntoInput(state, press, name, now) ?? state);
	if (action === 'close') return {...state, dialog: null};
	return scrollHelp(state, action);
};

function movePicker(state: AppState, action: 'up' | 'down' | 'page-up' | 'page-down'): AppState {
	const dialog = state.dialog;
	if (dialog?.type !== 'models') return state;
	const rows = pickerRows(dialog);
	const page = Math.max(1, state.layout.overlayRows - 3);
	const cursor = {up: dialog.cursor - 1, down: dialog.cursor + 1, 'page-up': dialog.cursor - page, 'page-down': dialog.cursor + page}[action];
	return {...state, dialog: {...dialog, cursor: Math.max(0, Math.min(rows.length - 1, cursor))}};
}

const pickerHandler: Handler = (state, press, name) => {
	const dialog = state.dialog;
	if (dialog?.type !== 'models') return undefined;
	if (passesOverViews(name)) return undefined;
	const action = lookup(PICKER_KEYS, name);
	switch (action) {
		case 'close':
			return {...state, dialog: null};
		case 'up':
		case 'down':
		case 'page-up':
		case 'page-down':
			return movePicker(state, action);
		case 'pick': {
			const rows = pickerRows(dialog);
			const row = rows[Math.min(dialog.cursor, rows.length - 1)];
			if (!row) return state;
			const model = pickerModel(dialog, row);
			// A typed name the list does not have: used, with the same warning as /model NAME.
			const unlisted = dialog.status === 'ready' && dialog.models.length > 0 && !dialog.models.includes(model);
			return pickModel({...state, dialog: null}, model, unlisted);
		}
		default:
			break;
	}
	// The filter is one line edited like the chat input.
	const edit = lookup(INPUT_KEYS, name);
	let filter = dialog.filter;
	if (edit === 'paste') filter = insertText(filter, press.input.split(/[\r\n]/)[0] ?? '');
	else if (edit && edit !== 'submit' && edit !== 'newline' && edit !== 'up' && edit !== 'down' && edit !== 'yank') filter = editInput(filter, edit === 'delete-or-quit' ? 'delete' : edit, 1000);
	else if (!edit && isText(press)) filter = insertText(filter, press.input);
	if (filter === dialog.filter) return state;
	return {...state, dialog: {...dialog, filter, cursor: 0}};
};

/** A press that types its input (no modifier, no named key). */
function isText({input, key}: KeyPress): boolean {
	if (!input || key.ctrl || key.meta) return false;
	return !(key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown || key.home || key.end || key.insert || key.return || key.escape || key.tab || key.backspace || key.delete);
}

/** A replay's clock: the time of the last event the tree shows (running rows count up to it). */
export function timelineClock(timeline: NonNullable<AppState['timeline']>): number {
	return timeline.at > 0 ? (timeline.events[timeline.at - 1]?.t ?? 0) : 0;
}

/** Stepping through a replay: the tree as it stood after so many events. */
const timelineHandler: Handler = (state, _press, name) => {
	const timeline = state.timeline;
	if (!timeline || state.focus !== 'tree' || state.dialog) return undefined;
	const action = lookup(TIMELINE_KEYS, name);
	if (action === undefined) return undefined;
	const total = timeline.events.length;
	const tenth = Math.max(1, Math.round(total / 10));
	const step = {back: -1, forward: 1, 'back-tenth': -tenth, 'forward-tenth': tenth}[action];
	const at = Math.min(total, Math.max(0, timeline.at + step));
	if (at === timeline.at) return state;
	const height = state.layout.treeRows;
	// Node ids are creation order, so the expand/collapse choices still point at the same nodes.
	const tree = applyEvents({...emptyTreeView(), expanded: state.tree.expanded, baseline: state.tree.baseline, filter: state.tree.filter}, timeline.events.slice(0, at), height);
	return {...state, tree: {...tree, follow: at === total ? false : tree.follow}, timeline: {...timeline, at}};
};

/** Typing the tree's filter: the rows narrow with each key; Enter keeps it, Esc clears it. */
const treeSearchHandler: Handler = (state, press, name) => {
	const search = state.treeSearch;
	if (!search || state.focus !== 'tree' || state.dialog) return undefined;
	const global = lookup(GLOBAL_KEYS, name);
	if (global && global !== 'escape') return undefined;
	const height = state.layout.treeRows;
	if (global === 'escape') return {...state, treeSearch: null, tree: setFilter(state.tree, '', height)};
	const edit = lookup(INPUT_KEYS, name);
	if (edit === 'submit') return {...state, treeSearch: null};
	let next = search;
	if (edit === 'paste') next = insertText(next, press.input.split(/[\r\n]/)[0] ?? '');
	else if (edit && edit !== 'newline' && edit !== 'up' && edit !== 'down' && edit !== 'yank') next = editInput(next, edit === 'delete-or-quit' ? 'delete' : edit, 1000);
	else if (!edit && isText(press)) next = insertText(next, press.input);
	if (next === search) return state;
	return {...state, treeSearch: next, tree: setFilter(state.tree, inputText(next), height)};
};

/** The next or previous failed or running row, or a note that there is none. */
function jump(state: AppState, target: 'error' | 'running', direction: 1 | -1, now: number): AppState {
	const {view, found} = jumpTo(state.tree, target, direction, state.layout.treeRows);
	if (found) return {...state, tree: view};
	return {...state, flash: {at: now, text: target === 'error' ? 'no failed row' : 'nothing is running'}};
}

const treeHandler: Handler = (state, press, name, now) => {
	if (state.focus !== 'tree') return undefined;
	const height = state.layout.treeRows;
	const tree = state.tree;
	// Esc with a filter set (and not being typed) clears it before anything else it would do.
	if (tree.filter && lookup(GLOBAL_KEYS, name) === 'escape') return {...state, tree: setFilter(tree, '', height)};
	const action = lookup(TREE_KEYS, name);
	switch (action) {
		case 'filter':
			return {...state, treeSearch: insertText(emptyInput(), tree.filter)};
		case 'next-error':
			return jump(state, 'error', 1, now);
		case 'previous-error':
			return jump(state, 'error', -1, now);
		case 'next-running':
			return jump(state, 'running', 1, now);
		case 'previous-running':
			return jump(state, 'running', -1, now);
		case 'collapse-all':
			return {...state, tree: setAllExpanded(tree, false, height)};
		case 'expand-all':
			return {...state, tree: setAllExpanded(tree, true, height)};
		case 'up':
		case 'down':
		case 'top':
		case 'bottom':
		case 'page-up':
		case 'page-down':
			return {...state, tree: moveCursor(tree, action, height)};
		case 'expand':
			return {...state, tree: expandOrEnter(tree, height)};
		case 'collapse':
			return {...state, tree: collapseOrParent(tree, height)};
		case 'enter':
			if (enterWouldExpand(tree)) return {...state, tree: expandCursor(tree, height)};
			return openDetail(state);
		case 'open':
			return openDetail(state);
		case 'command':
			return {...state, focus: 'input', input: insertText(clearInput(state.input), '/')};
		case 'help':
			return openHelp(state);
		case 'to-input':
			return {...state, focus: 'input'};
		default:
			return typedIntoInput(state, press, name, now);
	}
};

/**
 * Text typed where no key binds it (the tree, the detail or help view): the open view closes, the
 * input takes focus and the text lands there, as typed or pasted, never lost to a pane.
 */
function typedIntoInput(state: AppState, press: KeyPress, name: string, now: number): AppState | undefined {
	if (!isText(press)) return undefined;
	return inputHandler({...state, focus: 'input', dialog: null}, press, name, now);
}

function openDetail(state: AppState): AppState {
	const node = getNode(state.tree.traj, state.tree.cursor);
	if (!node) return state;
	return {...state, tree: {...state.tree, follow: false}, dialog: {type: 'detail', nodeId: node.id, scroll: 0}};
}

/** Chat lines there are to scroll over (the same lines the chat pane draws), and how many show. */
function chatScrollRange(state: AppState): {most: number; page: number} {
	const width = Math.max(1, state.layout.chat.innerWidth - 1);
	const lines = state.chat.reduce((sum, entry, index) => sum + entryLines(entry, width).length + (index > 0 ? 1 : 0), 0);
	const visible = Math.max(1, historyRows(state) - (state.running ? 1 : 0));
	return {most: Math.max(0, lines - visible), page: Math.max(1, historyRows(state) - 1)};
}

/** Rows the chat input takes now (it grows with its text, up to inputMaxRows). */
export function inputRows(layout: Layout, input: LineInputState): number {
	return Math.min(inputMaxRows(layout), layoutInput(input.value, input.cursor, input.pastes, inputWidth(layout)).rows.length);
}

/** Chat history rows above the input. */
export const historyRows = (state: AppState) => Math.max(1, state.layout.chatRows - (inputRows(state.layout, state.input) - 1));

function scrollChat(state: AppState, delta: number): AppState {
	const {most} = chatScrollRange(state);
	const chatScroll = Math.max(0, Math.min(most, state.chatScroll + delta));
	return chatScroll === state.chatScroll ? state : {...state, chatScroll};
}

const inputHandler: Handler = (state, press, name, now) => {
	if (state.focus !== 'input') return undefined;
	// The global keys (Esc, Ctrl+C, Ctrl+Z, Tab) are not the input's.
	if (lookup(GLOBAL_KEYS, name)) return undefined;
	const chatAction = lookup(CHAT_KEYS, name);
	if (chatAction) {
		const {page} = chatScrollRange(state);
		return scrollChat(state, chatAction === 'scroll-up' ? page : -page);
	}
	const action = lookup(INPUT_KEYS, name);
	if (action === undefined && !isText(press)) return state;
	// A refused line still untouched: new text replaces it; any other key edits it (or sends it again).
	const refused = refusedInput(state);
	if (refused) state = {...state, refusedLine: null};
	const typedOver = (input: LineInputState) => (refused ? withText(input, '') : input);
	switch (action) {
		case 'paste':
			return {...state, input: insertPaste(typedOver(state.input), press.input)};
		case 'submit':
			return submitInputLine(state, now);
		case 'delete-or-quit':
			if (inputText(state.input) === '') return quitFromEmptyLine(state, name, now);
			return {...state, input: editInput(state.input, 'delete', inputWidth(state.layout))};
		case undefined:
			return {...state, input: insertText(typedOver(state.input), press.input)};
		case 'up':
			return takeBack(state, now) ?? withInput(state, editInput(state.input, action, inputWidth(state.layout)));
		default:
			return withInput(state, editInput(state.input, action satisfies EditAction, inputWidth(state.layout)));
	}
};

/** Whether the input holds a refused command's line as it was put back (AppState.refusedLine). */
export const refusedInput = (state: AppState): boolean => state.refusedLine !== null && inputText(state.input) === state.refusedLine;

const withInput = (state: AppState, input: LineInputState): AppState => (input === state.input ? state : {...state, input});

const globalHandler: Handler = (state, _press, name, now) => {
	switch (lookup(GLOBAL_KEYS, name)) {
		case 'focus-next':
			return {...state, focus: state.focus === 'input' ? 'tree' : 'input', dialog: null};
		case 'escape':
			if (state.dialog) return closeWithEscape(state, now);
			if (state.running && !state.running.cancelling) {
				// The Esc that closed a view, pressed twice or repeated, never also cancels.
				if (now - state.escClosedAt < ESC_AFTER_CLOSE_MS) return {...state, flash: {at: now, text: `${hint(GLOBAL_KEYS, ['escape'], 'again to cancel the running answer')}`}};
				return cancel(state);
			}
			if (state.focus === 'tree') return {...state, focus: 'input'};
			return state;
		case 'suspend':
			return withEffect(state, {kind: 'suspend'});
		default:
			return undefined;
	}
};

/** The key bus: the first handler that binds the key wins. */
const HANDLERS: readonly Handler[] = [detailHandler, helpHandler, pickerHandler, treeSearchHandler, timelineHandler, treeHandler, inputHandler, globalHandler];

/** Ctrl+C twice (or Ctrl+D on an empty line twice while running) within this window quits. */
export const EXIT_WINDOW_MS = 2000;
/** An Esc this soon after an Esc closed a view does not cancel the running answer. */
export const ESC_AFTER_CLOSE_MS = 600;

function cancel(state: AppState): AppState {
	if (!state.running || state.running.cancelling) return state;
	const {id} = state.running;
	return withEffect({...state, running: {...state.running, cancelling: true}}, {kind: 'cancel', ...(id === undefined ? {} : {id})});
}

function closeWithEscape(state: AppState, now: number): AppState {
	return {...state, dialog: null, escClosedAt: now};
}

/** Ctrl+\ ends the app with the code SIGQUIT would give it (128 + 3), as the signal does. */
export const QUIT_KEY_EXIT_CODE = 131;

const armed = (state: AppState, now: number) => state.exitArmed !== null && now - state.exitArmed.at <= EXIT_WINDOW_MS;

/**
 * The interrupt key (Ctrl+C), one scheme everywhere: a second press within EXIT_WINDOW_MS quits.
 * Otherwise it cancels the running answer (and arms the quit), closes the open view, clears a typed
 * input (into the history: Up brings it back), or on an empty input arms the quit.
 */
function interrupt(state: AppState, name: string, now: number): AppState {
	if (armed(state, now)) return withEffect(state, {kind: 'exit', code: 0});
	const arm = (next: AppState): AppState => ({...next, exitArmed: {at: now, key: name}, flash: null});
	if (state.running) return arm(cancel(state));
	if (state.dialog) return {...state, dialog: null, exitArmed: null};
	if (inputText(state.input).trim()) {
		return {...state, input: clearInput(state.input), exitArmed: null, flash: {at: now, text: `input cleared · ${hint(INPUT_KEYS, ['up'], 'brings it back')}`}};
	}
	return arm(state);
}

/** Ctrl+D on an empty input: quit when idle; while an answer runs, press again to quit. */
function quitFromEmptyLine(state: AppState, name: string, now: number): AppState {
	if (!state.running || (armed(state, now) && state.exitArmed?.key === name)) return withEffect(state, {kind: 'exit', code: 0});
	return {...state, exitArmed: {at: now, key: name}, flash: null};
}

/** Enter in the chat input: a command, or a question (while one runs: queued after it). */
function submitInputLine(state: AppState, now: number): AppState {
	const text = inputText(state.input);
	if (!text.trim()) return state;
	// A large paste is shown by its first and last lines and the count between (the tree's run row opens it whole).
	const pasted = shownInput(state.input) !== text;
	const {state: input, submitted} = submitInput(state.input);
	const next = withEffect({...state, input}, {kind: 'history-add', text: submitted});
	return submitLine(next, submitted, now, pasted ? questionPreview(trimQuestion(submitted)) : undefined);
}

/** What the chat says after a queued question until its turn comes: the first one waits for the
 * running answer, each later one for the question above it. */
export const QUEUED_NOTE = '(queued: asks when this answer is done)';
export const QUEUED_AFTER_NOTE = '(queued: asks after the one above)';

/** A queued question's chat line: as typed (or its paste's label), with its note. */
const queuedShown = (question: QueuedQuestion, first: boolean) => `${question.shown ?? question.prompt}  ${first ? QUEUED_NOTE : QUEUED_AFTER_NOTE}`;

/** A question typed while one runs: in the chat at once, marked queued, and given to the engine,
 * which takes questions in order (its log has it from now on, marked queued). */
function queueQuestion(state: AppState, text: string, shown: string | undefined): AppState {
	const id = state.nextChatId;
	const queued: QueuedQuestion = {id, prompt: text, ...(shown === undefined ? {} : {shown})};
	const added = addChat(state, 'user', text, {shown: queuedShown(queued, !state.queued?.length)});
	const entry: ChatEntry = {...added.chat.at(-1)!, queued: true};
	return withEffect({...added, chat: [...added.chat.slice(0, -1), entry], queued: [...(state.queued ?? []), queued]}, {kind: 'submit', prompt: text, id, queued: true});
}

/** Up on an empty input while questions wait: the last one comes back into the input to be
 * edited (Enter queues it again), out of the chat and out of the engine's queue. */
function takeBack(state: AppState, now: number): AppState | undefined {
	const last = state.queued?.at(-1);
	if (!last || inputText(state.input) !== '') return undefined;
	const input = last.shown === undefined ? withText(state.input, last.prompt) : insertPaste(clearInput(state.input), last.prompt);
	return withEffect(
		{
			...state,
			input,
			queued: state.queued!.slice(0, -1),
			chat: state.chat.filter((entry) => entry.id !== last.id),
			flash: {at: now, text: `taken back · ${hint(INPUT_KEYS, ['submit'], 'queues it again')}`},
		},
		{kind: 'take-back', id: last.id},
	);
}

/** A command is one line starting with "/"; a multi-line input is always a question. */
const commandOf = (text: string): CommandLine | undefined => (text.trim().includes('\n') ? undefined : parseCommandLine(text));

/** The input as the chat shows it: each large paste as its label. */
function shownInput(input: LineInputState): string {
	let out = input.value;
	for (const [mark, text] of input.pastes) out = out.split(mark).join(pasteLabel(text));
	return out;
}

/** Leading blank lines and trailing white space go; a first line's indentation stays. */
export const trimQuestion = (text: string) => text.replace(/^(?:[ \t]*\n)+/, '').trimEnd();

/** Routes a press or a pasted text; several presses in one read each see the state the last left. */
function routeKey(state: AppState, press: KeyPress, now: number): AppState {
	const intoInput = !state.dialog && state.focus === 'input';
	// A run of typed text: one insertion into the input, else one key per character (a Tab may
	// move the focus before the next letter lands).
	if (!intoInput && !press.key.paste) {
		const parts = splitText(press);
		if (parts.length > 1) return parts.reduce((current, part) => routeKey(current, part, now), state);
	}
	// A paste outside the input goes into it (a paste is text, never keys).
	if (press.key.paste && !state.dialog && state.focus !== 'input') return routeKey({...state, focus: 'input'}, press, now);
	// Esc then a key, quick enough to arrive as Alt+key ("\x1bk"): outside the chat input nothing is
	// bound to Alt, so it is the two presses the user made.
	if (press.key.meta && !press.key.ctrl && press.input.length > 0 && !intoInput) {
		const escaped = routeKey(state, {input: '', key: {escape: true}}, now);
		return routeKey(escaped, {input: press.input, key: {...press.key, meta: false}}, now);
	}
	const name = keyName(press);
	// The interrupt and quit keys come before any view or pane.
	if (lookup(GLOBAL_KEYS, name) === 'interrupt') return interrupt(state, name, now);
	if (lookup(GLOBAL_KEYS, name) === 'quit') return withEffect(state, {kind: 'exit', code: QUIT_KEY_EXIT_CODE});
	const disarmed: AppState = state.exitArmed && state.exitArmed.key !== name ? {...state, exitArmed: null} : state;
	for (const handler of HANDLERS) {
		const next = handler(disarmed, press, name, now);
		if (next) return lookup(GLOBAL_KEYS, name) === 'escape' && state.dialog && !next.dialog ? {...next, escClosedAt: now} : next;
	}
	return disarmed;
}

/** The mouse: the wheel scrolls what is under the pointer (a view, the chat, the tree). */
function routeMouse(state: AppState, event: Extract<InputEvent, {type: 'mouse'}>): AppState {
	const action = lookup(MOUSE_KEYS, event.button);
	if (!action) return state;
	const up = action === 'wheel-up';
	const dialog = state.dialog;
	const times = (count: number, step: (current: AppState) => AppState) => Array.from({length: count}).reduce<AppState>((current) => step(current), state);
	if (dialog?.type === 'detail') return times(WHEEL_LINES, (current) => scrollDetail(current, up ? 'line-up' : 'line-down'));
	if (dialog?.type === 'help') return times(WHEEL_LINES, (current) => scrollHelp(current, up ? 'line-up' : 'line-down'));
	if (dialog?.type === 'models') return movePicker(state, up ? 'up' : 'down');
	if (dialog) return state;
	const {layout} = state;
	// Columns and rows count from 1; the chat is on the left (or on top when stacked).
	const inChat = layout.stacked ? event.y <= layout.chat.height : event.x <= layout.chat.width;
	if (inChat) return scrollChat(state, up ? WHEEL_LINES : -WHEEL_LINES);
	let tree = state.tree;
	for (let i = 0; i < WHEEL_LINES; i++) tree = moveCursor(tree, up ? 'up' : 'down', layout.treeRows);
	return {...state, tree: {...tree, follow: false}};
}

const WHEEL_LINES = 3;

function routeInput(state: AppState, events: readonly InputEvent[], now: number): AppState {
	let next = state;
	for (const event of events) {
		if (event.type === 'key') next = routeKey(next, event.press, now);
		else if (event.type === 'mouse') next = routeMouse(next, event);
	}
	return next;
}

// --- commands (commands/: one file each) ---

/** The commands a replay allows, as a sentence: '/save, /export, /help and /quit'. */
function replayCommands(): string {
	const names = COMMANDS.filter((command) => command.inReplay).map((command) => `/${command.name}`);
	return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : (names[0] ?? '');
}

function submitLine(state: AppState, line: string, now: number, shown?: string): AppState {
	const text = trimQuestion(line);
	if (!text.trim()) return state;
	const command = commandOf(text);
	if (state.readOnly) {
		if (command && 'command' in command && command.command.inReplay) return keptIfRefused(state, runCommand(state, command), line);
		const said = addChat(state, 'info', `This is a replay: nothing can be asked or changed here. ${replayCommands()} work.`);
		return command ? keepLine(said, line) : said;
	}
	// An unknown name is said and dropped, as a shell does (and a line typed ahead never joins it).
	if (command) return 'command' in command ? keptIfRefused(state, runCommand(state, command), line) : runCommand(state, command);
	if (state.running) return queueQuestion(state, text, shown);
	const id = state.nextChatId;
	const started = addChat(state, 'user', text, shown === undefined ? {} : {shown});
	return withEffect({...started, running: {id, since: now, prompt: text, cancelling: false}, tree: {...started.tree, follow: true}}, {kind: 'submit', prompt: text, id});
}

/**
 * A refused command (an error said, nothing queued: a bad value, /clear while a question runs)
 * stays in the input to be corrected or given again; the history has it too.
 */
function keptIfRefused(before: AppState, after: AppState, line: string): AppState {
	const refused = after.effects === before.effects && after.chat.length > before.chat.length && after.chat.at(-1)?.kind === 'error';
	return refused ? keepLine(after, line) : after;
}

/** `line` back in the input, unless something was typed there meanwhile: typing replaces it, an
 * editing key corrects it (AppState.refusedLine). */
const keepLine = (state: AppState, line: string): AppState => (inputText(state.input).trim() ? state : {...state, input: withText(state.input, line), refusedLine: line});

function runCommand(state: AppState, line: CommandLine): AppState {
	if ('unknown' in line) return addChat(state, 'error', `Unknown command ${line.unknown.split(/\s/)[0]} (/help lists the commands).`);
	const {command, args} = line;
	if (command.idleOnly && state.running) {
		return addChat(state, 'error', `A question is running: cancel it (${keyLabel(GLOBAL_KEYS, 'escape')}) before /${command.name}.`);
	}
	return command.run(state, args, (next, payload) => withEffect(next, {kind: 'command', name: command.name, payload}));
}

function completionMeta(result: CompletionSummary, iterations: number): string {
	const parts: string[] = [];
	if (result.status === 'forced') parts.push('best answer after the iteration limit');
	// The engine's message is a sentence of its own: shown as it is, not re-cased.
	if (result.status === 'limited') parts.push('best answer so far', result.error ?? 'a limit stopped the run');
	if (result.status === 'cancelled') parts.push('best answer so far: the run was cancelled');
	parts.push(`${iterations} iteration${iterations === 1 ? '' : 's'}`);
	parts.push(formatMs(result.ms));
	const {inputTokens, outputTokens} = result.usage;
	if (inputTokens || outputTokens) parts.push(`↑${formatTokens(inputTokens)} ↓${formatTokens(outputTokens)} tokens`);
	return parts.join(' · ');
}

/** The chat's last entry marked as the end of its question (ChatEntry.outcome). */
const asOutcome = (state: AppState): AppState => ({...state, chat: [...state.chat.slice(0, -1), {...state.chat.at(-1)!, outcome: true}]});

function completionDone(state: AppState, result: CompletionSummary, now: number): AppState {
	const lastElapsed = state.running ? now - state.running.since : state.lastElapsed;
	const ended: AppState = {...state, running: null, ...(lastElapsed === undefined ? {} : {lastElapsed})};
	if (result.contextFailed !== undefined && state.running) return notAsked(ended, state.running.prompt, result.contextFailed);
	return turnOutcome(ended, result);
}

/** A question whose /context failed to load is not asked without it: it goes back into the input
 * (after what was typed there meanwhile, so nothing is lost), and the chat says why. */
function notAsked(state: AppState, prompt: string, paths: string): AppState {
	const typed = inputText(state.input);
	const input = withText(state.input, typed.trim() ? `${typed}\n\n${prompt}` : prompt);
	const said = addChat({...state, input}, 'error', `Not asked: the context it waited for (${paths}) failed to load. The question is back in the input: fix the context (/context PATH…) and ask again, or ask it as it is.`);
	return asOutcome(said);
}

/** What the chat says of a finished question: its answer, or how it ended without one. */
function turnOutcome(state: AppState, result: CompletionSummary): AppState {
	// One count for the chat, the tree's rows and the status line: the run node's (iterations begun,
	// the one cut short included, never the final call for the best answer). The events reached the
	// tree before the result did.
	const run = (result.runId !== undefined ? findRun(state.tree.traj, result.runId) : undefined) ?? currentRun(state);
	const iterations = run ? run.iteration : result.iterations;
	switch (result.status) {
		case 'answered':
		case 'forced':
		case 'limited':
			return addChat(state, 'answer', result.response || '(empty answer)', {meta: completionMeta(result, iterations)});
		case 'cancelled': {
			// No run of its own yet: the last run in the tree is an earlier question's.
			if (result.beforeStart) return asOutcome(addChat(state, 'info', 'Cancelled before it started, while the commands before it (a /context being read) were still at work.'));
			const of = run?.maxIterations ? `/${run.maxIterations}` : '';
			const said = asOutcome(addChat(state, 'info', iterations ? `Cancelled in iteration ${iterations}${of}.` : 'Cancelled before the first iteration.'));
			// What the run found before it was stopped (the answer dict, its last output or reply).
			return result.response.trim() ? addChat(said, 'answer', result.response, {meta: completionMeta(result, iterations)}) : said;
		}
		// Only a run read back from its log is unfinished; a live one that ends so is a failure.
		case 'unfinished':
		case 'failed': {
			// The backend's advice is about flags; here it is about commands, where the TUI has its own.
			return asOutcome(addChat(state, 'error', failureText(result)));
		}
	}
}

/**
 * A question's result. One taken back (no longer running nor queued) is dropped; else its answer
 * (or how it ended) goes under it, and the next queued question starts (the engine is told so):
 * its line moves below that answer, without its queued note.
 */
function questionEnded(state: AppState, result: CompletionSummary, now: number, id: number | undefined): AppState {
	if (id !== undefined && state.running?.id !== id) return state;
	const queued = state.queued ?? [];
	if (queued.length === 0) return completionDone(state, result, now);
	const waiting = new Set(queued.map((question) => question.id));
	const lines = state.chat.filter((entry) => waiting.has(entry.id));
	const done = completionDone({...state, chat: state.chat.filter((entry) => !waiting.has(entry.id))}, result, now);
	const [next, ...rest] = queued as [QueuedQuestion, ...QueuedQuestion[]];
	// The one after it now waits for this answer: its note says so.
	const started = lines.map((entry) => {
		if (entry.id === rest[0]?.id) return {...entry, shown: queuedShown(rest[0], true)};
		if (entry.id !== next.id) return entry;
		const {queued: _queued, shown: _shown, ...plain} = entry;
		return {...plain, ...(next.shown === undefined ? {} : {shown: next.shown})};
	});
	return withEffect(
		{
			...done,
			chat: [...done.chat, ...started],
			queued: rest,
			running: {id: next.id, since: now, prompt: next.prompt, cancelling: false},
			tree: {...done.tree, follow: true},
		},
		{kind: 'start', id: next.id},
	);
}

export function appReducer(state: AppState, action: AppAction): AppState {
	switch (action.type) {
		case 'key':
			return routeKey(state, action.press, action.now);
		case 'input':
			return routeInput(state, action.events, action.now);
		case 'tick': {
			const exitArmed = state.exitArmed && action.now - state.exitArmed.at > EXIT_WINDOW_MS ? null : state.exitArmed;
			const flash = state.flash && action.now - state.flash.at > EXIT_WINDOW_MS ? null : state.flash;
			return exitArmed === state.exitArmed && flash === state.flash ? state : {...state, exitArmed, flash};
		}
		case 'history-loaded':
			return {...state, input: withHistory(state.input, action.entries)};
		case 'events':
			return warnInChat({...state, tree: applyEvents(state.tree, action.events, state.layout.treeRows)}, action.events);
		case 'resize': {
			if (action.size.columns === state.size.columns && action.size.rows === state.size.rows) return state;
			const layout = computeLayout(action.size);
			return {...state, size: action.size, layout, tree: resized(state.tree, layout.treeRows)};
		}
		case 'completion-done':
			return questionEnded(state, action.result, action.now, action.id);
		case 'resumed-turn':
			return resumedTurn(state, action.turn, action.events);
		case 'models-loaded': {
			// Only the answer to this picker's own request (an earlier one may land late).
			if (state.dialog?.type !== 'models' || state.dialog.status !== 'loading') return state;
			if (action.backend !== undefined && action.backend !== state.dialog.backend) return state;
			const models = [...new Set(action.models)].sort((a, b) => a.localeCompare(b));
			const index = models.indexOf(state.dialog.current);
			const dialog: ModelPickerDialog = {...state.dialog, status: 'ready', models, ...(action.aliases ? {aliases: action.aliases} : {}), cursor: pickerFilter(state.dialog) ? 0 : Math.max(0, index)};
			return {...state, dialog};
		}
		case 'models-failed':
			if (state.dialog?.type !== 'models' || state.dialog.status !== 'loading') return state;
			if (action.backend !== undefined && action.backend !== state.dialog.backend) return state;
			return {...state, dialog: {...state.dialog, status: 'error', error: action.error, ...(action.aliases ? {aliases: action.aliases} : {})}};
		case 'chat': {
			const extras = {...(action.shown !== undefined ? {shown: action.shown} : {}), ...(action.table ? {table: action.table} : {}), ...(action.progress ? {progress: action.progress} : {})};
			return action.at === undefined ? addChat(state, action.kind, action.text, extras) : insertChat(state, action.kind, action.text, action.at, extras);
		}
		case 'config':
			return {...state, config: {...state.config, ...action.config}};
		case 'cleared':
			return {...state, chat: [], chatScroll: 0, tree: emptyTreeView(), dialog: null, lastElapsed: undefined};
		case 'progress-done':
			return state.chat.some((entry) => entry.progress) ? {...state, chat: state.chat.filter((entry) => !entry.progress)} : state;
		case 'effects-done': {
			const effects = state.effects.filter((effect) => effect.seq > action.seq);
			return effects.length === state.effects.length ? state : {...state, effects};
		}
	}
}

/** The root run of the current (or last) question, for the status line. */
export function currentRun(state: AppState): RunNode | undefined {
	const {traj} = state.tree;
	const id = traj.roots[traj.roots.length - 1];
	if (id === undefined) return undefined;
	const node = getNode(traj, id);
	return node?.kind === 'run' ? node : undefined;
}
