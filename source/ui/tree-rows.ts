// One-line descriptions of tree nodes (pure): title, preview, and the right-aligned meta
// (time and tokens). The row component only lays these out.
import type {TrajectoryNode} from '../trajectory/tree.js';
import {clip, firstLine, lastLine, oneLine} from './format.js';
import {formatMs, formatTokens} from '../text/units.js';
import {highlightPython} from './markdown.js';
import {limitsText} from '../text/limits-text.js';
import {colorless} from './theme.js';

export interface RowText {
	title: string;
	/** Preview after the title; may hold ANSI colours (code). */
	preview: string;
	/** Preview is an error message. */
	previewIsError?: boolean;
	/** Right-aligned: duration and tokens. */
	meta: string;
}

const quote = (text: string, max = 200) => {
	const line = oneLine(text);
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

/** Marks for a reply the server cut: at the output-token limit, or its prompt. */
function cutMarks(node: {finishReason?: string; promptTruncated?: unknown}): string {
	return [node.finishReason === 'length' ? '✂ cut at limit' : '', node.promptTruncated ? '✂ prompt cut' : ''].filter(Boolean).join(' ');
}

function meta(node: TrajectoryNode, now: number | undefined, extra?: string): string {
	return [extra, timeText(node, now), usageText(node)].filter(Boolean).join(' · ');
}

/** Prose of a reply before its first code fence, or what is streaming now. */
function replyPreview(text: string, running: boolean): string {
	if (running) return oneLine(lastLine(text));
	const prose = text.split(/```/)[0] ?? '';
	return oneLine(prose) || oneLine(firstLine(text));
}

export function describeNode(node: TrajectoryNode, now?: number): RowText {
	switch (node.kind) {
		case 'run': {
			const child = node.parent >= 0;
			const status = node.runStatus && node.runStatus !== 'answered' ? node.runStatus : '';
			const iterations = node.iteration > 0 ? `${node.iteration} it` : '';
			// The root's row shows use against the run-wide limits (the whole tree's).
			const elapsed = node.status === 'running' && now !== undefined ? {elapsedMs: Math.max(0, now - node.startedAt)} : {};
			const limits = node.limits ? limitsText(node.limits.caps, node.limits.use, {skipUnused: true, ...elapsed}) : '';
			const stopped = node.runStatus === 'limited' && node.limit ? `limited: ${node.limit}` : status;
			return {
				title: child ? `child run · ${node.model}` : `run · ${node.model || '?'}`,
				preview: node.error ? oneLine(node.error) : quote(node.question),
				previewIsError: Boolean(node.error) && node.runStatus !== 'limited',
				meta: meta(node, now, [stopped, iterations, limits].filter(Boolean).join(' ')),
			};
		}
		case 'iteration':
			return {
				title: `iteration ${node.iteration}${node.maxIterations ? `/${node.maxIterations}` : ''}`,
				preview: '',
				meta: meta(node, now),
			};
		case 'reply': {
			const preview = replyPreview(node.text, node.status === 'running');
			return {
				title: node.status === 'running' ? 'reply (streaming)' : 'reply',
				preview: preview ? clip(preview, 300) : node.status === 'running' ? '…' : '',
				meta: meta(node, now, cutMarks(node)),
			};
		}
		case 'reasoning': {
			const running = node.status === 'running';
			const line = oneLine(running ? lastLine(node.text) : firstLine(node.text));
			return {
				title: running ? 'thinking' : 'thinking (never run)',
				preview: line ? clip(line, 300) : running ? '…' : '',
				meta: meta(node, now, `${formatTokens(node.text.length)} chars`),
			};
		}
		case 'code': {
			const lines = node.code.split('\n').filter((line) => line.trim());
			const first = firstLine(node.code);
			const more = lines.length > 1 ? ` (+${lines.length - 1} lines)` : '';
			const state = node.limit && node.limit !== 'cancelled' ? node.limit : node.final != null ? 'final' : '';
			return {
				title: `code #${node.block}`,
				preview: first ? colorless(highlightPython(clip(first, 300))) + more : '',
				meta: meta(node, now, state),
			};
		}
		case 'output': {
			if (node.error) {
				return {title: 'error', preview: oneLine(lastLine(node.error)), previewIsError: true, meta: meta(node, now)};
			}
			const text = oneLine(firstLine(node.text));
			const lines = node.text.split('\n').filter((line) => line.trim()).length;
			return {
				title: 'output',
				preview: text ? clip(text, 300) + (lines > 1 ? ` (+${lines - 1} lines)` : '') : '(no output)',
				meta: meta(node, now, node.truncatedChars > 0 ? `${formatTokens(node.truncatedChars)} chars cut` : ''),
			};
		}
		case 'call': {
			const batched = node.fn.endsWith('_batched');
			const title = `${node.fn}${batched ? `[${node.index}]` : ''}`;
			const extra = [cutMarks(node), node.model].filter(Boolean).join(' ');
			if (node.error) {
				return {title, preview: `${quote(node.prompt, 24)} → ${oneLine(node.error)}`, previewIsError: true, meta: meta(node, now, extra)};
			}
			const response = node.response ? ` → ${quote(node.response, 200)}` : node.status === 'running' ? ' → …' : '';
			return {title, preview: `${quote(node.prompt, 24)}${response}`, meta: meta(node, now, extra)};
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
