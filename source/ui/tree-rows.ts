// One-line descriptions of tree nodes (pure): title, preview, and the right-aligned meta
// (time and tokens). The row component only lays these out.
import type {NodeStatus, TrajectoryNode} from '../trajectory/tree.js';
import type {BatchRow, batchSummary} from './state/tree-view.js';
import {clip, displayWidth, firstLine, fitAnsi, lastLine, oneLine} from './format.js';
import {printableMarked} from '../text/printable.js';
import {formatMs, formatTokens} from '../text/units.js';
import {highlightPython} from './markdown.js';
import {limitsText} from '../text/limits-text.js';
import {cutReplyWords} from '../text/cut-reply.js';
import {blockErrorLine} from '../text/block-error.js';
import {colorless} from './theme.js';
import {retryWaitOf, retryWaitText} from './retry-wait.js';
import type {NoticeNode} from '../trajectory/tree.js';

export interface RowText {
	title: string;
	/** Preview after the title; may hold ANSI colours (code). */
	preview: string;
	/**
	 * Shorter forms of the preview, longest first, for narrow rows: the first that fits whole is
	 * shown. A row with them keeps room for the shortest before its meta (tokens, then time) does.
	 */
	previewShorter?: readonly string[];
	/** The least of the preview (cut at its end) a narrow row keeps before its meta gives way (tokens, then time). */
	previewMin?: string;
	/** Preview is an error message. */
	previewIsError?: boolean;
	/** An error shown after the preview (a failed run keeps its question, a failed call its prompt). */
	error?: string;
	/** Right-aligned: status, duration and tokens. */
	meta: string;
	/** Shorter metas for narrow rows, longest first (the duration stays longest). */
	metaShorter?: readonly string[];
}

/** The start of a text a one-line preview can show (the rest is never measured). */
const head = (text: string) => (text.length > 2000 ? text.slice(0, 2000) : text);

const quote = (text: string, max = 200) => {
	const line = oneLine(head(text));
	return line ? `"${clip(line, max)}"` : '';
};

function usageText(node: TrajectoryNode): string {
	const {inputTokens, outputTokens} = node.usage;
	if (inputTokens === 0 && outputTokens === 0) return '';
	return `↑${formatTokens(inputTokens)} ↓${formatTokens(outputTokens)}`;
}

/** Duration: the final one when done, the running clock (from `now`) otherwise. */
function timeText(node: TrajectoryNode, now: number | undefined): string {
	if (node.status === 'running') return now === undefined ? '' : formatMs(Math.max(0, now - node.startedAt));
	return formatMs(node.ms);
}

/** Marks for a reply the server did not finish (text/cut-reply.ts), or a prompt it cut. */
function cutMarks(node: {finishReason?: string; promptTruncated?: unknown}): string {
	return [cutReplyWords(node.finishReason)?.mark, node.promptTruncated ? '✂ prompt cut' : ''].filter(Boolean).join(' ');
}

/** A sub-call's meta: its model (and marks) give way before its time and tokens. */
function callMeta(node: TrajectoryNode, now: number | undefined, extra: string): Pick<RowText, 'meta' | 'metaShorter'> {
	const time = timeText(node, now);
	const join = (...parts: Array<string | undefined>) => parts.filter(Boolean).join(' · ');
	return {meta: join(extra, time, usageText(node)), metaShorter: [join(time, usageText(node)), time]};
}

function meta(node: TrajectoryNode, now: number | undefined, extra?: string): Pick<RowText, 'meta' | 'metaShorter'> {
	const time = timeText(node, now);
	const join = (...parts: Array<string | undefined>) => parts.filter(Boolean).join(' · ');
	return {meta: join(extra, time, usageText(node)), metaShorter: [join(extra, time), time]};
}

/** A run's meta: as `meta`, but its status ("cancelled", "limited: maxSubCalls") outlasts the
 * rest of it (the question's start is kept before it too). */
function runMeta(node: TrajectoryNode, now: number | undefined, stopped: string, extra: string): Pick<RowText, 'meta' | 'metaShorter'> {
	const whole = meta(node, now, extra);
	const time = timeText(node, now);
	const shorter = [...(whole.metaShorter ?? []).slice(0, -1), [stopped, time].filter(Boolean).join(' · '), time];
	return {meta: whole.meta, metaShorter: shorter.filter((form, index) => shorter.indexOf(form) === index)};
}

/** Prose of a reply before its first code fence, or what is streaming now. */
function replyPreview(text: string, running: boolean): string {
	if (running) return oneLine(lastLine(text));
	const prose = head(text).split(/```/)[0] ?? '';
	return oneLine(prose) || oneLine(firstLine(text));
}

/** `inBatch`: the node is a slot shown under its batch's row, which names the function.
 * `retry`: the notice of the retry a running reply waits for (retry-wait.ts). */
export function describeNode(node: TrajectoryNode, now?: number, inBatch = false, retry?: NoticeNode): RowText {
	switch (node.kind) {
		case 'run': {
			const child = node.parent >= 0;
			const status = node.runStatus && node.runStatus !== 'answered' ? node.runStatus : '';
			const iterations = node.iteration > 0 ? `${node.iteration} it` : '';
			// The root's row shows use against the run-wide limits (the whole tree's).
			const elapsed = node.status === 'running' && now !== undefined ? {elapsedMs: Math.max(0, now - node.startedAt)} : {};
			const limits = node.limits ? limitsText(node.limits.caps, node.limits.use, {skipUnused: true, ...elapsed, ...(node.limits.defaults ? {defaults: node.limits.defaults} : {})}) : '';
			const stopped = node.runStatus === 'limited' && node.limit ? `limited: ${node.limit}` : status;
			return {
				title: child ? `child run · ${node.model}` : `run · ${node.model || '?'}`,
				// The root's question is kept as the user wrote it (text/safe-text.ts): made printable here.
				preview: quote(printableMarked(node.question)),
				// A start of the question stays before the meta's tokens do (a long meta, "cancelled 2 it", took it all).
				previewMin: quote(printableMarked(node.question), 12),
				previewIsError: false,
				// A limit that stopped the run is in the meta ("limited: maxSubCalls"), as is a run its log
				// ends in ("unfinished": the detail view says why); a failure beside the question.
				...(node.error && node.runStatus !== 'limited' && node.runStatus !== 'unfinished' ? {error: `✗ ${oneLine(node.error)}`} : {}),
				...runMeta(node, now, stopped, [stopped, iterations, limits].filter(Boolean).join(' ')),
			};
		}
		case 'iteration':
			return {
				title: node.forced ? `final answer (${node.afterLimit ? 'limit reached' : 'out of iterations'})` : `iteration ${node.iteration}${node.maxIterations ? `/${node.maxIterations}` : ''}`,
				preview: '',
				...meta(node, now),
			};
		case 'reply': {
			const preview = replyPreview(node.text, node.status === 'running');
			// A failed call: its error, beside what streamed before it failed.
			if (node.error) return {title: 'reply', preview: preview ? clip(preview, 300) : '', error: `✗ ${oneLine(node.error)}`, ...meta(node, now, cutMarks(node))};
			if (retry && now !== undefined) return {title: 'reply', preview: `${retryWaitText(retryWaitOf(retry), now)} …`, ...meta(node, now, cutMarks(node))};
			return {
				title: node.status === 'running' ? 'reply (streaming)' : 'reply',
				preview: preview ? clip(preview, 300) : node.status === 'running' ? '…' : '',
				...meta(node, now, cutMarks(node)),
			};
		}
		case 'reasoning': {
			const running = node.status === 'running';
			const line = oneLine(head(running ? lastLine(node.text) : firstLine(node.text)));
			return {
				title: running ? 'thinking' : 'thinking (never run)',
				preview: line ? clip(line, 300) : running ? '…' : '',
				...meta(node, now, `${formatTokens(node.text.length)} chars`),
			};
		}
		case 'code': {
			const lines = node.code.split('\n').filter((line) => line.trim());
			const first = firstLine(node.code);
			const more = lines.length > 1 ? ` (+${lines.length - 1} lines)` : '';
			const state = node.limit && node.limit !== 'cancelled' ? node.limit : node.final != null ? 'final' : node.answerRefused ? 'empty answer refused' : '';
			return {
				title: `code #${node.block}`,
				preview: first ? colorless(highlightPython(clip(first, 300))) + more : '',
				...meta(node, now, state),
			};
		}
		case 'output': {
			if (node.error) {
				return {title: 'error', preview: oneLine(blockErrorLine(node.error)), previewIsError: true, ...meta(node, now)};
			}
			const text = oneLine(head(firstLine(node.text)));
			const lines = node.text.split('\n').filter((line) => line.trim()).length;
			return {
				title: 'output',
				preview: text ? clip(text, 300) + (lines > 1 ? ` (+${lines - 1} lines)` : '') : '(no output)',
				...meta(node, now, node.truncatedChars > 0 ? `${formatTokens(node.truncatedChars)} chars cut` : ''),
			};
		}
		case 'call': {
			const batched = node.fn.endsWith('_batched');
			// A host tool's row is titled by the tool: `model` holds its name.
			const title = node.callKind === 'tool' ? `${node.model}()` : inBatch ? `[${node.index}]` : `${node.fn}${batched ? `[${node.index}]` : ''}`;
			const extra = node.callKind === 'tool' ? 'host tool' : [cutMarks(node), node.backend ? `${node.model} · ${node.backend}` : node.model].filter(Boolean).join(' ');
			if (node.callKind === 'tool') {
				// Input and result are JSON text already: shown as they are, not quoted.
				const input = clip(oneLine(node.prompt), 24);
				if (node.error) return {title, preview: input, error: callError(node), ...meta(node, now, extra)};
				const result = node.response ? ` → ${clip(oneLine(head(node.response)), 200)}` : node.status === 'running' ? ' → …' : '';
				return {title, preview: `${input}${result}`, ...meta(node, now, extra)};
			}
			// The prompt is what tells slots apart: a narrow row keeps a short one before its model name and tokens.
			const prompt = {previewMin: quote(node.prompt, 12), ...callMeta(node, now, extra)};
			if (node.error) return {title, preview: quote(node.prompt, 24), error: callError(node), ...prompt};
			const answer = quote(node.response, 200);
			// Never an arrow to nothing: an empty answer says so.
			const response = answer ? ` → ${answer}` : node.status === 'running' ? ' → …' : node.status === 'done' ? ' → (empty)' : '';
			return {title, preview: `${quote(node.prompt, 24)}${response}`, ...prompt};
		}
		case 'notice':
			return {
				title: node.noticeLevel,
				preview: oneLine(node.message),
				previewIsError: node.noticeLevel === 'error',
				meta: '',
			};
	}
}

/** A failed call's line; one the user's cancel stopped is not a failure. */
function callError(node: {status: string; error?: string}): string {
	return node.status === 'cancelled' ? '⊘ cancelled' : `✗ ${oneLine(node.error ?? '')}`;
}

export type BatchSummary = ReturnType<typeof batchSummary>;

/** A batch's status: running while any slot runs or waits, failed when any failed, else done. */
export function batchStatus(summary: BatchSummary): NodeStatus {
	if (summary.running > 0 || summary.queued > 0) return 'running';
	if (summary.failed > 0) return 'error';
	if (summary.cancelled > 0 && summary.done === 0) return 'cancelled';
	return 'done';
}

/**
 * The "batch ×200" row: how many slots are in each state, and the function. Narrow rows drop the
 * function, then write the counts compactly (`180✓ 15 run 5✗`): the counts are what changes.
 */
export function describeBatch(row: BatchRow, summary: BatchSummary, now?: number): RowText {
	const counts = [
		summary.done ? `${summary.done} ✓` : '',
		summary.running ? `${summary.running} running` : '',
		summary.queued ? `${summary.queued} queued` : '',
		summary.failed ? `${summary.failed} ✗` : '',
		summary.cancelled ? `${summary.cancelled} ⊘` : '',
	].filter(Boolean);
	const compact = [
		summary.done ? `${summary.done}✓` : '',
		summary.running ? `${summary.running} run` : '',
		summary.queued ? `${summary.queued} wait` : '',
		summary.failed ? `${summary.failed}✗` : '',
		summary.cancelled ? `${summary.cancelled}⊘` : '',
	].filter(Boolean);
	const time = summary.ms !== undefined ? formatMs(summary.ms) : now !== undefined && Number.isFinite(summary.startedAt) ? formatMs(Math.max(0, now - summary.startedAt)) : '';
	const {inputTokens, outputTokens} = summary.usage;
	const tokens = inputTokens || outputTokens ? `↑${formatTokens(inputTokens)} ↓${formatTokens(outputTokens)}` : '';
	return {
		// The batch's size from its first slot on (its slots start as the concurrency limit lets them);
		// once its code is over, the slots that ran.
		title: `batch ×${summary.queued > 0 ? row.size : row.members.length}`,
		// The counts first: a narrow tree cuts the end of the preview, and they are what changes.
		preview: `${counts.join(' · ')} · ${row.fn}`,
		previewShorter: [counts.join(' · '), compact.join(' ')],
		meta: [time, tokens].filter(Boolean).join(' · '),
		metaShorter: [time],
	};
}

/** A row laid out in a width: what each part keeps. */
export interface RowLayout {
	title: string;
	preview: string;
	error: string;
	meta: string;
	/** Spaces between the text and the right-aligned meta. */
	gap: number;
}

/** Columns the title keeps before the meta gives way. */
const MIN_TITLE = 10;

/**
 * Fits a row in `width` columns after its lead (indent, marker, icon) of `leadWidth`. The meta
 * (time, tokens) keeps its place and the title and preview are cut, with "…"; only when the title
 * would get fewer than MIN_TITLE columns does the meta shrink (tokens go first, the time last).
 * A cut preview never ends on an arrow to nothing.
 */
export function layoutRow(row: RowText, width: number, leadWidth: number): RowLayout {
	const avail = Math.max(1, width - leadWidth);
	const titleWant = Math.min(displayWidth(row.title), MIN_TITLE);
	const shortest = row.previewShorter?.at(-1);
	const least = shortest ?? row.previewMin;
	const previewWant = least ? displayWidth(least) + 1 : 0;
	// The longest meta that leaves the whole title and the shortest preview their room; else
	// MIN_TITLE columns of the title and that preview; else MIN_TITLE alone (the time stays longest).
	// An error beside a preview keeps a start of its own too.
	const errorLeast = row.error && row.previewMin ? Math.min(displayWidth(row.error), MIN_TITLE + 2) + 1 : 0;
	const metas = [row.meta, ...(row.metaShorter ?? [])].filter(Boolean);
	const fits = (want: number) => metas.find((candidate) => avail - displayWidth(candidate) - 1 >= want);
	const meta = (previewWant > 0 ? fits(displayWidth(row.title) + 1 + previewWant + errorLeast) : undefined) ?? fits(titleWant + previewWant + errorLeast) ?? fits(titleWant) ?? '';
	const metaWidth = meta ? displayWidth(meta) + 1 : 0;
	const title = clip(row.title, Math.max(1, avail - metaWidth));
	let room = avail - displayWidth(title) - metaWidth - 1;
	let preview = '';
	let error = '';
	const errorText = row.error ?? '';
	if (room > 0) {
		const errorWant = errorText ? Math.min(displayWidth(errorText), Math.max(12, Math.ceil(room / 2))) : 0;
		const previewRoom = errorText ? room - errorWant - 1 : room;
		const whole = [row.preview, ...(row.previewShorter ?? [])].find((form) => form && displayWidth(form) <= previewRoom);
		if (whole) preview = whole;
		else if (row.preview && previewRoom >= 4) preview = fitPreview(shortest ?? row.preview, previewRoom, row.previewIsError === true);
		room -= preview ? displayWidth(preview) + (errorText ? 1 : 0) : 0;
		if (errorText && room > 0) error = clip(errorText, room);
	}
	const used = leadWidth + displayWidth(title) + (preview ? 1 + displayWidth(preview) : 0) + (error ? (preview ? 1 : 1) + displayWidth(error) : 0);
	const gap = meta ? Math.max(1, width - used - displayWidth(meta)) : Math.max(0, width - used);
	return {title, preview, error, meta, gap};
}

function fitPreview(preview: string, room: number, plain: boolean): string {
	const fitted = plain ? clip(preview, room) : fitAnsi(preview, room);
	if (fitted === preview) return fitted;
	// Cut just after an arrow: the arrow goes too.
	return fitted.replace(/\s*→\s*(?:\u001b\[[0-9;]*m)*…?$/, '…');
}
