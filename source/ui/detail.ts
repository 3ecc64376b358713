// The detail view's text for a node: everything the one-line row leaves out (the full code, the
// full output, the full prompt and response), wrapped to the view's width. Pure and cached.
import type {ChatMessage} from '../protocol/llm.js';
import {getNode, type RunNode, type TrajectoryNode, type TrajectoryState} from '../trajectory/tree.js';
import {append, wrapLines} from './format.js';
import {cutReplyWords} from '../text/cut-reply.js';
import {formatMs, formatTokens} from '../text/units.js';
import {HIDDEN_MARK, printableMarked} from '../text/printable.js';
import {highlightPython, renderersVersion} from './markdown.js';
import {colorless} from './theme.js';
import {restNote, shownPart} from './long-text.js';
import {limitParts} from '../text/limits-text.js';
import {LIMIT_NAMES, snakeName, type LimitCaps, type LimitName, type LimitUse} from '../protocol/limits.js';
import {formatCount} from '../protocol/numbers.js';

/** One line per cap of the run's whole tree: use against it, and which one stopped the run. */
function limitsDetail(caps: LimitCaps, use: LimitUse, stoppedBy: LimitName | undefined): string {
	const lines = limitParts(caps, use).map((part) => `${part.limit}: ${part.text}${part.limit === stoppedBy ? '  ← stopped the run' : ''}`);
	if (use.unpricedModels.length > 0 && caps.maxBudget !== undefined) lines.push(`no price known for ${use.unpricedModels.join(', ')}: their tokens count, their cost cannot`);
	return lines.join('\n') || 'none set';
}

/** What stopped a block (or cut its output), in words: a run-wide limit by its name and flag
 * (`stopped by: max_timeout, the run's limit (--max-timeout)`), else the REPL's reason. */
export function blockLimitLine(limit: string): string {
	if ((LIMIT_NAMES as readonly string[]).includes(limit)) return `stopped by: ${snakeName(limit)}, the run's limit (--${snakeName(limit).replace(/_/g, '-')})`;
	switch (limit) {
		case 'timeout':
			return 'stopped by: the block timeout (--timeout)';
		case 'memory':
			return 'stopped by: the memory limit (--memory-limit)';
		case 'output':
			return 'output cut at the cap (head and tail kept)';
		case 'cancelled':
			return 'stopped by: cancel';
		case 'crashed':
			return 'stopped by: a crash of the REPL';
		default:
			return `stopped by: ${limit}`;
	}
}

const heading = (text: string) => `\x1b[1m${text}\x1b[22m`;
const dim = (text: string) => `\x1b[2m${text}\x1b[22m`;
/** The marks of hidden characters the text held (`<U+200B>`), dim, apart from the text itself. */
const dimMarks = (text: string) => (text.includes('<U+') ? text.replace(HIDDEN_MARK, (mark) => `\x1b[2m${mark}\x1b[22m`) : text);

function usageLine(node: TrajectoryNode): string {
	const parts = [`status ${node.status}`];
	if (node.ms !== undefined) parts.push(`time ${formatMs(node.ms)}`);
	const {inputTokens, outputTokens} = node.usage;
	if (inputTokens || outputTokens) parts.push(`tokens in ${formatTokens(inputTokens)} / out ${formatTokens(outputTokens)}`);
	return dim(parts.join(' · '));
}

/** 'Error', with the error's stable code when it has one: 'Error (unreachable)'. */
const errorTitle = (code: string | undefined) => (code ? `Error (${code})` : 'Error');

function sections(node: TrajectoryNode, output: TrajectoryNode | undefined): Array<[string, string]> {
	switch (node.kind) {
		case 'run':
			return [
				['Run', `${node.parent >= 0 ? 'child ' : ''}run ${node.runId} · model ${node.model} · backend ${node.backend} · depth ${node.depth}\ncontext: ${node.context.type}, ${formatCount(node.context.chars)} chars${node.context.keys ? ` (${node.context.keys.join(', ')})` : ''}\niterations: ${node.iteration}${node.maxIterations ? ` of ${node.maxIterations}` : ''}${node.runStatus ? ` · ${node.runStatus}` : ''}`],
				// Kept as the user wrote it (text/safe-text.ts): made printable here, hidden characters marked.
				['Question', printableMarked(node.question) || '(none)'],
				...(node.limits ? [['Limits', limitsDetail(node.limits.caps, node.limits.use, node.limit)] as [string, string]] : []),
				...systemSections(node),
				...(node.error ? [[node.runStatus === 'limited' ? 'Stopped' : errorTitle(node.errorCode), node.error] as [string, string]] : []),
				...(node.answer !== undefined ? [['Answer', node.answer] as [string, string]] : []),
			];
		case 'iteration':
			if (node.forced) {
				const why = node.afterLimit ? 'a run-wide limit stopped the run' : `all ${node.maxIterations} iterations were used`;
				return [['Final answer', `${why}: one last call asked the model for its best answer from the work so far (not an iteration) · ${node.children.length} rows beneath`]];
			}
			return [['Iteration', `${node.iteration}${node.maxIterations ? ` of ${node.maxIterations}` : ''} · ${node.children.length} rows beneath`]];
		case 'reply':
			return [
				['Model reply', `${node.model}${node.promptChars ? ` · prompt ${formatCount(node.promptChars)} chars in ${node.messages} messages` : ''}${node.children.length ? '\nits thinking is the row beneath (never run, never the answer)' : ''}`],
				...(node.error ? [[errorTitle(node.errorCode), node.error] as [string, string]] : []),
				['Text', node.text || (node.status === 'running' ? '(nothing yet)' : node.error ? '(none: the call failed)' : '(no answer text)')],
				...cutLines(node),
				...sentLines(node.prompt),
			];
		case 'reasoning':
			return [
				['Reasoning', `the model's thinking: ${formatCount(node.text.length)} characters, shown and logged, never run and never the answer`],
				['Text', node.text.trim() || '(nothing yet)'],
			];
		case 'code': {
			const out: Array<[string, string]> = [['Code', colorless(highlightPython(node.code))]];
			const result: string[] = [];
			if (node.ok !== undefined) result.push(node.ok ? 'ran without error' : 'failed');
			if (node.limit) result.push(blockLimitLine(node.limit));
			if (node.restarted) result.push('the REPL was restarted (variables lost)');
			if (node.final != null) result.push(`submitted the final answer`);
			if (node.variables?.length) result.push(`variables: ${node.variables.map((v) => `${v.name}: ${v.type}`).join(', ')}`);
			if (result.length) out.push(['Result', result.join('\n')]);
			// What the model was shown as the block's output, here too (also when the block failed).
			if (output?.kind === 'output' && output.text.trim()) out.push(['Output', output.text]);
			if (node.error) out.push(['Error', node.error]);
			if (node.final != null) out.push(['Final answer', node.final]);
			return out;
		}
		case 'output': {
			const out: Array<[string, string]> = [];
			if (node.stdout) out.push(['stdout', node.stdout]);
			if (node.stderr) out.push(['stderr', node.stderr]);
			if (!node.stdout && !node.stderr && node.text) out.push(['Output', node.text]);
			if (!node.text && !node.stdout && !node.stderr) out.push(['Output', '(none)']);
			if (node.truncatedChars > 0) out.push(['Truncated', `${formatCount(node.truncatedChars)} characters were cut (head and tail kept)`]);
			if (node.error) out.push(['Error', node.error]);
			return out;
		}
		case 'call':
			if (node.callKind === 'tool')
				return [
					['Call', `host tool ${node.model} (ran in this process, not in the sandbox)`],
					['Input (JSON)', node.prompt],
					...(node.error ? [['Error', node.error] as [string, string]] : [['Result (JSON)', node.response || (node.status === 'running' ? '(waiting)' : '(empty)')] as [string, string]]),
				];
			return [
				['Call', `${node.fn}${node.fn.endsWith('_batched') ? ` slot ${node.index}` : ''} · ${node.callKind === 'rlm' ? 'child RLM' : 'sub-model'} ${node.model}${node.backend ? ` on ${node.backend}` : ''}`],
				['Prompt', node.prompt],
				['Response', node.response || (node.status === 'running' ? '(waiting)' : '(empty)')],
				...(node.error ? [[errorTitle(node.errorCode), node.error] as [string, string]] : []),
				...cutLines(node),
			];
		case 'notice':
			return [[`Notice (${node.noticeLevel})`, node.message]];
	}
}

/** Characters of one sent message shown before it is cut (the whole is in the JSONL log). */
export const SENT_MESSAGE_CHARS = 4000;

/** The messages sent for a reply, oldest first, each under its role and size. */
function sentLines(prompt: readonly ChatMessage[] | undefined): Array<[string, string]> {
	if (!prompt?.length) return [];
	return prompt.map((message, index) => {
		const text = printableMarked(message.content);
		const cut = text.length > SENT_MESSAGE_CHARS ? `${text.slice(0, SENT_MESSAGE_CHARS)}\n… ${formatCount(text.length - SENT_MESSAGE_CHARS)} more characters (the whole message is in the trajectory log)` : text;
		return [`Sent ${index + 1}/${prompt.length} · ${message.role} · ${formatCount(text.length)} chars`, cut || '(empty)'];
	});
}

/** The user's instructions and replacement system prompt, as the run used them. */
function systemSections(node: RunNode): Array<[string, string]> {
	const out: Array<[string, string]> = [];
	const {replacement, instructions} = node.system ?? {};
	if (replacement) out.push([`System prompt (replaced${replacement.source ? ` from ${replacement.source}` : ''})`, replacement.text]);
	if (instructions) out.push(['Instructions (added to the system prompt)', instructions]);
	return out;
}

/** What the server cut, for the detail view. */
function cutLines(node: {finishReason?: string; promptTruncated?: {sentTokens: number; keptTokens: number}}): Array<[string, string]> {
	const out: Array<[string, string]> = [];
	const cut = cutReplyWords(node.finishReason);
	if (cut) out.push([cut.heading, cut.detail]);
	if (node.promptTruncated)
		out.push(['Prompt cut', `The server kept ${formatCount(node.promptTruncated.keptTokens)} of about ${formatCount(node.promptTruncated.sentTokens)} prompt tokens.`]);
	return out;
}

const cache = new WeakMap<TrajectoryNode, {width: number; version: number; output: TrajectoryNode | undefined; lines: string[]}>();

/**
 * The detail view's lines for `node` at `width` columns. `state` lets a code block show its
 * output node's text (the output streams into a node of its own).
 */
export function detailLines(node: TrajectoryNode, width: number, state?: TrajectoryState): string[] {
	const output = node.kind === 'code' && node.output !== undefined && state ? getNode(state, node.output) : undefined;
	const cached = cache.get(node);
	const version = renderersVersion();
	if (cached && cached.width === width && cached.version === version && cached.output === output) return cached.lines;
	const lines: string[] = [usageLine(node), ''];
	for (const [title, body] of sections(node, output)) {
		lines.push(heading(title));
		const part = shownPart(body);
		append(lines, wrapLines(dimMarks(part.head.replace(/\t/g, '    ').replace(/\r/g, '')), width));
		if (part.restChars > 0) append(lines, wrapLines(dim(restNote(part, '/save writes the whole tree to a file')), width));
		lines.push('');
	}
	while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
	cache.set(node, {width, version, output, lines});
	return lines;
}

export function detailTitle(node: TrajectoryNode): string {
	switch (node.kind) {
		case 'run':
			return node.parent >= 0 ? 'Child run' : 'Run';
		case 'iteration':
			return `Iteration ${node.iteration}`;
		case 'reply':
			return `Reply (iteration ${node.iteration})`;
		case 'reasoning':
			return 'Reasoning';
		case 'code':
			return `Code block ${node.block} (iteration ${node.iteration})`;
		case 'output':
			return 'Output';
		case 'call':
			return `${node.fn}${node.fn.endsWith('_batched') ? `[${node.index}]` : ''}`;
		case 'notice':
			return 'Notice';
	}
}
