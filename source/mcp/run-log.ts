// Runs as an agent asks about them: the trajectory files of MCP runs in the server's log dir,
// newest first; a run's summary (from a live tree or a logged one); its full trajectory (the
// `--replay --json` shape). The log dir is shared with the person's own sessions (the app, the
// headless CLI, serve's clients): an MCP client sees only runs made over MCP.
import {foundSoFar} from '../engine/best-answer.js';
import {readdir, stat} from 'node:fs/promises';
import {basename, join} from 'node:path';
import type {RunStatus} from '../protocol/events.js';
import {parseLogFileName} from '../trajectory/log-names.js';
import {logToEvents} from '../trajectory/log-to-events.js';
import {LogReadError, readTrajectoryLog, type TrajectoryLog} from '../trajectory/read-log.js';
import {hideUpstreams} from '../text/upstream-address.js';
import {filtered} from './for-client.js';
import {findRun, getNode, reduceAll, toNested, type RunNode, type TrajectoryNode, type TrajectoryState} from '../trajectory/tree.js';

/** Whether a file name is a trajectory an MCP run wrote (its name records the origin: log-names.ts;
 * files from before the origin was recorded may hold anyone's session, and are not shown). */
const isMcpRun = (name: string) => parseLogFileName(name)?.origin === 'mcp';

/** The last characters of the run id a trajectory file name ends with. */
const runIdTail = (name: string) => /_(\w{1,6})\.jsonl$/.exec(name)?.[1];

export interface RunSummary {
	run_id: string;
	status: RunStatus | 'running';
	question: string;
	model: string;
	/** The answer, once the run has one (answered, forced, limited: the best answer it had).
	 * Absent while it runs and when it was cancelled or failed: see partial_answer. */
	answer?: string;
	/** For a run without an answer (running, cancelled, failed): what it had found so far, the
	 * answer dict's draft, else its code's last output, else the model's last reply; never a
	 * final answer. Absent when it had nothing. */
	partial_answer?: string;
	/** The root model's iterations whose request went out: its reply came, is coming, failed or was
	 * cancelled. Not one a limit stopped before its request, nor the forced last call. rlm_query's
	 * count too. */
	iterations: number;
	max_iterations: number;
	code_blocks: number;
	failed_blocks: number;
	sub_calls: number;
	/** Sub-calls that failed (their `error_code` is in the run's tree). */
	failed_sub_calls: number;
	usage: {input_tokens: number; output_tokens: number; total_tokens: number};
	cost_usd?: number;
	/** Wall-clock milliseconds (so far, while running). */
	ms?: number;
	error?: string;
	/** With error: its stable code (`unreachable`, `auth`, `rate_limited`, ...). */
	error_code?: string;
	/** The trajectory file (`rlm-tui --replay FILE` shows it). */
	trajectory_file?: string;
	/** When the run started (ISO 8601), from the log. */
	started_at?: string;
}

/** Whether a run's status comes with an answer (a limited run's is the best it had). */
export const hasAnswer = (status: RunSummary['status']): boolean => status === 'answered' || status === 'forced' || status === 'limited';

/** A summary's answer field: `answer` for a run that has one, else `partial_answer` when there is any. */
export function answerFields(status: RunSummary['status'], text: string): Pick<RunSummary, 'answer' | 'partial_answer'> {
	return hasAnswer(status) ? {answer: text} : text ? {partial_answer: text} : {};
}

/** The run's best text: its answer, else what it found so far in the engine's order
 * (engine/best-answer.ts), fed its own replies and finished blocks from the tree. */
function bestAnswer(state: TrajectoryState, run: RunNode): string {
	if (run.answer) return run.answer;
	const found = foundSoFar();
	const visit = (id: number) => {
		const node = getNode(state, id);
		if (!node) return;
		if (node.kind === 'reply') found.reply(node.text, node.finishReason);
		else if (node.kind === 'code' && node.ok !== undefined) {
			const output = node.output === undefined ? undefined : getNode(state, node.output);
			found.block({stdout: output?.kind === 'output' ? output.stdout : '', answerDraft: node.answerDraft});
		} else if (node.kind === 'iteration') node.children.forEach(visit);
	};
	run.children.forEach(visit);
	return found.best();
}

/** Whether `node` is a model reply (asked for: it came, is coming, failed or was cancelled). */
const asked = (node: TrajectoryNode | undefined) => node?.kind === 'reply';

/** What one run did, from its tree (live or replayed). */
export function summarizeRun(state: TrajectoryState, runId: string, extra: {now?: number; costUsd?: number; file?: string; startedAt?: string} = {}): RunSummary | null {
	const run = findRun(state, runId);
	if (!run) return null;
	let codeBlocks = 0;
	let failedBlocks = 0;
	let subCalls = 0;
	let failedSubCalls = 0;
	let iterations = 0;
	const visit = (id: number) => {
		const node = getNode(state, id);
		if (!node) return;
		if (node.kind === 'iteration' && node.runId === run.runId && !node.forced && !node.afterLimit && node.children.some((child) => asked(getNode(state, child)))) iterations++;
		if (node.kind === 'code') {
			codeBlocks++;
			if (node.ok === false) failedBlocks++;
		} else if (node.kind === 'call') {
			subCalls++;
			if (node.error !== undefined) failedSubCalls++;
		}
		node.children.forEach(visit);
	};
	run.children.forEach(visit);
	const {inputTokens, outputTokens} = run.usage;
	const ms = run.ms ?? (run.endedAt !== undefined ? run.endedAt - run.startedAt : extra.now !== undefined ? extra.now - run.startedAt : undefined);
	return {
		run_id: run.runId,
		status: run.runStatus ?? 'running',
		question: run.question,
		model: run.model,
		...answerFields(run.runStatus ?? 'running', bestAnswer(state, run)),
		iterations,
		max_iterations: run.maxIterations,
		code_blocks: codeBlocks,
		failed_blocks: failedBlocks,
		sub_calls: subCalls,
		failed_sub_calls: failedSubCalls,
		usage: {input_tokens: inputTokens, output_tokens: outputTokens, total_tokens: inputTokens + outputTokens},
		...(extra.costUsd !== undefined ? {cost_usd: extra.costUsd} : {}),
		...(ms !== undefined ? {ms: Math.round(ms)} : {}),
		...(run.error ? {error: run.error} : {}),
		...(run.error && run.errorCode ? {error_code: run.errorCode} : {}),
		...(extra.file ? {trajectory_file: extra.file} : {}),
		...(extra.startedAt ? {started_at: extra.startedAt} : {}),
	};
}

/** The trajectory files of MCP runs in `dir`, newest first (none when the dir does not exist yet). */
export async function listRunFiles(dir: string, limit: number): Promise<string[]> {
	const names = await readdir(dir).catch(() => [] as string[]);
	const files = await Promise.all(
		names
			.filter(isMcpRun)
			.map(async (name) => ({path: join(dir, name), mtime: (await stat(join(dir, name)).catch(() => null))?.mtimeMs ?? 0})),
	);
	return files
		.sort((a, b) => b.mtime - a.mtime || (a.path < b.path ? 1 : -1))
		.slice(0, limit)
		.map((file) => file.path);
}

export interface LoggedRun {
	log: TrajectoryLog;
	state: TrajectoryState;
	runId: string;
}

/** A logged run, read and replayed into a tree. @throws LogReadError when the file is not a trajectory. */
export function readLoggedRun(file: string): LoggedRun {
	const log = readTrajectoryLog(file);
	const state = reduceAll(logToEvents(log));
	const root = getNode(state, state.roots[0] ?? -1);
	if (root?.kind !== 'run') throw new LogReadError(`${basename(file)} holds no run`);
	return {log, state, runId: root.runId};
}

/** The summary of a logged run, without the servers it logged (loggedUpstreamsHidden). */
export function loggedSummary(file: string, run: LoggedRun = readLoggedRun(file)): RunSummary {
	return loggedUpstreamsHidden(run, summarizeRun(run.state, run.runId, {file, startedAt: run.log.metadata.timestamp})!);
}

/**
 * `value` with the servers `run` logged (its root's base URL, its sub-calls') read as "the
 * upstream server": the transport's filter (for-client.ts) knows only the servers this process
 * runs with, and the run may have been logged by one started with other flags.
 */
function loggedUpstreamsHidden<T>(run: LoggedRun, value: T): T {
	const {metadata} = run.log;
	const urls = [metadata.backend_kwargs['base_url'], metadata.rlm_tui?.sub_base_url].filter((url): url is string => typeof url === 'string' && url !== '');
	return urls.length ? filtered(value, (text) => hideUpstreams(text, urls)) : value;
}

/**
 * The file in `dir` that logged the MCP run `ref`: a file name from the listing, or a run id.
 * @returns null when there is none (a run of another front end, too).
 */
export async function findRunFile(dir: string, ref: string): Promise<string | null> {
	const names = (await readdir(dir).catch(() => [] as string[])).filter(isMcpRun);
	// Only a bare name from the listing: no path may lead out of the log dir.
	if (names.includes(ref)) return join(dir, ref);
	const tail = ref.slice(-6);
	for (const name of names) {
		if (runIdTail(name) !== tail) continue;
		try {
			if (readLoggedRun(join(dir, name)).log.metadata.rlm_tui?.run_id === ref) return join(dir, name);
		} catch {
			// not readable: not the one
		}
	}
	return null;
}

/** The whole trajectory as `rlm-tui --replay FILE --json` prints it, without the logged context
 * text (the caller sent it; it can be large). */
export function fullTrajectory(run: LoggedRun): unknown {
	const {metadata} = run.log;
	const ours = metadata.rlm_tui ? (({context_text: _dropped, ...rest}) => rest)(metadata.rlm_tui) : undefined;
	return loggedUpstreamsHidden(run, {metadata: {...metadata, ...(ours ? {rlm_tui: ours} : {})}, runs: toNested(run.state)});
}
