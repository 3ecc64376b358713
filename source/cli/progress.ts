// Headless progress on a terminal: one stderr spinner line with the iteration, the elapsed time,
// the tokens and the cost where the models' prices are known. Lines the exec log writes pass
// above it (yocto-spinner clears and redraws around every write).
import yoctoSpinner from 'yocto-spinner';
import type {RlmEvent} from '../protocol/events.js';
import type {TrajectoryState} from '../trajectory/tree.js';
import {formatClock, formatCost, formatTokens} from '../text/units.js';
import {limitsText} from '../text/limits-text.js';
import type {LimitCaps, LimitUse} from '../protocol/limits.js';

export interface Progress {
	/** Feed each event after the tree has taken it. */
	onEvent(event: RlmEvent, tree: TrajectoryState): void;
	/** Clears the line and gives the cursor back. Safe to call twice. */
	stop(): void;
}

/** The spinner line's text, e.g. `iter 2/30 · 0:12 · 2.6k tokens · ~$0.0123`, then use against
 * the run-wide limits that are set (`· limits 2.6k/50k tok · 4/500 sub-calls`). */
export function progressText(options: {
	iteration: number;
	maxIterations: number;
	elapsedMs: number;
	tree: TrajectoryState;
	limits?: {caps: LimitCaps; use: LimitUse};
}): string {
	const limits = options.limits ? limitsText(options.limits.caps, options.limits.use, {elapsedMs: options.elapsedMs, skipUnused: true}) : '';
	const {usage, costUsd: cost} = options.tree;
	const tokens = usage.inputTokens + usage.outputTokens;
	return [
		options.iteration > 0 ? `iter ${options.iteration}/${options.maxIterations}` : 'starting',
		formatClock(options.elapsedMs),
		`${formatTokens(tokens)} tokens`,
		cost !== undefined ? `~${formatCost(cost)}` : '',
		limits ? `limits ${limits}` : '',
	]
		.filter(Boolean)
		.join(' · ');
}

/** A spinner on `stream` when it is an interactive terminal (not CI, not TERM=dumb); else nothing. */
export function startProgress(stream: NodeJS.WriteStream, maxIterations: number): Progress | undefined {
	if (!stream.isTTY || process.env.TERM === 'dumb' || 'CI' in process.env) return undefined;
	const started = performance.now();
	let iteration = 0;
	let rootRunId: string | undefined;
	let tree: TrajectoryState | undefined;
	let limits: {caps: LimitCaps; use: LimitUse} | undefined;
	const spinner = yoctoSpinner({stream, handleSignals: false, text: 'starting'}).start();
	let stopped = false;
	// yocto-spinner draws on every text change, stopped or not: a stopped line is not drawn again
	// (an event that came in as the process exited, after Ctrl+\, left the line on the screen).
	const refresh = () => {
		if (tree && !stopped) spinner.text = progressText({iteration, maxIterations, elapsedMs: performance.now() - started, tree, ...(limits ? {limits} : {})});
	};
	const clock = setInterval(refresh, 250);
	clock.unref();
	return {
		onEvent(event, state) {
			if (stopped) return;
			tree = state;
			if (event.type === 'run.start' && event.depth === 0) rootRunId = event.runId;
			if (event.type === 'iter.start' && event.runId === rootRunId) iteration = event.iteration;
			if (event.type === 'limits') limits = {caps: event.caps, use: event.use};
			refresh();
		},
		stop() {
			if (stopped) return;
			stopped = true;
			clearInterval(clock);
			spinner.stop();
		},
	};
}
