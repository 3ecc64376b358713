// The TUI's state and the actions and effects around it: the shapes the reducer (app-state.ts),
// the slash commands (commands/), the effect runner and the components share.
import type {RunErrorCode} from '../../protocol/errors.js';
import type {ContextBadge} from '../../context/summary.js';
import type {RunSettingKey} from '../../settings/run-settings.js';
import type {BackendName} from '../../protocol/backends.js';
import type {RlmEvent, RunStatus} from '../../protocol/events.js';
import type {ResumeTurn} from '../../trajectory/resume.js';
import type {InputEvent} from './key-decoder.js';
import type {KeyPress} from './keys.js';
import type {Layout, Size} from './layout.js';
import type {LineInputState} from './line-input.js';
import type {TreeViewState} from './tree-view.js';

export type ChatKind = 'user' | 'answer' | 'error' | 'notice' | 'info';

export interface ChatEntry {
	readonly id: number;
	readonly kind: ChatKind;
	readonly text: string;
	/** How a question is shown when it differs from what was sent (a large paste as "[pasted 120 lines]"). */
	readonly shown?: string;
	/** A dim line under an answer: status, iterations, time, tokens. */
	readonly meta?: string;
	/** Where it sits in the chat when that is not its id: what an effect says goes where the
	 * command that queued the effect was given (notices in the order they were caused). */
	readonly order?: number;
	/** How a question ended without an answer (it failed, or was cancelled): part of the
	 * conversation as questions and answers are, so /export keeps it; every other info, notice and
	 * error line is the app's own note and stays out of it. */
	readonly outcome?: true;
	/** A line saying what is under way (opening the last session at start, re-running its code): it
	 * goes once that is done ('progress-done'), the lines said meanwhile telling how it went. */
	readonly progress?: true;
	/** Rows of cells shown under the text, laid out for the pane's width when drawn (chat-columns.ts). */
	readonly table?: ChatTable;
	/** A question typed while another ran, waiting its turn (AppState.queued). Not yet part of the
	 * conversation: /export and /save leave it out until it starts. */
	readonly queued?: true;
}

/** A command's rows of plain one-line cells (the /settings view: name, value, where it came from). */
export type ChatTable = readonly (readonly string[])[];

export interface ModelPickerDialog {
	readonly type: 'models';
	readonly backend: string;
	readonly status: 'loading' | 'ready' | 'error';
	readonly models: readonly string[];
	/** Short names the backend resolves (alias to model id), listed after the server's models. */
	readonly aliases?: Readonly<Record<string, string>>;
	readonly error?: string;
	/** The filter typed so far (edited like the chat input: one line). */
	readonly filter: LineInputState;
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
	/** What is loaded as the context (for the status line); null or absent when none is. */
	readonly context?: ContextBadge | null;
	/** The paths a /context is still reading (the last one given); null or absent when none is. */
	readonly contextLoading?: string | null;
	/** Run settings changed in this session: set with /set (and saved), or returned to the default. */
	readonly setHere?: Readonly<Partial<Record<RunSettingKey, 'set' | 'unset'>>>;
}

export interface Running {
	/** The question's chat entry id (the engine's result for it says so: 'completion-done' `id`). */
	readonly id?: number;
	/** performance.now() when the question was sent (a queued one: when its turn came). */
	readonly since: number;
	readonly prompt: string;
	readonly cancelling: boolean;
}

/**
 * Work the reducer asks for, run by the effect runner after the render. A slash command's own work
 * is `command`: its payload goes to that command's `perform` (commands/).
 */
export type Effect =
	/** `id`: the question's chat entry id. `queued`: typed while another runs; it starts after it. */
	| {kind: 'submit'; prompt: string; id?: number; queued?: true}
	/** `id`: the running question's (none: whatever runs). */
	| {kind: 'cancel'; id?: number}
	/** A queued question's turn has come (the one before it ended): the engine starts it. */
	| {kind: 'start'; id: number}
	/** A queued question taken back before its turn: withdrawn from the engine, it leaves no turn. */
	| {kind: 'take-back'; id: number}
	| {kind: 'exit'; code: number}
	| {kind: 'suspend'}
	| {kind: 'history-add'; text: string}
	| {kind: 'command'; name: string; payload: unknown};

/** `at`: the chat position reserved for what the effect says (see ChatEntry.order). */
export type QueuedEffect = Effect & {readonly seq: number; readonly at: number};

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
	/** Ctrl+C (or Ctrl+D) was pressed once: another within EXIT_WINDOW_MS quits. `key` is its key name. */
	readonly exitArmed: {readonly at: number; readonly key: string} | null;
	/** A short message in the hints (input cleared, Esc ignored), until EXIT_WINDOW_MS after `at`. */
	readonly flash: {readonly at: number; readonly text: string} | null;
	/** When an Esc last closed a view: an Esc right after never cancels the running answer. */
	readonly escClosedAt: number;
	/** A refused command's line, put back in the input to be corrected: while the input holds it
	 * untouched, typed text replaces it (as a selection) instead of running on after it. */
	readonly refusedLine: string | null;
	/** The mouse is ours (wheel scrolling); off, the terminal selects text as usual. */
	readonly mouse: boolean;
	/** The tree's filter being typed ('/' in the tree); null when not typing one. */
	readonly treeSearch: LineInputState | null;
	readonly config: SessionConfig;
	/** Elapsed ms of the last finished completion (for the status line when idle). */
	readonly lastElapsed?: number;
	readonly effects: readonly QueuedEffect[];
	readonly effectSeq: number;
	/** Set when replaying a log: nothing can be asked, only explored. */
	readonly readOnly?: string;
	/** A replay's events and how many of them the tree shows (the timeline position). */
	readonly timeline?: {readonly events: readonly RlmEvent[]; readonly at: number};
	/** Questions typed while one runs, in order: each starts when the one before it ends (answered,
	 * failed or cancelled). Each is in the chat at once, marked queued. */
	readonly queued?: readonly QueuedQuestion[];
	/** Warnings said in the chat this session (state/chat-warnings.ts), each said once. */
	readonly warned?: readonly string[];
}

/** A question waiting for the one running to end. */
export interface QueuedQuestion {
	/** Its chat entry id. */
	readonly id: number;
	readonly prompt: string;
	/** How the chat shows it once it starts (ChatEntry.shown), when that differs from `prompt`. */
	readonly shown?: string;
}

export type CompletionSummary = {
	/** The root run it ends (its tree node holds the count of iterations the chat shows). */
	runId?: string;
	status: RunStatus;
	response: string;
	error?: string;
	/** The error's stable code: the advice shown is chosen by it. */
	errorCode?: RunErrorCode;
	/** The error's own advice (in flags), shown when the TUI has none of its own for the code. */
	errorAdvice?: string;
	iterations: number;
	ms: number;
	usage: {inputTokens: number; outputTokens: number};
	/** Cancelled before its run began (the commands before it, a /context being read, were still at work). */
	beforeStart?: true;
	/** Not asked: the /context it waited for (these paths) failed to load; it goes back to the input. */
	contextFailed?: string;
};

export type AppAction =
	| {type: 'key'; press: KeyPress; now: number}
	/** Everything one read from the terminal held, in order (keys, pastes, mouse reports). */
	| {type: 'input'; events: readonly InputEvent[]; now: number}
	/** Time passed: an armed quit or a flash message may end. */
	| {type: 'tick'; now: number}
	| {type: 'history-loaded'; entries: readonly string[]}
	| {type: 'events'; events: readonly RlmEvent[]}
	| {type: 'resize'; size: Size}
	/** `id`: the question's chat entry id (as the submit effect gave it). */
	| {type: 'completion-done'; result: CompletionSummary; now: number; id?: number}
	/** A turn a resume brought back: its question, its tree (its log's events) and how it ended. */
	| {type: 'resumed-turn'; turn: ResumeTurn; events: readonly RlmEvent[]}
	| {type: 'models-loaded'; models: readonly string[]; aliases?: Readonly<Record<string, string>>; backend?: string}
	| {type: 'models-failed'; error: string; aliases?: Readonly<Record<string, string>>; backend?: string}
	/** `at`: the position an effect reserved (else the bottom). */
	| {type: 'chat'; kind: ChatKind; text: string; at?: number; /** As ChatEntry.shown. */ shown?: string; /** As ChatEntry.table. */ table?: ChatTable; /** As ChatEntry.progress. */ progress?: true}
	| {type: 'config'; config: Partial<SessionConfig>}
	| {type: 'cleared'}
	/** The work the progress lines spoke of is done: they go. */
	| {type: 'progress-done'}
	| {type: 'effects-done'; seq: number};
