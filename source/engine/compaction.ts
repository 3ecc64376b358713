// Compaction: when the root's conversation nears its model's window, the older iterations are
// summarised by the model and replaced by the summary. The system prompt, the first message (the
// question) and the latest iterations stay verbatim; the REPL is not touched.
import type {ChatMessage, Usage} from '../protocol/llm.js';
import {estimateMessagesTokens} from '../backends/model-info.js';
import {callModel} from './model-call.js';
import type {EngineContext} from './engine-context.js';
import {replyReserveTokens} from './windows.js';
import {formatCount} from '../protocol/numbers.js';

/** Compaction starts when the prompt passes this share of the window (less the reply's reserve). */
export const COMPACTION_THRESHOLD = 0.8;
/** After compaction the prompt is at most this share of the window. */
const TARGET_SHARE = 0.5;
/** The summary's share of the window, in tokens (its max_tokens). */
const SUMMARY_SHARE = 0.12;

/** Tokens of prompt a window allows before compaction starts (the reply's reserve shrinks on a
 * small window: replyReserveTokens). */
export function compactionLimit(windowTokens: number): number {
	return Math.max(256, Math.floor(windowTokens * COMPACTION_THRESHOLD) - replyReserveTokens(windowTokens));
}

export interface Compacted {
	messages: ChatMessage[];
	/** Iterations replaced by the summary (1-based, inclusive). */
	from: number;
	to: number;
	tokensBefore: number;
	tokensAfter: number;
	summary: string;
	usage: Usage;
}

/** The iterations a compaction replaced, in words: `iteration 1`, `iterations 1-3`. */
export function compactedIterations({from, to}: Pick<Compacted, 'from' | 'to'>): string {
	return from === to ? `iteration ${from}` : `iterations ${from}-${to}`;
}

const SUMMARY_HEADING = 'Summary of my earlier work in this run (older turns were compacted to fit the context window):';

/** Keeps `text` within `chars`: its head and tail, with what was dropped stated. */
export function clipMiddle(text: string, chars: number): string {
	if (text.length <= chars) return text;
	const marker = (omitted: number) => `\n[... ${formatCount(omitted)} characters omitted to fit the context window ...]\n`;
	const room = Math.max(0, chars - marker(text.length).length);
	const head = Math.ceil(room * 0.6);
	const tail = room - head;
	return `${text.slice(0, head)}${marker(text.length - head - tail)}${tail > 0 ? text.slice(-tail) : ''}`;
}

/**
 * Compacts `messages` ([system, first user, then assistant/user pairs]) to fit `windowTokens`.
 * Returns null when there is nothing older to summarise. `iterationOfPair(i)` names the iteration
 * of the i-th pair, for the record. The summary call's own prompt is kept inside the window too.
 */
export async function compactMessages(
	engine: EngineContext,
	options: {model: string; windowTokens: number; messages: ChatMessage[]; firstIteration: number; signal?: AbortSignal},
): Promise<Compacted | null> {
	const {messages, windowTokens} = options;
	const tokensBefore = estimateMessagesTokens(messages);
	const head = messages.slice(0, 2);
	const rest = messages.slice(2);
	if (rest.length < 2) return null;
	const target = Math.floor(windowTokens * TARGET_SHARE) - replyReserveTokens(windowTokens);
	const summaryTokens = Math.max(128, Math.floor(windowTokens * SUMMARY_SHARE));
	// The latest messages that fit beside the head and a summary; at least the last one or two.
	const fixed = estimateMessagesTokens(head) + summaryTokens + 64;
	let keepFrom = rest.length;
	while (keepFrom > 0 && fixed + estimateMessagesTokens(rest.slice(keepFrom - 1)) <= target) keepFrom--;
	// Kept messages start with an assistant reply (they follow the summary's user message).
	if (keepFrom < rest.length && rest[keepFrom]!.role !== 'assistant') keepFrom++;
	if (keepFrom >= rest.length) keepFrom = rest.length - (rest.at(-1)!.role === 'user' ? 2 : 1);
	if (keepFrom <= 0) return null;
	const older = rest.slice(0, keepFrom);
	let kept = rest.slice(keepFrom).map((message) => ({...message}));
	// A tail still too big (one huge output): its texts are cut in the middle, oldest first.
	const keptBudget = Math.max(256, target - fixed);
	for (const message of kept) {
		if (estimateMessagesTokens(kept) <= keptBudget) break;
		const others = estimateMessagesTokens(kept) - estimateMessagesTokens([message]);
		message.content = clipMiddle(message.content, Math.max(400, (keptBudget - others) * 4));
	}
	if (estimateMessagesTokens(kept) > keptBudget) kept = kept.map((message) => ({...message, content: clipMiddle(message.content, Math.floor((keptBudget * 4) / kept.length))}));

	const pairs = older.filter((message) => message.role === 'assistant' && !message.content.startsWith(SUMMARY_HEADING)).length;
	const from = options.firstIteration;
	const to = from + Math.max(1, pairs) - 1;
	const instructions = `You are compacting the working notes of a model that answers a question by writing Python in a REPL. Below are its older turns: its replies (MODEL) and what the REPL printed back (REPL / USER).\n\nWrite a compact summary that lets it continue without them: what it has found (facts, numbers, names), which variables it defined and what they hold, what worked and what failed, and what remains to do. Keep exact values. No preamble.\n\nThe question it works on:\n${clipMiddle(head[1]!.content, 4000)}\n\n--- older turns ---\n`;
	// The summary call fits the window too: its instructions, the older turns (cut in the middle if
	// need be) and room for the summary.
	const transcriptBudget = Math.max(400, (windowTokens - summaryTokens - replyReserveTokens(windowTokens) - 64) * 4 - instructions.length);
	const transcript = clipMiddle(older.map((message) => `${message.role === 'assistant' ? 'MODEL' : 'REPL / USER'}:\n${message.content}`).join('\n\n'), transcriptBudget);
	const request: ChatMessage[] = [{role: 'user', content: instructions + transcript}];
	const result = await callModel(engine.backend, request, {model: options.model, temperature: engine.options.temperature, maxOutputTokens: summaryTokens, ...(options.signal ? {signal: options.signal} : {})}, {});
	const summary = clipMiddle(result.text.trim() || '(the summary came back empty)', summaryTokens * 4);
	const compacted: ChatMessage[] = [
		...head,
		{role: 'assistant', content: `${SUMMARY_HEADING}\n${summary}`},
		{
			role: 'user',
			content: `Continue from that summary. Iterations ${from}-${to} were compacted; the REPL still holds every variable, and \`full_history\` holds this run's whole conversation as [{"role", "content"}] if you need an exact detail.`,
		},
		...kept,
	];
	return {messages: compacted, from, to, tokensBefore, tokensAfter: estimateMessagesTokens(compacted), summary, usage: result.usage};
}

/** Messages at the head of a conversation that are never cut: the system prompt and the first
 * user message (the question). */
export const KEPT_HEAD_MESSAGES = 2;

/** Cuts the longest texts after the head (the system prompt and the question, never cut: a window
 * too small for them is warned about instead) in the middle, until `messages` fit `limit` tokens
 * or nothing more can be cut: the last resort when nothing is left to summarise. */
export function clipToFit(messages: ChatMessage[], limit: number): ChatMessage[] {
	const out = messages.map((message) => ({...message}));
	for (let round = 0; round < 50 && estimateMessagesTokens(out) > limit; round++) {
		let longest = -1;
		for (let index = KEPT_HEAD_MESSAGES; index < out.length; index++) if (longest < 0 || out[index]!.content.length > out[longest]!.content.length) longest = index;
		if (longest < 0) break;
		const over = (estimateMessagesTokens(out) - limit) * 4;
		const message = out[longest]!;
		const next = clipMiddle(message.content, Math.max(200, message.content.length - over - 200));
		if (next.length >= message.content.length) break;
		message.content = next;
	}
	return out;
}
