// The TUI's root: owns the one reducer, feeds it keys and engine events, runs its effects, and
// lays out the panes. State goes down as props; only the reducer changes it.
import {Box, useStdout} from 'ink';
import {memo, useCallback, useEffect, useMemo, useReducer, useRef, useState, useSyncExternalStore} from 'react';
import type {ContextBadge, ContextLoadOptions} from '../context/index.js';
import type {RlmEvent} from '../protocol/events.js';
import type {ResolvedConfig} from '../settings/resolve.js';
import type {SettingsStore} from '../settings/store.js';
import {getNode, type TrajectoryNode, type TrajectoryState} from '../trajectory/tree.js';
import {pendingRetry, retryWaitOf, retryWaitText} from './retry-wait.js';
import {ChatPane} from './components/chat-pane.js';
import {DetailView} from './components/detail-view.js';
import {HelpView} from './components/help-view.js';
import {ModelPicker} from './components/model-picker.js';
import {StatusLine} from './components/status-line.js';
import {TreePane} from './components/tree-pane.js';
import {Text} from './components/text.js';
import {loadRenderers, renderersVersion} from './markdown.js';
import {safeEvent} from '../text/safe-text.js';
import {EffectRunner} from './effects.js';
import type {UiEngine} from './engine-port.js';
import {hintsFor} from './hints.js';
import {GLOBAL_KEYS, keyLabel} from './state/keys.js';
import {tooSmallLines} from './too-small.js';
import {appReducer, currentRun, detailWidth, EXIT_WINDOW_MS, initialAppState, timelineClock, type AppAction, type AppState} from './state/app-state.js';
import type {InputEvent} from './state/key-decoder.js';
import type {TerminalControl} from './terminal.js';
import {useTerminalInput} from './use-terminal-input.js';
import {useNow} from './use-now.js';
import {runCost} from './run-usage.js';
import type {Size} from './state/layout.js';
import {noColorIn, setColors, themeFor, type Theme} from './theme.js';

export interface AppProps {
	rlm: UiEngine;
	config: ResolvedConfig;
	settings: SettingsStore;
	notices?: readonly string[];
	/** Called once when the user quits (after a running completion was cancelled). */
	onExit: (code: number) => void;
	/** Working directory for /context and /save (default: process.cwd()). */
	cwd?: string;
	env?: NodeJS.ProcessEnv;
	/** Skip the start-up backend check and sandbox warm-up (tests that drive everything). */
	skipStartup?: boolean;
	/** A logged trajectory to explore read-only (--replay). */
	replay?: {title: string; events: readonly RlmEvent[]};
	/** Reopen the last logged session once started (--resume). */
	resume?: boolean;
	/** Where input history is kept across restarts (none: this session only). */
	historyFile?: string;
	/** The terminal around the app: suspend (Ctrl+Z), mouse reporting, repaint after resume. */
	terminal?: TerminalControl;
	/** What -c loaded before the app started (for the status line). */
	contextBadge?: ContextBadge;
	/** How /context reads: --context-format and --max-context-bytes. */
	contextLoad?: Pick<ContextLoadOptions, 'format' | 'maxBytes'>;
}

const MIN_COLUMNS = 40;
const MIN_ROWS = 10;

function terminalSize(stdout: NodeJS.WriteStream): Size {
	return {columns: stdout.columns || 80, rows: stdout.rows || 24};
}

/**
 * Engine events arrive per token; they are applied in batches, at most one render per frame.
 * `flush` applies what is pending at once (before a completion's result, so chat and tree agree).
 */
function useEngineEvents(rlm: UiEngine, dispatch: (action: AppAction) => void): () => void {
	const flushRef = useRef<() => void>(() => {});
	useEffect(() => {
		let buffer: RlmEvent[] = [];
		let timer: NodeJS.Timeout | undefined;
		const flush = () => {
			if (timer) clearTimeout(timer);
			timer = undefined;
			const events = buffer;
			buffer = [];
			if (events.length > 0) dispatch({type: 'events', events});
		};
		const onEvent = (event: RlmEvent) => {
			buffer.push(safeEvent(event));
			timer ??= setTimeout(flush, 16);
		};
		flushRef.current = flush;
		rlm.on('event', onEvent);
		return () => {
			rlm.off('event', onEvent);
			flush();
			flushRef.current = () => {};
		};
	}, [rlm, dispatch]);
	return useCallback(() => flushRef.current(), []);
}

/** What the engine is doing now, in a few words (under the question in the chat). `contextLoading`:
 * the paths of a /context still reading, which a question not yet started waits for. */
function describeStep(traj: TrajectoryState, now: number, contextLoading?: string | null): string {
	const run = currentRunOf(traj);
	// No run of its own yet (the tree's last run, if any, is an earlier question's, ended).
	if (run?.status !== 'running') return contextLoading ? `waiting for the context (${contextLoading})…` : 'starting';
	let node = traj.newest >= 0 ? getNode(traj, traj.newest) : undefined;
	if (!node) return 'starting';
	const iter = run && run.iteration > 0 ? `iteration ${run.iteration}/${run.maxIterations}` : '';
	// A notice about the model call (a retry, a deprecated model) is newer than the reply it
	// came for, which still runs: the reply says what is going on.
	if (node.kind === 'notice') node = runningReply(traj, node.parent) ?? node;
	const retry = pendingRetry(traj, node);
	if (retry) {
		const wait = retryWaitOf(retry);
		// The wait and the cause, which a narrow line cuts last: the iteration and which retry it is
		// are on the tree's rows.
		return [retryWaitText(wait, now, false), wait.facts?.cause].filter(Boolean).join(' · ');
	}
	const what = {
		run: node.parent >= 0 ? 'child run started' : 'starting',
		iteration: 'asking the model',
		reply: node.status !== 'running' ? 'reply done' : node.kind === 'reply' && node.text.length > 0 ? 'model is writing' : thinking(traj, node) ? 'model is thinking' : 'waiting for the first token',
		reasoning: node.status === 'running' ? 'model is thinking' : 'model is writing',
		code: node.status === 'running' ? 'running code' : 'code done',
		output: node.status === 'running' ? 'running code' : 'code done',
		call: node.status === 'running' ? `${node.kind === 'call' ? node.fn : 'sub-call'} running` : 'sub-call done',
		notice: node.kind === 'notice' ? node.message : '',
	}[node.kind];
	return [iter, what].filter(Boolean).join(' · ');
}

/** Whether a running reply's thinking streams (its notice, a retry's, may be newer than it). */
function thinking(traj: TrajectoryState, reply: TrajectoryNode): boolean {
	return reply.children.some((id) => {
		const child = getNode(traj, id);
		return child?.kind === 'reasoning' && child.status === 'running' && child.text.trim() !== '';
	});
}

function runningReply(traj: TrajectoryState, parent: number) {
	const node = getNode(traj, parent);
	if (node?.kind !== 'iteration') return undefined;
	for (const id of node.children) {
		const child = getNode(traj, id);
		if (child?.kind === 'reply' && child.status === 'running') return child;
	}
	return undefined;
}

function currentRunOf(traj: TrajectoryState) {
	const id = traj.roots[traj.roots.length - 1];
	const node = id === undefined ? undefined : getNode(traj, id);
	return node?.kind === 'run' ? node : undefined;
}

const Main = memo(function Main({state, theme, now}: {state: AppState; theme: Theme; now: number}) {
	const {layout, dialog} = state;
	if (dialog?.type === 'detail') {
		const node = getNode(state.tree.traj, dialog.nodeId);
		if (node) {
			return <DetailView node={node} traj={state.tree.traj} scroll={dialog.scroll} box={layout.overlay} rows={layout.overlayRows} textWidth={detailWidth(layout)} theme={theme} />;
		}
	}
	if (dialog?.type === 'models') return <ModelPicker dialog={dialog} box={layout.overlay} rows={layout.overlayRows} theme={theme} />;
	if (dialog?.type === 'help') return <HelpView box={layout.overlay} rows={layout.overlayRows} scroll={dialog.scroll} textWidth={detailWidth(layout)} theme={theme} />;
	const step = state.running ? describeStep(state.tree.traj, now, state.config.contextLoading) : '';
	return (
		<Box flexDirection={layout.stacked ? 'column' : 'row'} height={layout.mainHeight}>
			<ChatPane
				chat={state.chat}
				input={state.input}
				focused={state.focus === 'input'}
				box={layout.chat}
				layout={layout}
				scroll={state.chatScroll}
				running={state.running}
				step={step}
				readOnly={Boolean(state.readOnly)}
				theme={theme}
				now={now}
			/>
			{/* A replay's running rows count on the log's clock, not this process's. */}
			<TreePane tree={state.tree} searching={state.treeSearch !== null && state.focus === 'tree'} box={layout.tree} rows={layout.treeRows} focused={state.focus === 'tree'} theme={theme} now={state.timeline ? timelineClock(state.timeline) : now} />
		</Box>
	);
});

export function App({rlm, config, settings, notices, onExit, cwd, env, skipStartup, replay, resume, historyFile, terminal, contextBadge, contextLoad}: AppProps) {
	const {stdout} = useStdout();
	// NO_COLOR (no-color.org): no colours anywhere, from the first frame.
	useMemo(() => setColors(!noColorIn(env ?? process.env)), [env]);
	const [state, dispatch] = useReducer(appReducer, undefined, () =>
		initialAppState({
			size: terminalSize(stdout),
			config: {
				backend: config.backend,
				model: config.model,
				...(config.baseURL ? {baseURL: config.baseURL} : {}),
				maxIterations: config.maxIterations,
				...(contextBadge ? {context: contextBadge} : {}),
			},
			notices: notices ?? [],
			// --resume says so from the first frame (reading the logs and re-running their code takes
			// a while), as work under way: the line goes once the session is open.
			...(resume && !skipStartup ? {progress: 'Opening the last session…'} : {}),
			...(replay ? {replay} : {}),
		}),
	);
	const subscribe = useMemo(() => (fn: () => void) => settings.subscribe(fn), [settings]);
	const snapshot = useMemo(() => () => settings.get(), [settings]);
	const stored = useSyncExternalStore(subscribe, snapshot);
	const theme = themeFor(stored.theme);

	const flushEvents = useEngineEvents(rlm, dispatch);
	// Bumped when Markdown and colouring arrive (after the first frame): the key redraws Main.
	const [renderers, setRenderers] = useState(renderersVersion);

	// Effects: one runner for the app's life; it always sees the latest props.
	const deps = {rlm, settings, config, dispatch, flushEvents, onExit, cwd: cwd ?? process.cwd(), env: env ?? process.env, ...(historyFile ? {historyFile} : {}), ...(terminal ? {terminal} : {}), ...(contextLoad ? {contextLoad} : {})};
	const runnerRef = useRef<EffectRunner | null>(null);
	runnerRef.current ??= new EffectRunner(deps);
	runnerRef.current.update(deps);
	const doneSeq = useRef(0);
	useEffect(() => {
		if (state.effects.length === 0) return;
		for (const effect of state.effects) {
			if (effect.seq <= doneSeq.current) continue;
			doneSeq.current = effect.seq;
			runnerRef.current!.run(effect);
		}
		dispatch({type: 'effects-done', seq: doneSeq.current});
	}, [state.effects]);
	useEffect(() => () => runnerRef.current?.dispose(), []);

	useEffect(() => {
		void runnerRef.current!.loadHistory();
		// Markdown and colouring load after the first frame; then redraw with them.
		void loadRenderers().then(() => setRenderers(renderersVersion()));
		// --resume first: it picks the last session's files before a new question can log one.
		const opened = () => dispatch({type: 'progress-done'});
		if (!skipStartup) void (resume ? runnerRef.current!.resumeLast().finally(opened) : Promise.resolve()).then(() => runnerRef.current!.startUp());
	}, [skipStartup, resume]);

	useEffect(() => {
		const onResize = () => dispatch({type: 'resize', size: terminalSize(stdout)});
		stdout.on('resize', onResize);
		return () => {
			stdout.off('resize', onResize);
		};
	}, [stdout]);

	// Engine events that came before a key are applied with it: one frame per keypress, not one
	// for the key and another for the events 16 ms later (in a busy batch, each press drew twice).
	const onInput = useCallback(
		(events: readonly InputEvent[], now: number) => {
			flushEvents();
			dispatch({type: 'input', events, now});
		},
		[flushEvents],
	);
	useTerminalInput(onInput);

	// An armed quit and a flash message last EXIT_WINDOW_MS; then the hint goes back.
	useEffect(() => {
		const since = Math.max(state.exitArmed?.at ?? -Infinity, state.flash?.at ?? -Infinity);
		if (since === -Infinity) return;
		const timer = setTimeout(() => dispatch({type: 'tick', now: performance.now()}), Math.max(0, since + EXIT_WINDOW_MS - performance.now()) + 20);
		return () => clearTimeout(timer);
	}, [state.exitArmed, state.flash]);

	// After a suspend (fg) the screen is blank: Ink draws the whole frame again.
	const {write} = useStdout();
	useEffect(() => terminal?.onResume(() => write('')), [terminal, write]);

	// One clock for spinners and running times, ticking only while a question runs.
	const now = useNow(Boolean(state.running));
	const run = currentRun(state);
	const answering = state.running && run?.status === 'running' ? run : undefined;
	const hints = useMemo(() => hintsFor(state), [state]);
	const {layout} = state;
	// Below this the panes cannot be drawn inside the window: say so instead, wrapped to fit.
	if (state.size.columns < MIN_COLUMNS || state.size.rows < MIN_ROWS) {
		return (
			<Box flexDirection="column">
				{tooSmallLines(state.size, {columns: MIN_COLUMNS, rows: MIN_ROWS}, keyLabel(GLOBAL_KEYS, 'interrupt')).map((line, index) => (
					<Text key={index} wrap="truncate">
						{line}
					</Text>
				))}
			</Box>
		);
	}
	return (
		// Not a clipping box: Ink would re-slice every line of the frame. The panes fit their rows.
		<Box flexDirection="column" width={layout.columns} height={layout.height}>
			<Main key={renderers} state={state} theme={theme} now={now} />
			<StatusLine
				width={layout.columns}
				// The running answer's own backend and model; what /model or /backend chose meanwhile is the next question's.
				backend={answering ? answering.backend : state.config.backend}
				model={answering ? answering.model : state.config.model}
				{...(answering && (answering.model !== state.config.model || answering.backend !== state.config.backend) ? {next: {backend: state.config.backend, model: state.config.model}} : {})}
				iteration={run?.iteration ?? 0}
				maxIterations={run?.maxIterations || state.config.maxIterations}
				{...(state.running ? {runningSince: state.running.since} : {})}
				cancelling={Boolean(state.running?.cancelling)}
				{...(state.lastElapsed !== undefined ? {lastElapsed: state.lastElapsed} : {})}
				usage={state.tree.traj.usage}
				costUsd={state.tree.traj.costUsd}
				{...(run ? {run: {usage: run.usage, costUsd: runCost(state.tree.traj, run)}} : {})}
				{...(state.config.context ? {context: state.config.context} : {})}
				{...(run?.limits ? {limits: run.limits} : {})}
				hints={hints}
				theme={theme}
				now={now}
			/>
		</Box>
	);
}
