// The trajectory tree: one pure reducer turning the engine's event stream into a tree of
// run -> iteration -> reply / code block -> output / sub-call -> child run (any depth).
// Shared by the TUI, the JSONL logs and --json, so it knows nothing of React or terminals.
//
// Updates are immutable with structural sharing: a changed node is a new object, and so is every
// ancestor whose rolled-up usage or children changed; untouched nodes keep their identity (React
// memo works on them). Nodes live in a chunked persistent vector (their ids are indices), so an
// event costs O(depth + chunk) rather than O(nodes).
import type {ChatMessage, FinishReason, RetryFacts, Usage} from '../protocol/llm.js';
import type {CallFunction, ContextInfo, PromptTruncation, RlmEvent, RunStatus, SystemPromptChoice} from '../protocol/events.js';
import {LIMIT_NAMES, type LimitCaps, type LimitName, type LimitUse} from '../protocol/limits.js';
import type {RunErrorCode} from '../protocol/errors.js';
import type {VariableInfo} from '../protocol/repl.js';
import {Map as PersistentMap} from 'immutable';
import {emptyVector, vectorGet, VectorDraft, type NodeVector} from './store.js';

export type NodeStatus = 'running' | 'done' | 'error' | 'cancelled';
export type NodeKind = 'run' | 'iteration' | 'reply' | 'reasoning' | 'code' | 'output' | 'call' | 'notice';

interface NodeBase {
	/** Index in the tree; stable for the node's life. */
	readonly id: number;
	/** Parent node id, or -1 for a root run. */
	readonly parent: number;
	/** Nesting level (0 for a root run). */
	readonly level: number;
	readonly children: readonly number[];
	readonly status: NodeStatus;
	/** Monotonic ms (the event's `t`) when the node started, and when it ended. */
	readonly startedAt: number;
	readonly endedAt?: number;
	/** Duration: reported by the engine where it reports one, else endedAt - startedAt. */
	readonly ms?: number;
	/** Tokens rolled up over this node and everything beneath it. */
	readonly usage: Usage;
	/** Inclusive usage the engine reported for this node itself (llm.done, call.done, run.done). */
	readonly reported?: Usage;
	/** Sum of the children's rolled-up usage. */
	readonly childUsage: Usage;
}

export interface RunNode extends NodeBase {
	readonly kind: 'run';
	readonly runId: string;
	readonly parentCallId?: string;
	/** The engine's recursion depth (0 for the root RLM). */
	readonly depth: number;
	readonly model: string;
	readonly backend: string;
	readonly question: string;
	readonly context: ContextInfo;
	readonly maxIterations: number;
	/** The user's instructions / replacement system prompt, when there were any. */
	readonly system?: SystemPromptChoice;
	/** Latest iteration number started. */
	readonly iteration: number;
	readonly answer?: string;
	readonly runStatus?: RunStatus;
	/** With runStatus `limited`: the limit that stopped the run. */
	readonly limit?: LimitName;
	readonly error?: string;
	/** With error: its stable code (absent in logs written before codes were kept). */
	readonly errorCode?: RunErrorCode;
	/** Root runs: the caps of the whole tree and the latest use against them. */
	readonly limits?: {readonly caps: LimitCaps; readonly use: LimitUse; readonly defaults?: readonly LimitName[]};
}

export interface IterationNode extends NodeBase {
	readonly kind: 'iteration';
	readonly runId: string;
	readonly iteration: number;
	readonly maxIterations: number;
	/** The one call for a best answer after the iterations ran out (numbered maxIterations + 1 by
	 * the engine) or after a limit stopped the run (then `afterLimit`): not an iteration of its own,
	 * so never counted as one. */
	readonly forced?: boolean;
	readonly afterLimit?: boolean;
}

export interface ReplyNode extends NodeBase {
	readonly kind: 'reply';
	readonly runId: string;
	readonly iteration: number;
	readonly model: string;
	/** Streamed text so far; the full reply once done. */
	readonly text: string;
	readonly messages?: number;
	readonly promptChars?: number;
	/** The messages sent for this reply, when the event carried them (left out of toNested). */
	readonly prompt?: readonly ChatMessage[];
	/** Why the reply ended ('length': cut at the output-token limit). */
	readonly finishReason?: FinishReason;
	/** Set when the server kept fewer prompt tokens than were sent. */
	readonly promptTruncated?: PromptTruncation;
	/** Estimated USD the engine priced this call at (absent when the price is unknown). */
	readonly costUsd?: number;
	/** The call failed (status 'error'): why, and its code. `text` is what streamed before. */
	readonly error?: string;
	readonly errorCode?: RunErrorCode;
}

/** A model's thinking, under its reply or sub-call: shown and logged, never run, never the answer.
 * Running while it streams; done once the answer starts (or the reply ends). */
export interface ReasoningNode extends NodeBase {
	readonly kind: 'reasoning';
	readonly text: string;
}

export interface CodeNode extends NodeBase {
	readonly kind: 'code';
	readonly runId: string;
	readonly iteration: number;
	readonly block: number;
	readonly code: string;
	readonly ok?: boolean;
	readonly error?: string;
	readonly final?: string | null;
	readonly limit?: string;
	readonly restarted?: boolean;
	/** The block's answer had nothing visible and was not taken (code.done answerRefused). */
	readonly answerRefused?: 'empty';
	/** `answer["content"]` after the block, when set and not submitted (code.done answerDraft). */
	readonly answerDraft?: string;
	readonly truncatedChars: number;
	readonly variables?: readonly VariableInfo[];
	/** Id of the output node, once there is output. */
	readonly output?: number;
}

export interface OutputNode extends NodeBase {
	readonly kind: 'output';
	/** stdout and stderr interleaved as they streamed. */
	readonly text: string;
	readonly stdout: string;
	readonly stderr: string;
	readonly error?: string;
	/** Its block's answer had nothing visible and was not taken: the output ends with the note saying so. */
	readonly answerRefused?: 'empty';
	readonly truncatedChars: number;
}

export interface CallNode extends NodeBase {
	readonly kind: 'call';
	readonly callId: string;
	readonly runId: string;
	readonly iteration: number;
	readonly block: number;
	readonly callKind: 'llm' | 'rlm' | 'tool';
	readonly fn: CallFunction;
	/** Slot in a batched call (0 for plain calls). */
	readonly index: number;
	/** A batched call's number of prompts (call.start batchSize), when the log or event gave it. */
	readonly batchSize?: number;
	readonly model: string;
	/** The backend that answered, when it is not its run's (sub-calls on --sub-backend / --sub-url). */
	readonly backend?: string;
	readonly prompt: string;
	/** Streamed response so far; the full response once done. */
	readonly response: string;
	readonly error?: string;
	/** With error: its stable code (absent in logs written before codes were kept). */
	readonly errorCode?: RunErrorCode;
	/** Why the sub-model's reply ended ('length': cut at the output-token limit). */
	readonly finishReason?: FinishReason;
	/** Set when the server kept fewer prompt tokens than were sent. */
	readonly promptTruncated?: PromptTruncation;
	/** Estimated USD the engine priced this sub-model call at (an llm call's own; absent when unknown). */
	readonly costUsd?: number;
	/** Id of the child run started by rlm_query. */
	readonly childRun?: number;
}

export interface NoticeNode extends NodeBase {
	readonly kind: 'notice';
	readonly runId: string;
	readonly noticeLevel: 'info' | 'warn' | 'error';
	/** The notice's stable name ('param_dropped', 'reasoning_only', ...). */
	readonly code: string;
	readonly message: string;
	/** The model of the work it reports (a compaction's summary call), and its estimated USD. */
	readonly model?: string;
	readonly costUsd?: number;
	/** A retry notice's facts (the event's `retry`). */
	readonly retry?: RetryFacts;
	/** A retry notice: the length of the thinking its running reply had shown when it came (thinking
	 * past it is the next try's). */
	readonly thoughtChars?: number;
}

export type TrajectoryNode = RunNode | IterationNode | ReplyNode | ReasoningNode | CodeNode | OutputNode | CallNode | NoticeNode;

export interface TrajectoryState {
	readonly nodes: NodeVector<TrajectoryNode>;
	/** Root runs, in order (one per completion). */
	readonly roots: readonly number[];
	/** Rolled up over every root. */
	readonly usage: Usage;
	/** Tokens per model (replies under the run's model, llm sub-calls under theirs), for cost. */
	readonly usageByModel: Readonly<Record<string, Usage>>;
	/** Estimated USD over every reply and sub-call whose price the engine knew (their events'
	 * costUsd); undefined while none was priced. */
	readonly costUsd: number | undefined;
	/** Tokens per backend (by the labels events give) and model, to say which backend answered what. */
	readonly usageByBackend: Readonly<Record<string, Readonly<Record<string, Usage>>>>;
	/** Estimated USD per backend label, as costUsd (a backend absent: none of its calls priced). */
	readonly costByBackend: Readonly<Record<string, number>>;
	/** Id of the most recently created node (-1 when empty). */
	readonly newest: number;
	/** Bumped on every event that changed something. */
	readonly version: number;
	/** Engine ids to node ids. Persistent maps: a reduction makes new ones and never changes an
	 * older state's, so stepping back (replay) or branching from an older state stays exact. */
	readonly runIndex: PersistentMap<string, number>;
	readonly callIndex: PersistentMap<string, number>;
}

const ZERO: Usage = Object.freeze({inputTokens: 0, outputTokens: 0});

export function emptyTrajectory(): TrajectoryState {
	return {
		nodes: emptyVector(),
		roots: [],
		usage: ZERO,
		usageByModel: {},
		costUsd: undefined,
		usageByBackend: {},
		costByBackend: {},
		newest: -1,
		version: 0,
		runIndex: PersistentMap(),
		callIndex: PersistentMap(),
	};
}

export function getNode(state: TrajectoryState, id: number): TrajectoryNode | undefined {
	return vectorGet(state.nodes, id);
}

export function nodeCount(state: TrajectoryState): number {
	return state.nodes.size;
}

export function findRun(state: TrajectoryState, runId: string): RunNode | undefined {
	const id = state.runIndex.get(runId);
	if (id === undefined) return undefined;
	const node = vectorGet(state.nodes, id);
	return node?.kind === 'run' && node.runId === runId ? node : undefined;
}

export function findCall(state: TrajectoryState, callId: string): CallNode | undefined {
	const id = state.callIndex.get(callId);
	if (id === undefined) return undefined;
	const node = vectorGet(state.nodes, id);
	return node?.kind === 'call' && node.callId === callId ? node : undefined;
}

/** The node's ancestors, nearest first. */
export function ancestors(state: TrajectoryState, id: number): TrajectoryNode[] {
	const out: TrajectoryNode[] = [];
	let node = getNode(state, id);
	while (node && node.parent >= 0) {
		node = getNode(state, node.parent);
		if (node) out.push(node);
	}
	return out;
}

const addU = (a: Usage, b: Usage): Usage =>
	b.inputTokens === 0 && b.outputTokens === 0
		? a
		: {inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens};
const maxU = (a: Usage, b: Usage): Usage => ({
	inputTokens: Math.max(a.inputTokens, b.inputTokens),
	outputTokens: Math.max(a.outputTokens, b.outputTokens),
});
const subU = (a: Usage, b: Usage): Usage => ({
	inputTokens: a.inputTokens - b.inputTokens,
	outputTokens: a.outputTokens - b.outputTokens,
});
const isZero = (u: Usage) => u.inputTokens === 0 && u.outputTokens === 0;
const cleanUsage = (u: Usage | undefined): Usage => ({
	inputTokens: Number.isFinite(u?.inputTokens) ? Math.max(0, u!.inputTokens) : 0,
	outputTokens: Number.isFinite(u?.outputTokens) ? Math.max(0, u!.outputTokens) : 0,
});

type Writable<T> = {-readonly [K in keyof T]: T[K]};
type NewNode = Omit<TrajectoryNode, 'id' | 'parent' | 'level' | 'children' | 'usage' | 'childUsage'>;

/** One reduction's mutable view: writes copy each node once, then the state is rebuilt. */
class Tx {
	readonly nodes: VectorDraft<TrajectoryNode>;
	roots: readonly number[];
	usage: Usage;
	usageByModel: Readonly<Record<string, Usage>>;
	costUsd: number | undefined;
	usageByBackend: Readonly<Record<string, Readonly<Record<string, Usage>>>>;
	costByBackend: Readonly<Record<string, number>>;
	newest: number;
	runIndex: PersistentMap<string, number>;
	callIndex: PersistentMap<string, number>;
	/** Node ids already copied in this reduction (safe to mutate in place). */
	readonly #fresh = new Set<number>();

	constructor(readonly state: TrajectoryState) {
		this.nodes = new VectorDraft(state.nodes);
		this.roots = state.roots;
		this.usage = state.usage;
		this.usageByModel = state.usageByModel;
		this.costUsd = state.costUsd;
		this.usageByBackend = state.usageByBackend ?? {};
		this.costByBackend = state.costByBackend ?? {};
		this.newest = state.newest;
		this.runIndex = state.runIndex;
		this.callIndex = state.callIndex;
	}

	get(id: number): TrajectoryNode {
		return this.nodes.get(id);
	}

	/** A writable copy of the node, made once per reduction. */
	edit<T extends TrajectoryNode>(id: number): Writable<T> {
		const node = this.nodes.get(id) as T;
		if (this.#fresh.has(id)) return node;
		const copy = {...node} as Writable<T>;
		this.nodes.set(id, copy as unknown as TrajectoryNode);
		this.#fresh.add(id);
		return copy;
	}

	/** `before`: true puts the node before its siblings (a code block's output, whatever order it
	 * came in); a sibling's id puts it just before that sibling. */
	add(parent: number, fields: NewNode & {startedAt: number}, before: boolean | number = false): number {
		const id = this.nodes.size;
		const level = parent >= 0 ? this.get(parent).level + 1 : 0;
		const node = {...fields, id, parent, level, children: [], usage: ZERO, childUsage: ZERO} as unknown as TrajectoryNode;
		this.nodes.push(node);
		this.#fresh.add(id);
		if (parent >= 0) {
			const p = this.edit(parent);
			const at = before === true ? 0 : before === false ? -1 : p.children.indexOf(before);
			p.children = at < 0 ? [...p.children, id] : [...p.children.slice(0, at), id, ...p.children.slice(at)];
		} else {
			this.roots = [...this.roots, id];
		}
		this.newest = id;
		return id;
	}

	/** Sets the engine's inclusive usage for a node and rolls the change up to the roots. */
	report(id: number, usage: Usage): void {
		const node = this.edit(id);
		node.reported = cleanUsage(usage);
		this.#retotal(id);
	}

	countModel(model: string, usage: Usage, backend: string): void {
		const clean = cleanUsage(usage);
		if (isZero(clean)) return;
		this.usageByModel = {...this.usageByModel, [model]: addU(this.usageByModel[model] ?? ZERO, clean)};
		const models = this.usageByBackend[backend] ?? {};
		this.usageByBackend = {...this.usageByBackend, [backend]: {...models, [model]: addU(models[model] ?? ZERO, clean)}};
	}

	addCost(usd: number | undefined, backend: string): void {
		if (usd === undefined || !Number.isFinite(usd) || usd < 0) return;
		this.costUsd = (this.costUsd ?? 0) + usd;
		this.costByBackend = {...this.costByBackend, [backend]: (this.costByBackend[backend] ?? 0) + usd};
	}

	#retotal(id: number): void {
		let current = id;
		for (;;) {
			const node = this.get(current);
			const total = node.reported ? maxU(node.reported, node.childUsage) : node.childUsage;
			const delta = subU(total, node.usage);
			if (isZero(delta)) return;
			this.edit(current).usage = total;
			if (node.parent < 0) {
				this.usage = addU(this.usage, delta);
				return;
			}
			const parent = this.edit(node.parent);
			parent.childUsage = addU(parent.childUsage, delta);
			current = node.parent;
		}
	}

	end(id: number, t: number, status: NodeStatus, ms?: number): void {
		const node = this.edit(id);
		node.status = status;
		node.endedAt = t;
		node.ms = ms ?? Math.max(0, t - node.startedAt);
	}

	finish(): TrajectoryState {
		return {
			nodes: this.nodes.finish(),
			roots: this.roots,
			usage: this.usage,
			usageByModel: this.usageByModel,
			costUsd: this.costUsd,
			usageByBackend: this.usageByBackend,
			costByBackend: this.costByBackend,
			newest: this.newest,
			version: this.state.version + 1,
			runIndex: this.runIndex,
			callIndex: this.callIndex,
		};
	}
}

function lookupRun(tx: Tx, runId: string): number | undefined {
	const id = tx.runIndex.get(runId);
	if (id === undefined || id >= tx.nodes.size) return undefined;
	const node = tx.get(id);
	return node.kind === 'run' && node.runId === runId ? id : undefined;
}

function lookupCall(tx: Tx, callId: string): number | undefined {
	const id = tx.callIndex.get(callId);
	if (id === undefined || id >= tx.nodes.size) return undefined;
	const node = tx.get(id);
	return node.kind === 'call' && node.callId === callId ? id : undefined;
}

/** The run's node, created as a placeholder root when the stream never announced it. */
function ensureRun(tx: Tx, runId: string, t: number): number {
	const known = lookupRun(tx, runId);
	if (known !== undefined) return known;
	const id = tx.add(-1, {
		kind: 'run',
		runId,
		depth: 0,
		model: '',
		backend: '',
		question: '',
		context: {type: 'none', chars: 0},
		maxIterations: 0,
		iteration: 0,
		status: 'running',
		startedAt: t,
	} as NewNode & {startedAt: number});
	tx.runIndex = tx.runIndex.set(runId, id);
	return id;
}

function findChild(tx: Tx, parent: number, match: (node: TrajectoryNode) => boolean): number | undefined {
	const children = tx.get(parent).children;
	for (let i = children.length - 1; i >= 0; i--) {
		if (match(tx.get(children[i]!))) return children[i];
	}
	return undefined;
}

function ensureIteration(tx: Tx, runId: string, iteration: number, t: number, maxIterations?: number, final?: 'forced' | 'limited'): number {
	const run = ensureRun(tx, runId, t);
	const known = findChild(tx, run, n => n.kind === 'iteration' && n.iteration === iteration);
	if (known !== undefined) return known;
	// A new iteration ends the previous running one.
	const previous = findChild(tx, run, n => n.kind === 'iteration');
	if (previous !== undefined && tx.get(previous).status === 'running') tx.end(previous, t, 'done');
	const runNode = tx.get(run) as RunNode;
	const max = maxIterations ?? runNode.maxIterations;
	const forced = final !== undefined || (max > 0 && iteration > max);
	const id = tx.add(run, {
		kind: 'iteration',
		runId,
		iteration,
		maxIterations: max,
		...(forced ? {forced} : {}),
		...(final === 'limited' ? {afterLimit: true} : {}),
		status: 'running',
		startedAt: t,
	} as NewNode & {startedAt: number});
	if (!forced && iteration > runNode.iteration) tx.edit<RunNode>(run).iteration = iteration;
	return id;
}

function ensureReply(tx: Tx, runId: string, iteration: number, t: number, final?: 'forced' | 'limited'): number {
	const iter = ensureIteration(tx, runId, iteration, t, undefined, final);
	const known = findChild(tx, iter, n => n.kind === 'reply');
	if (known !== undefined) return known;
	const run = tx.get(ensureRun(tx, runId, t)) as RunNode;
	return tx.add(iter, {
		kind: 'reply',
		runId,
		iteration,
		model: run.model,
		text: '',
		status: 'running',
		startedAt: t,
	} as NewNode & {startedAt: number});
}

/** The reasoning node under a reply or a call (made first among its children). */
function ensureReasoning(tx: Tx, parent: number, t: number): number {
	const known = findChild(tx, parent, n => n.kind === 'reasoning');
	if (known !== undefined) return known;
	return tx.add(parent, {kind: 'reasoning', text: '', status: 'running', startedAt: t} as NewNode & {startedAt: number}, true);
}

/** Ends the thinking under `parent` once its answer starts or it is done. */
function endReasoning(tx: Tx, parent: number, t: number): void {
	const id = findChild(tx, parent, n => n.kind === 'reasoning');
	if (id !== undefined && tx.get(id).status === 'running') tx.end(id, t, 'done');
}

/** Streamed thinking; `moved` text had streamed as answer text and leaves it. */
function addReasoning(tx: Tx, parent: number, t: number, text: string, moved: boolean, field: 'text' | 'response'): void {
	const reasoning = tx.edit<ReasoningNode>(ensureReasoning(tx, parent, t));
	reasoning.text += text;
	if (moved) {
		const owner = tx.edit<ReplyNode | CallNode>(parent) as {text?: string; response?: string};
		const shown = owner[field] ?? '';
		owner[field] = shown.startsWith(text) ? shown.slice(text.length) : '';
	}
}

/** The whole thinking a done event reports (it wins over what streamed). */
function settleReasoning(tx: Tx, parent: number, t: number, text: string | undefined): void {
	if (text) tx.edit<ReasoningNode>(ensureReasoning(tx, parent, t)).text = text;
	endReasoning(tx, parent, t);
}

function ensureCode(tx: Tx, runId: string, iteration: number, block: number, t: number): number {
	const iter = ensureIteration(tx, runId, iteration, t);
	const known = findChild(tx, iter, n => n.kind === 'code' && n.block === block);
	if (known !== undefined) return known;
	return tx.add(iter, {
		kind: 'code',
		runId,
		iteration,
		block,
		code: '',
		truncatedChars: 0,
		status: 'running',
		startedAt: t,
	} as NewNode & {startedAt: number});
}

function ensureOutput(tx: Tx, code: number, t: number): number {
	const known = (tx.get(code) as CodeNode).output;
	if (known !== undefined) return known;
	const id = tx.add(code, {
		kind: 'output',
		text: '',
		stdout: '',
		stderr: '',
		truncatedChars: 0,
		status: 'running',
		startedAt: t,
	} as NewNode & {startedAt: number}, true);
	tx.edit<CodeNode>(code).output = id;
	return id;
}

/** Ends every running node beneath `id` (not crossing into finished child runs). `endUnknown`:
 * its log ends before they did (a killed run), so they get no duration. */
function settleBeneath(tx: Tx, id: number, t: number, status: NodeStatus, endUnknown = false): void {
	const stack = [...tx.get(id).children];
	while (stack.length > 0) {
		const child = stack.pop()!;
		const node = tx.get(child);
		if (node.kind === 'run' && node.status !== 'running') continue;
		if (node.status === 'running') {
			if (node.kind === 'run') {
				const run = tx.edit<RunNode>(child);
				run.runStatus = status === 'done' ? 'answered' : status === 'cancelled' ? 'cancelled' : 'failed';
			}
			tx.end(child, t, status);
			if (endUnknown) delete tx.edit(child).ms;
		}
		stack.push(...node.children);
	}
}

/** The backend label of a run ('' when the run is unknown). */
function backendOfRun(tx: Tx, runId: string): string {
	const id = lookupRun(tx, runId);
	const run = id === undefined ? undefined : tx.get(id);
	return run?.kind === 'run' ? run.backend : '';
}

/** Applies one engine event. Pure: the input state is never modified. */
export function reduceTrajectory(state: TrajectoryState, event: RlmEvent): TrajectoryState {
	const tx = new Tx(state);
	const t = typeof event.t === 'number' && Number.isFinite(event.t) ? event.t : 0;
	switch (event.type) {
		case 'run.start': {
			const announced = {
				depth: event.depth,
				model: event.model,
				backend: event.backend,
				question: event.question,
				context: event.context,
				maxIterations: event.maxIterations,
				...(event.system ? {system: event.system} : {}),
			};
			if (lookupRun(tx, event.runId) !== undefined) {
				// Repeated announcement (or a placeholder made earlier): refresh its fields.
				Object.assign(tx.edit<RunNode>(lookupRun(tx, event.runId)!), announced);
				break;
			}
			const call = event.parentCallId === undefined ? undefined : lookupCall(tx, event.parentCallId);
			const id = tx.add(call ?? -1, {
				kind: 'run',
				runId: event.runId,
				...(event.parentCallId === undefined ? {} : {parentCallId: event.parentCallId}),
				...announced,
				iteration: 0,
				status: 'running',
				startedAt: t,
			} as NewNode & {startedAt: number});
			tx.runIndex = tx.runIndex.set(event.runId, id);
			if (call !== undefined) tx.edit<CallNode>(call).childRun = id;
			break;
		}
		case 'iter.start': {
			ensureIteration(tx, event.runId, event.iteration, t, event.maxIterations);
			break;
		}
		case 'llm.start': {
			const reply = tx.edit<ReplyNode>(ensureReply(tx, event.runId, event.iteration, t, event.final));
			reply.messages = event.messages;
			reply.promptChars = event.promptChars;
			if (event.prompt) reply.prompt = event.prompt;
			break;
		}
		case 'llm.delta': {
			const id = ensureReply(tx, event.runId, event.iteration, t);
			tx.edit<ReplyNode>(id).text += event.text;
			endReasoning(tx, id, t);
			break;
		}
		case 'llm.restart': {
			tx.edit<ReplyNode>(ensureReply(tx, event.runId, event.iteration, t)).text = '';
			break;
		}
		case 'llm.reasoning': {
			addReasoning(tx, ensureReply(tx, event.runId, event.iteration, t), t, event.text, event.movedFromReply === true, 'text');
			break;
		}
		case 'llm.done': {
			const id = ensureReply(tx, event.runId, event.iteration, t);
			settleReasoning(tx, id, t, event.reasoning);
			const reply = tx.edit<ReplyNode>(id);
			reply.text = event.text;
			if (event.finishReason !== undefined) reply.finishReason = event.finishReason;
			if (event.promptTruncated !== undefined) reply.promptTruncated = event.promptTruncated;
			tx.end(id, t, 'done', event.ms);
			tx.report(id, event.usage);
			const backend = backendOfRun(tx, event.runId);
			tx.countModel(reply.model, event.usage, backend);
			tx.addCost(event.costUsd, backend);
			if (event.costUsd !== undefined) reply.costUsd = event.costUsd;
			break;
		}
		case 'llm.error': {
			const id = ensureReply(tx, event.runId, event.iteration, t);
			settleReasoning(tx, id, t, undefined);
			const reply = tx.edit<ReplyNode>(id);
			reply.error = event.error;
			if (event.errorCode !== undefined) reply.errorCode = event.errorCode;
			tx.end(id, t, 'error', event.ms);
			break;
		}
		case 'code.start': {
			const code = tx.edit<CodeNode>(ensureCode(tx, event.runId, event.iteration, event.block, t));
			code.code = event.code;
			break;
		}
		case 'code.output': {
			const code = ensureCode(tx, event.runId, event.iteration, event.block, t);
			const output = tx.edit<OutputNode>(ensureOutput(tx, code, t));
			output.text += event.text;
			if (event.stream === 'stdout') output.stdout += event.text;
			else output.stderr += event.text;
			break;
		}
		case 'code.done': {
			const id = ensureCode(tx, event.runId, event.iteration, event.block, t);
			const code = tx.edit<CodeNode>(id);
			code.ok = event.ok;
			code.final = event.final;
			code.truncatedChars = event.truncatedChars;
			code.variables = event.variables;
			code.restarted = event.restarted;
			if (event.error !== undefined) code.error = event.error;
			if (event.limit !== undefined) code.limit = event.limit;
			if (event.answerRefused !== undefined) code.answerRefused = event.answerRefused;
			if (event.answerDraft !== undefined) code.answerDraft = event.answerDraft;
			// Interrupted (by the user or by a run-wide limit) is not a failure of the block's code.
			const stopped = event.limit === 'cancelled' || (LIMIT_NAMES as readonly string[]).includes(event.limit ?? '');
			const status: NodeStatus = event.ok ? 'done' : stopped ? 'cancelled' : 'error';
			if (event.stdout || event.stderr || event.error || code.output !== undefined) {
				const outputId = ensureOutput(tx, id, t);
				const output = tx.edit<OutputNode>(outputId);
				// The done event holds the capped, authoritative text; keep the streamed interleaving
				// when it already says the same.
				const joined = event.stdout + event.stderr;
				if (output.text.length === 0 || output.stdout !== event.stdout || output.stderr !== event.stderr) {
					output.text = event.stderr && event.stdout ? `${event.stdout}${event.stdout.endsWith('\n') ? '' : '\n'}${event.stderr}` : joined;
				}
				output.stdout = event.stdout;
				output.stderr = event.stderr;
				output.truncatedChars = event.truncatedChars;
				if (event.error !== undefined) output.error = event.error;
				if (event.answerRefused !== undefined) output.answerRefused = event.answerRefused;
				tx.end(outputId, t, status, event.ms);
			}
			settleBeneath(tx, id, t, status === 'error' ? 'error' : status === 'cancelled' ? 'cancelled' : 'done');
			tx.end(id, t, status, event.ms);
			break;
		}
		case 'call.start': {
			if (lookupCall(tx, event.callId) !== undefined) break;
			const code = ensureCode(tx, event.runId, event.iteration, event.block, t);
			const id = tx.add(code, {
				kind: 'call',
				callId: event.callId,
				runId: event.runId,
				iteration: event.iteration,
				block: event.block,
				callKind: event.kind,
				fn: event.fn,
				index: event.index,
				...(event.batchSize !== undefined ? {batchSize: event.batchSize} : {}),
				model: event.model,
				...(event.backend && event.backend !== backendOfRun(tx, event.runId) ? {backend: event.backend} : {}),
				prompt: event.prompt,
				response: '',
				status: 'running',
				startedAt: t,
			} as NewNode & {startedAt: number});
			tx.callIndex = tx.callIndex.set(event.callId, id);
			break;
		}
		case 'call.delta': {
			const id = lookupCall(tx, event.callId);
			if (id === undefined) return state;
			tx.edit<CallNode>(id).response += event.text;
			endReasoning(tx, id, t);
			break;
		}
		case 'call.restart': {
			const id = lookupCall(tx, event.callId);
			if (id === undefined) return state;
			tx.edit<CallNode>(id).response = '';
			break;
		}
		case 'call.reasoning': {
			const id = lookupCall(tx, event.callId);
			if (id === undefined) return state;
			addReasoning(tx, id, t, event.text, event.movedFromResponse === true, 'response');
			break;
		}
		case 'call.done': {
			const id = lookupCall(tx, event.callId);
			if (id === undefined) return state;
			settleReasoning(tx, id, t, event.reasoning);
			const call = tx.edit<CallNode>(id);
			call.response = event.response;
			if (event.error !== undefined) call.error = event.error;
			if (event.errorCode !== undefined) call.errorCode = event.errorCode;
			if (event.finishReason !== undefined) call.finishReason = event.finishReason;
			if (event.promptTruncated !== undefined) call.promptTruncated = event.promptTruncated;
			// A call the user's cancel stopped (one running, or one a batch had not started) did not fail.
			tx.end(id, t, event.error === undefined ? 'done' : event.errorCode === 'aborted' ? 'cancelled' : 'error', event.ms);
			tx.report(id, event.usage);
			if (call.childRun === undefined) {
				const backend = call.backend ?? backendOfRun(tx, call.runId);
				tx.countModel(call.model, event.usage, backend);
				tx.addCost(event.costUsd, backend);
				if (event.costUsd !== undefined) call.costUsd = event.costUsd;
			}
			break;
		}
		case 'notice': {
			const run = ensureRun(tx, event.runId, t);
			const iter = findChild(tx, run, n => n.kind === 'iteration');
			const parent = iter !== undefined && tx.get(iter).status === 'running' ? iter : run;
			// Said while the iteration's model call runs (a retry, a dropped parameter, a deprecated
			// model, a cut prompt): it is about that call, and sits above its reply, where it happened.
			const reply = parent === iter ? findChild(tx, parent, (n) => n.kind === 'reply') : undefined;
			const aboveReply = reply !== undefined && tx.get(reply).status === 'running' ? reply : undefined;
			const thought = event.retry && aboveReply !== undefined ? findChild(tx, aboveReply, n => n.kind === 'reasoning') : undefined;
			const id = tx.add(parent, {
				kind: 'notice',
				runId: event.runId,
				noticeLevel: event.level,
				code: event.code,
				message: event.message,
				status: event.level === 'error' ? 'error' : 'done',
				startedAt: t,
				endedAt: t,
				ms: 0,
				...(event.model !== undefined ? {model: event.model} : {}),
				...(event.costUsd !== undefined ? {costUsd: event.costUsd} : {}),
				...(event.retry ? {retry: event.retry} : {}),
				...(thought !== undefined ? {thoughtChars: (tx.get(thought) as ReasoningNode).text.length} : {}),
			} as NewNode & {startedAt: number}, aboveReply ?? false);
			if (event.usage) {
				// The tokens of the work it reports (a compaction) count as a reply's do.
				const backend = backendOfRun(tx, event.runId);
				tx.report(id, event.usage);
				if (event.model) tx.countModel(event.model, event.usage, backend);
				tx.addCost(event.costUsd, backend);
			}
			break;
		}
		case 'limits': {
			const id = lookupRun(tx, event.runId);
			if (id === undefined) return state;
			tx.edit<RunNode>(id).limits = {caps: event.caps, use: event.use, ...(event.defaults ? {defaults: event.defaults} : {})};
			break;
		}
		case 'run.done': {
			const id = ensureRun(tx, event.runId, t);
			const run = tx.edit<RunNode>(id);
			run.answer = event.answer;
			run.runStatus = event.status;
			if (event.limit !== undefined) run.limit = event.limit;
			if (event.error !== undefined) run.error = event.error;
			if (event.errorCode !== undefined) run.errorCode = event.errorCode;
			// The forced final call is not an iteration: the count never goes past the limit.
			const counted = run.maxIterations > 0 ? Math.min(event.iterations, run.maxIterations) : event.iterations;
			if (counted > run.iteration) run.iteration = counted;
			const status: NodeStatus =
				event.status === 'failed' || event.status === 'unfinished' ? 'error' : event.status === 'cancelled' ? 'cancelled' : 'done';
			// What still runs when a limit stops the run was cut short, not done (a reply is no good reply then).
			// A run its log ends in (unfinished): how long it and what still ran lasted is not known.
			const endUnknown = event.status === 'unfinished';
			settleBeneath(tx, id, t, event.status === 'limited' ? 'cancelled' : status, endUnknown);
			tx.end(id, t, status, event.ms);
			if (endUnknown) delete tx.edit<RunNode>(id).ms;
			tx.report(id, event.usage);
			break;
		}
		default:
			return state;
	}
	return tx.finish();
}

/** Applies many events (replays, --json). */
export function reduceAll(events: Iterable<RlmEvent>, state: TrajectoryState = emptyTrajectory()): TrajectoryState {
	let current = state;
	for (const event of events) current = reduceTrajectory(current, event);
	return current;
}

/** Plain nested objects (children inline, ids dropped) for JSON output and logs. */
export type NestedNode = Omit<TrajectoryNode, 'id' | 'parent' | 'children' | 'childUsage' | 'reported' | 'output' | 'childRun'> & {
	children: NestedNode[];
};

export function toNested(state: TrajectoryState, root?: number): NestedNode[] {
	const build = (id: number): NestedNode => {
		const node = getNode(state, id)!;
		const {id: _id, parent: _parent, children, childUsage: _c, reported: _r, ...rest} = node as TrajectoryNode & {
			output?: number;
			childRun?: number;
		};
		const plain = {...rest} as Record<string, unknown>;
		delete plain.output;
		delete plain.childRun;
		// A reply's sent messages repeat the whole conversation each iteration; the log keeps them.
		if (node.kind === 'reply') delete plain.prompt;
		return {...(plain as Omit<NestedNode, 'children'>), children: children.map(build)};
	};
	return (root === undefined ? state.roots : [root]).map(build);
}
