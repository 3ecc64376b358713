// MCP progress for one rlm_query call, from the engine's events: one notification when each
// iteration of the root run starts, one when each of its sub-call batches has finished (an
// llm_query is a batch of one), and heartbeats between. Tokens are the whole tree's so far.
import type {RlmEvent} from '../protocol/events.js';
import {emptyTrajectory, reduceTrajectory, type TrajectoryState} from '../trajectory/tree.js';
import {formatCount} from '../protocol/numbers.js';

/** The fields of an MCP `notifications/progress` besides the token. `progress` increases with every
 * notification (the spec requires it): iteration n starts at n; the k-th step after that (a
 * finished batch or a heartbeat) is at n + 1 - 1/(k + 1), so every step of iteration n stays below
 * n + 1. `total` is the iteration cap. */
export interface ProgressStep {
	progress: number;
	total: number;
	message: string;
}

export interface RunProgress {
	onEvent(event: RlmEvent): void;
	/** A step that only says the run is alive (clients reset their request timeout on progress);
	 * nothing before the first iteration. */
	heartbeat(): void;
	/** The whole tree so far (usage for the result). */
	readonly tree: TrajectoryState;
	/** Estimated USD so far (the sum of the costs the engine put on its events); undefined while
	 * no model's price is known. */
	readonly costUsd: number | undefined;
}

interface OpenBatch {
	fn: string;
	started: number;
	done: number;
}

const count = (n: number) => formatCount(n);

/** Follows a run's events and calls `deliver` for each step worth telling. */
export function runProgress(deliver: (step: ProgressStep) => void): RunProgress {
	let tree = emptyTrajectory();
	let rootRunId: string | undefined;
	let maxIterations = 0;
	let iteration = 0;
	/** Steps sent in this iteration after its start. */
	let steps = 0;
	/** What the root run is doing between steps, for heartbeats. */
	let phase = 'waiting for the model';
	let subCalls = 0;
	let batch: OpenBatch | null = null;
	const rootCalls = new Set<string>();

	const totals = () => {
		const tokens = tree.usage.inputTokens + tree.usage.outputTokens;
		const usd = tree.costUsd;
		return `${count(tokens)} tokens${usd !== undefined ? ` · $${usd.toFixed(4)}` : ''}`;
	};
	const send = (message: string) => {
		steps++;
		deliver({progress: iteration + 1 - 1 / (steps + 1), total: maxIterations, message: `iteration ${iteration}/${maxIterations}${message} · ${totals()}`});
	};
	const closeBatch = () => {
		if (!batch) return;
		const closed = batch;
		batch = null;
		send(`: ${closed.fn} × ${count(closed.started)} done (${count(subCalls)} sub-calls so far)`);
	};

	return {
		heartbeat() {
			if (rootRunId === undefined || iteration === 0) return;
			send(batch ? `: ${batch.fn} × ${count(batch.started)} running` : `: ${phase}`);
		},
		onEvent(event) {
			tree = reduceTrajectory(tree, event);
			if (event.type === 'run.start' && event.parentCallId === undefined) {
				rootRunId = event.runId;
				maxIterations = event.maxIterations;
				return;
			}
			if (event.type === 'call.done' && rootCalls.has(event.callId)) {
				if (batch) batch.done++;
				return;
			}
			if (!('runId' in event) || event.runId !== rootRunId) return;
			switch (event.type) {
				case 'iter.start':
					closeBatch();
					iteration = event.iteration;
					steps = 0;
					phase = 'waiting for the model';
					deliver({progress: iteration, total: maxIterations, message: `iteration ${iteration}/${maxIterations} · ${totals()}`});
					break;
				case 'llm.done':
					phase = 'running its code';
					break;
				case 'call.start':
					// A new batch begins with slot 0; the previous one has finished by then (Python waits for it).
					if (event.index === 0) closeBatch();
					batch ??= {fn: event.fn, started: 0, done: 0};
					batch.started++;
					subCalls++;
					rootCalls.add(event.callId);
					break;
				case 'code.done':
				case 'run.done':
					closeBatch();
					break;
			}
		},
		get tree() {
			return tree;
		},
		get costUsd() {
			return tree.costUsd;
		},
	};
}
