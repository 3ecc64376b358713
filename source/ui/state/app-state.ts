// The one state owner of the TUI: a pure reducer over key presses, engine events and effect
// results. Keys are routed here, in priority order (dialogs > panes > globals), so several keys
// arriving in one tick each see the state the previous one left. Side effects (start a completion,
// save settings, exit) are queued as effects that the app runs after the render.
import type {RlmEvent} from '../../protocol/events.js';
import type {RunStatus} from '../../protocol/events.js';
import {BACKEND_NAMES, isBackendName, type BackendName} from '../../protocol/backends.js';
import {getNode, type RunNode} from '../../trajectory/tree.js';
import {parseCommand, type Command} from '../commands.js';
import {detailLines} from '../detail.js';
import {formatMs, formatTokens} from '../format.js';
import {sessionFileJson, transcriptMarkdown} from '../transcript.js';
import {entryLines} from '../chat-lines.js';
import {HELP_LINES} from '../help-lines.js';
import {safeEvent, safeText} from '../safe-text.js';
import {
	CHAT_KEYS,
	DETAIL_KEYS,
	GLOBAL_KEYS,
	lookup,
	keyName,
	looksPasted,
	PICKER_KEYS,
	splitPress,
	TREE_KEYS,
	type KeyPress,
} from './keys.js';
import {computeLayout, type Layout, type Size} from './layout.js';
import {emptyInput, inputKey, type LineInputState} from './line-input.js';
import {
	applyEvents,
	collapseOrParent,
	emptyTreeView,
	enterWouldExpand,
	expandCursor,
	expandOrEnter,
	moveCursor,
	resized,
	type TreeViewState,
} from './tree-view.js';

export type ChatKind = 'user' | 'answer' | 'error' | 'notice' | 'info';

export interface ChatEntry {
	readonly id: number;
	readonly kind: ChatKind;
	readonly text: string;
	/** A dim line under an answer: status, iterations, time, tokens. */
	readonly meta?: string;
}

export interface ModelPickerDialog {
	readonly type: 'models';
	readonly backend: string;
	readonly status: 'loading' | 'ready' | 'error';
	readonly models: readonly string[];
	readonly error?: string;
	readonly filter: string;
	readonly cursor: number;
	readonly current: string;
}

export type Dialog =
	| {readonly type: 'detail'; readonly nodeId: number; readonly scroll: number}
	| {readonly type: 'help'; readonly scroll: number}
	| ModelPickerDialog;

export interface SessionConfig {
	readonly backend: BackendName;
	readonly model: string;
	readonly baseURL?: string;
	readonly maxIterations: number;
}

export interface Running {
	/** performance.now() when the question was sent. */
	readonly since: number;
	readonly prompt: string;
	readonly cancelling: boolean;
}

export type Effect =
	| {kind: 'submit'; prompt: string}
	| {kind: 'cancel'}
	| {kind: 'exit'; code: number}
	| {kind: 'load-models'}
	| {kind: 'set-model'; model: string}
	| {kind: 'set-backend'; backend: BackendName; url?: string}
	| {kind: 'context'; path: string | null}
	| {kind: 'clear'}
	| {kind: 'save'; path?: string; content: string; format: 'md' | 'json'}
	| {kind: 'resume'}
	| {kind: 'set-theme'; theme: 'dark' | 'light'};

export type QueuedEffect = Effect & {readonly seq: number};

export interface AppState {
	readonly size: Size;
	readonly layout: Layout;
	readonly focus: 'input' | 'tree';
	readonly input: LineInputState;
	readonly chat: readonly ChatEntry[];
	readonly nextChatId: number;
	/** Chat lines scrolled up from the bottom. */
	readonly chatScroll: number;
	readonly tree: TreeViewState;
	readonly dialog: Dialog | null;
	readonly running: Running | null;
	/** Ctrl+C was pressed once while idle: the next one quits. */
	readonly exitArmed: boolean;
	readonly config: SessionConfig;
	/** Elapsed ms of the last finished completion (for the status line when idle). */
	readonly lastElapsed?: number;
	readonly effects: readonly QueuedEffect[];
	readonly effectSeq: number;
	/** Set when replaying a log: nothing can be asked, only explored. */
	readonly readOnly?: string;
	/** A replay's events and how many of them the tree shows (the timeline position). */
	readonly timeline?: {readonly events: readonly RlmEvent[]; readonly at: number};
}

export type CompletionSummary = {
	status: RunStatus;
	response: string;
	error?: string;
	iterations: number;
	ms: number;
	usage: {inputTokens: number; outputTokens: number};
};

export type AppAction =
	| {type: 'key'; press: KeyPress; now: number}
	| {type: 'events'; events: readonly RlmEvent[]}
	| {type: 'resize'; size: Size}
	| {type: 'completion-done'; result: CompletionSummary; now: number}
	| {type: 'models-loaded'; models: readonly string[]; backend?: string}
	| {type: 'models-failed'; error: string; backend?: string}
	| {type: 'chat'; kind: ChatKind; text: string}
	| {type: 'config'; config: Partial<SessionConfig>}
	| {type: 'cleared'}
	| {type: 'effects-done'; seq: number};

export interface InitialStateOptions {
	size: Size;
	config: SessionConfig;
	notices?: readonly string[];
	/** A logged trajectory to explore read-only (--replay). */
	replay?: {title: string; events: readonly RlmEvent[]};
}

export function initialAppState({size, config, notices = [], replay}: InitialStateOptions): AppState {
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
		exitArmed: false,
		config,
		effects: [],
		effectSeq: 0,
	};
	for (const notice of notices) state = addChat(state, 'notice', notice);
	if (replay) state = loadReplay(state, replay.title, replay.events);
	return state;
}

/** Fills the tree with a logged run and the chat with its questions and answers. */
function loadReplay(state: AppState, title: string, events: readonly RlmEvent[]): AppState {
	let next: AppState = addChat(
		{...state, readOnly: title, focus: 'tree'},
		'info',
		`Replay of ${title} (read-only). The tree has focus: j/k move, l/h open and close, Enter for details, [ and ] step through the run event by event ({ and } by tenths). /save and /export write it out, /quit leaves.`,
	);
	const safe = events.map(safeEvent);
	let tree = applyEvents(next.tree, safe, next.layout.treeRows);
	tree = moveCursor(tree, 'top', next.layout.treeRows);
	next = {...next, tree: {...tree, follow: false}, timeline: {events: safe, at: safe.length}};
	let elapsed = 0;
	for (const event of events) {
		if (event.type === 'run.start' && event.parentCallId === undefined && event.depth === 0) {
			next = addChat(next, 'user', event.question || '(no question)');
			next = {...next, config: {...next.config, backend: (event.backend || next.config.backend) as BackendName, model: event.model || next.config.model, maxIterations: event.maxIterations || next.config.maxIterations}};
		}
		if (event.type === 'run.done' && getNode(next.tree.traj, next.tree.traj.runIndex.get(event.runId) ?? -1)?.parent === -1) {
			elapsed += event.ms;
			const summary: CompletionSummary = {status: event.status, response: event.answer, iterations: event.iterations, ms: event.ms, usage: event.usage, ...(event.error ? {error: event.error} : {})};
			next = completionDone(next, summary, 0);
		}
	}
	return {...next, lastElapsed: elapsed};
}

export function addChat(state: AppState, kind: ChatKind, rawText: string, meta?: string): AppState {
	const text = safeText(rawText);
	const entry: ChatEntry = meta ? {id: state.nextChatId, kind, text, meta} : {id: state.nextChatId, kind, text};
	return {...state, chat: [...state.chat, entry], nextChatId: state.nextChatId + 1, chatScroll: 0};
}

function withEffect(state: AppState, effect: Effect): AppState {
	const seq = state.effectSeq + 1;
	return {...state, effectSeq: seq, effects: [...state.effects, {...effect, seq}]};
}

/** Model names in the picker after filtering; the typed filter is offered too when not listed. */
export function pickerRows(dialog: ModelPickerDialog): string[] {
	const filter = dialog.filter.trim().toLowerCase();
	const rows = filter ? dialog.models.filter((model) => model.toLowerCase().includes(filter)) : [...dialog.models];
	const typed = dialog.filter.trim();
	if (typed && !dialog.models.includes(typed)) rows.push(typed);
	return rows;
}

/** Width of the detail view's text (the overlay's inside, less one column of padding each side). */
export const detailWidth = (layout: Layout) => Math.max(10, layout.overlay.innerWidth - 2);

function clampScroll(value: number, total: number, visible: number): number {
	return Math.max(0, Math.min(value, Math.max(0, total - visible)));
}

// --- key handlers, highest priority first; each returns undefined when it does not bind the key ---

type Handler = (state: AppState, press: KeyPress, name: string, now: number) => AppState | undefined;

const detailHandler: Handler = (state, _press, name) => {
	const dialog = state.dialog;
	if (dialog?.type !== 'detail') return undefined;
	const action = lookup(DETAIL_KEYS, name);
	if (!action) return name === 'ctrl+c' || name === 'tab' ? undefined : state;
	if (action === 'close') return {...state, dialog: null};
	const node = getNode(state.tree.traj, dialog.nodeId);
	const total = node ? detailLines(node, detailWidth(state.layout)).length : 0;
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
};

const helpHandler: Handler = (state, _press, name) => {
	const dialog = state.dialog;
	if (dialog?.type !== 'help') return undefined;
	if (name === 'ctrl+c') return undefined;
	if (name === 'escape' || name === 'q' || name === 'return' || name === '?') return {...state, dialog: null};
	const delta = name === 'up' || name === 'k' ? -1 : name === 'down' || name === 'j' ? 1 : name === 'pageup' ? -10 : name === 'pagedown' || name === 'space' ? 10 : 0;
	const most = Math.max(0, HELP_LINES.length - state.layout.overlayRows);
	return {...state, dialog: {...dialog, scroll: Math.max(0, Math.min(most, dialog.scroll + delta))}};
};

const pickerHandler: Handler = (state, press, name) => {
	const dialog = state.dialog;
	if (dialog?.type !== 'models') return undefined;
	if (name === 'ctrl+c') return undefined;
	const rows = pickerRows(dialog);
	const action = lookup(PICKER_KEYS, name);
	const page = Math.max(1, state.layout.overlayRows - 3);
	const move = (cursor: number) => ({...state, dialog: {...dialog, cursor: Math.max(0, Math.min(rows.length - 1, cursor))}});
	switch (action) {
		case 'close':
			return {...state, dialog: null};
		case 'up':
			return move(dialog.cursor - 1);
		case 'down':
			return move(dialog.cursor + 1);
		case 'page-up':
			return move(dialog.cursor - page);
		case 'page-down':
			return move(dialog.cursor + page);
		case 'pick': {
			const model = rows[Math.min(dialog.cursor, rows.length - 1)];
			if (!model) return state;
			return withEffect({...state, dialog: null}, {kind: 'set-model', model});
		}
		default:
			break;
	}
	if (name === 'backspace') return {...state, dialog: {...dialog, filter: dialog.filter.slice(0, -1), cursor: 0}};
	if (press.key.ctrl || press.key.meta || name === 'tab') return state;
	const text = press.input.replace(/[\x00-\x1f\x7f]/g, '');
	if (!text) return state;
	return {...state, dialog: {...dialog, filter: dialog.filter + text, cursor: 0}};
};

/** [ ] one event back or forward through a replay, { } a tenth of them: the tree as it stood. */
const timelineHandler: Handler = (state, press) => {
	const timeline = state.timeline;
	if (!timeline || state.focus !== 'tree' || state.dialog) return undefined;
	const total = timeline.events.length;
	const tenth = Math.max(1, Math.round(total / 10));
	const step = ({'[': -1, ']': 1, '{': -tenth, '}': tenth} as Record<string, number>)[press.input];
	if (step === undefined) return undefined;
	const at = Math.min(total, Math.max(0, timeline.at + step));
	if (at === timeline.at) return state;
	const height = state.layout.treeRows;
	// Node ids are creation order, so the expand/collapse choices still point at the same nodes.
	const tree = applyEvents({...emptyTreeView(), expanded: state.tree.expanded}, timeline.events.slice(0, at), height);
	return {...state, tree: {...tree, follow: at === total ? false : tree.follow}, timeline: {...timeline, at}};
};

const treeHandler: Handler = (state, press, name) => {
	if (state.focus !== 'tree') return undefined;
	const height = state.layout.treeRows;
	const tree = state.tree;
	const action = lookup(TREE_KEYS, name);
	switch (action) {
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
		default:
			break;
	}
	if (press.input === '/' || press.input === ':') {
		return {...state, focus: 'input', input: inputKey(emptyInput(state.input.history), {input: '/', key: {}}).state};
	}
	if (name === '?') return {...state, dialog: {type: 'help', scroll: 0}};
	if (name === 'i') return {...state, focus: 'input'};
	return undefined;
};

function openDetail(state: AppState): AppState {
	const node = getNode(state.tree.traj, state.tree.cursor);
	if (!node) return state;
	return {...state, tree: {...state.tree, follow: false}, dialog: {type: 'detail', nodeId: node.id, scroll: 0}};
}

const inputHandler: Handler = (state, press, name, now) => {
	if (state.focus !== 'input') return undefined;
	if (name === 'ctrl+c' || name === 'tab' || name === 'shift+tab' || name === 'escape') return undefined;
	const chatAction = lookup(CHAT_KEYS, name);
	if (chatAction) {
		const page = Math.max(1, state.layout.chatRows - 1);
		// Bounded by what there is to scroll (the same lines the chat pane draws).
		const width = Math.max(1, state.layout.chat.innerWidth - 1);
		const lines = state.chat.reduce((sum, entry, index) => sum + entryLines(entry, width).length + (index > 0 ? 1 : 0), 0);
		const most = Math.max(0, lines - Math.max(0, state.layout.chatRows - (state.running ? 1 : 0)));
		const chatScroll = Math.max(0, Math.min(most, state.chatScroll + (chatAction === 'scroll-up' ? page : -page)));
		return {...state, chatScroll};
	}
	const result = inputKey(state.input, press);
	const next = result.state === state.input ? state : {...state, input: result.state};
	if (result.submitted === undefined) return next;
	return submitLine(next, result.submitted, now);
};

const globalHandler: Handler = (state, _press, name) => {
	switch (lookup(GLOBAL_KEYS, name)) {
		case 'focus-next':
			return {...state, focus: state.focus === 'input' ? 'tree' : 'input', dialog: null};
		case 'escape':
			if (state.dialog) return {...state, dialog: null};
			if (state.running) return cancel(state);
			if (state.focus === 'tree') return {...state, focus: 'input'};
			return state;
		default:
			return undefined;
	}
};

/** The key bus: the first handler that binds the key wins. */
const HANDLERS: readonly Handler[] = [detailHandler, helpHandler, pickerHandler, timelineHandler, treeHandler, inputHandler, globalHandler];

function cancel(state: AppState): AppState {
	if (!state.running || state.running.cancelling) return state;
	return withEffect({...state, running: {...state.running, cancelling: true}}, {kind: 'cancel'});
}

function interrupt(state: AppState): AppState {
	if (state.running) {
		// A second Ctrl+C while a cancel is under way leaves anyway.
		if (state.running.cancelling) return withEffect(state, {kind: 'exit', code: 0});
		return cancel(state);
	}
	if (state.dialog) return {...state, dialog: null};
	if (state.exitArmed) return withEffect(state, {kind: 'exit', code: 0});
	return {...state, exitArmed: true, input: state.input.value ? emptyInput(state.input.history) : state.input};
}

function routeKey(state: AppState, press: KeyPress, now: number): AppState {
	// Several keys in one chunk are routed one after the other (a Tab may move the focus before the
	// next letter). Into the chat input a run of text stays one insertion, and a chunk with line
	// breaks inside its text is a paste that is inserted whole.
	if (press.input.length > 1 && !press.key.ctrl && !press.key.meta) {
		const intoInput = !state.dialog && state.focus === 'input';
		// Tabs in pasted code would otherwise act as Tab (focus) keys.
		if (intoInput && looksPasted(press.input)) press = {...press, input: press.input.replace(/\t/g, '    ')};
		else {
			const parts = splitPress(press, !intoInput);
			if (parts.length > 1 || parts[0]?.input !== press.input) {
				return parts.reduce((current, part) => routeKey(current, part, now), state);
			}
		}
	}
	// Esc followed quickly by a key reaches us as Alt+key ("\x1bk"); nothing here uses Alt, so
	// treat it as the two presses the user made. In the chat input it is more likely a real Alt
	// (Alt+B/F out of habit): the letter alone, never an Esc that would cancel a running question.
	if (press.key.meta && !press.key.escape && !press.key.ctrl && press.input.length > 0 && !isNavigation(press)) {
		if (!state.dialog && state.focus === 'input') return routeKey(state, {input: press.input, key: {...press.key, meta: false}}, now);
		const escaped = routeKey(state, {input: '', key: {escape: true, meta: true}}, now);
		return routeKey(escaped, {input: press.input, key: {...press.key, meta: false}}, now);
	}
	const name = keyName(press);
	if (name === 'ctrl+c') return interrupt(state);
	const disarmed = state.exitArmed ? {...state, exitArmed: false} : state;
	for (const handler of HANDLERS) {
		const next = handler(disarmed, press, name, now);
		if (next) return next;
	}
	return disarmed;
}

function isNavigation({key}: KeyPress): boolean {
	return Boolean(key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown || key.home || key.end || key.return || key.tab || key.backspace || key.delete);
}

// --- commands ---

function submitLine(state: AppState, line: string, now: number): AppState {
	const text = line.trim();
	if (!text) return state;
	const command = parseCommand(text);
	if (state.readOnly) {
		if (command && ['help', 'quit', 'save', 'export'].includes(command.name)) return runCommand(state, command);
		return addChat(state, 'info', 'This is a replay: nothing can be asked or changed here. /save, /export, /help and /quit work.');
	}
	if (command) return runCommand(state, command);
	if (state.running) {
		return addChat(
			{...state, input: {...state.input, value: line, cursor: line.length}},
			'info',
			'Still working on the last question: wait for it, or press Esc / Ctrl+C to cancel it.',
		);
	}
	const started = addChat(state, 'user', text);
	return withEffect(
		{...started, running: {since: now, prompt: text, cancelling: false}, tree: {...started.tree, follow: true}},
		{kind: 'submit', prompt: text},
	);
}

function runCommand(state: AppState, command: Command): AppState {
	switch (command.name) {
		case 'model': {
			if (command.arg) return withEffect(state, {kind: 'set-model', model: command.arg});
			const dialog: ModelPickerDialog = {
				type: 'models',
				backend: state.config.backend,
				status: 'loading',
				models: [],
				filter: '',
				cursor: 0,
				current: state.config.model,
			};
			return withEffect({...state, dialog}, {kind: 'load-models'});
		}
		case 'backend': {
			if (!command.backend) {
				const where = state.config.baseURL ? ` at ${state.config.baseURL}` : '';
				return addChat(
					state,
					'info',
					`Backend: ${state.config.backend}${where} · model ${state.config.model}. Switch with /backend NAME [URL], NAME one of ${BACKEND_NAMES.join(', ')}.`,
				);
			}
			const backend = command.backend.toLowerCase();
			if (!isBackendName(backend)) {
				return addChat(state, 'error', `Unknown backend "${command.backend}": use one of ${BACKEND_NAMES.join(', ')}.`);
			}
			if (command.url) {
				try {
					new URL(command.url);
				} catch {
					return addChat(state, 'error', `Not a URL: ${command.url} (for example http://localhost:11434/v1).`);
				}
			}
			return withEffect(state, {kind: 'set-backend', backend, ...(command.url ? {url: command.url} : {})});
		}
		case 'context':
			if (!command.path) return addChat(state, 'info', 'Usage: /context FILE (a text file), or /context off.');
			if (/^(off|none|clear)$/i.test(command.path)) return withEffect(state, {kind: 'context', path: null});
			return withEffect(state, {kind: 'context', path: command.path});
		case 'clear':
			if (state.running) return addChat(state, 'error', 'A question is running: cancel it (Esc) before /clear.');
			return withEffect(state, {kind: 'clear'});
		case 'export': {
			const content = transcriptMarkdown(state.chat, {model: state.config.model, backend: state.config.backend, date: new Date()});
			return withEffect(state, {kind: 'save', format: 'md', content, ...(command.path ? {path: command.path} : {})});
		}
		case 'save': {
			const content = sessionFileJson(state.chat, state.config, state.tree.traj);
			return withEffect(state, {kind: 'save', format: 'json', content, ...(command.path ? {path: command.path} : {})});
		}
		case 'theme':
			if (command.theme !== 'dark' && command.theme !== 'light') return addChat(state, 'info', 'Usage: /theme dark or /theme light.');
			return withEffect(state, {kind: 'set-theme', theme: command.theme});
		case 'resume':
			if (state.running) return addChat(state, 'error', 'A question is running: cancel it (Esc) before /resume.');
			return withEffect(state, {kind: 'resume'});
		case 'help':
			return {...state, dialog: {type: 'help', scroll: 0}};
		case 'quit':
			return withEffect(state, {kind: 'exit', code: 0});
		case 'unknown':
			return addChat(state, 'error', `Unknown command ${command.text.split(/\s/)[0]} (/help lists the commands).`);
	}
}

function completionMeta(result: CompletionSummary): string {
	const parts: string[] = [];
	if (result.status === 'forced') parts.push('best answer after the iteration limit');
	parts.push(`${result.iterations} iteration${result.iterations === 1 ? '' : 's'}`);
	parts.push(formatMs(result.ms));
	const {inputTokens, outputTokens} = result.usage;
	if (inputTokens || outputTokens) parts.push(`↑${formatTokens(inputTokens)} ↓${formatTokens(outputTokens)} tokens`);
	return parts.join(' · ');
}

function completionDone(state: AppState, result: CompletionSummary, now: number): AppState {
	const lastElapsed = state.running ? now - state.running.since : state.lastElapsed;
	const base: AppState = {...state, running: null, ...(lastElapsed === undefined ? {} : {lastElapsed})};
	switch (result.status) {
		case 'answered':
		case 'forced':
			return addChat(base, 'answer', result.response || '(empty answer)', completionMeta(result));
		case 'cancelled':
			return addChat(base, 'info', `Cancelled${result.iterations ? ` after ${result.iterations} iteration${result.iterations === 1 ? '' : 's'}` : ''}.`);
		case 'failed': {
			// The backend's message ends with advice about flags; here the advice is commands.
			const message = (result.error ?? 'the completion failed').replace(/\s*(Start the server|Check the model name)[\s\S]*$/, '');
			const hint = /unreachable|ECONNREFUSED|connect|fetch failed|not reach/i.test(message)
				? ' Check the server or the URL (/backend NAME URL), or try the offline demo: /backend demo'
				: /not found|does not exist/i.test(message)
					? ' Pick another model with /model.'
					: '';
			return addChat(base, 'error', `${message}${hint}`);
		}
	}
}

export function appReducer(state: AppState, action: AppAction): AppState {
	switch (action.type) {
		case 'key':
			return routeKey(state, action.press, action.now);
		case 'events':
			return {...state, tree: applyEvents(state.tree, action.events, state.layout.treeRows)};
		case 'resize': {
			if (action.size.columns === state.size.columns && action.size.rows === state.size.rows) return state;
			const layout = computeLayout(action.size);
			return {...state, size: action.size, layout, tree: resized(state.tree, layout.treeRows)};
		}
		case 'completion-done':
			return completionDone(state, action.result, action.now);
		case 'models-loaded': {
			// Only the answer to this picker's own request (an earlier one may land late).
			if (state.dialog?.type !== 'models' || state.dialog.status !== 'loading') return state;
			if (action.backend !== undefined && action.backend !== state.dialog.backend) return state;
			const models = [...new Set(action.models)].sort((a, b) => a.localeCompare(b));
			const index = models.indexOf(state.dialog.current);
			const dialog: ModelPickerDialog = {...state.dialog, status: 'ready', models, cursor: state.dialog.filter ? 0 : Math.max(0, index)};
			return {...state, dialog};
		}
		case 'models-failed':
			if (state.dialog?.type !== 'models' || state.dialog.status !== 'loading') return state;
			if (action.backend !== undefined && action.backend !== state.dialog.backend) return state;
			return {...state, dialog: {...state.dialog, status: 'error', error: action.error}};
		case 'chat':
			return addChat(state, action.kind, action.text);
		case 'config':
			return {...state, config: {...state.config, ...action.config}};
		case 'cleared':
			return {...state, chat: [], chatScroll: 0, tree: emptyTreeView(), dialog: null, lastElapsed: undefined};
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
