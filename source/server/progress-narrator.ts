// A run's progress as readable text for clients that show "thinking" (reasoning_content, the
// Responses API's reasoning summary): each iteration, the root model's reply as it streams, what
// each code block printed (clipped), sub-calls and child runs.
import type {RlmEvent} from '../protocol/events.js';
import {closingFence, fenced} from '../engine/fence.js';

const maxOutputLines = 12;
const maxOutputChars = 1500;

function clipOutput(text: string): string {
	let lines = text.replace(/\s+$/, '').split('\n');
	const more = lines.length > maxOutputLines ? lines.length - maxOutputLines : 0;
	if (more) lines = [...lines.slice(0, maxOutputLines), `… (${more} more lines)`];
	const joined = lines.join('\n');
	return joined.length > maxOutputChars ? `${joined.slice(0, maxOutputChars)}…` : joined;
}

/** Said after the part of a reply that streamed before the server failed mid-reply, when no retry
 * notice came to say it (the notice says why, and is said instead): the call is retried and the
 * retried reply follows. */
export const REPLY_WITHDRAWN_LINE = '! The server failed mid-reply; retrying. The reply above is withdrawn: the retried reply follows.';

/** The root run's events that come while its model call streams (the rest come after it ends). */
const DURING_A_CALL: ReadonlySet<RlmEvent['type']> = new Set(['llm.delta', 'llm.reasoning', 'llm.restart', 'notice', 'limits']);

/**
 * Returns a function that maps each event to the text it adds to the narration ('' for none).
 *
 * The root reply streams into the narration as it comes, so a reply that ends mid-block (cut off,
 * failed, cancelled, stopped by a limit) leaves its code fence open, and every line after it would
 * show as code. So no line of the narrator's own follows a reply before the fence it left open is
 * closed; and a notice that comes while the reply still streams waits for its end.
 */
export function progressNarrator(): (event: RlmEvent) => string {
	let rootRunId: string | undefined;
	const depthOf = new Map<string, number>();
	/** The root reply streamed so far (since its call started, or its restart). */
	let reply = '';
	/** Whether the root reply is streaming: from llm.start to its llm.done or llm.error, or to the
	 * next event of the run when the call was cancelled (that sends neither). */
	let streaming = false;
	/** Notices said while the reply streams, for after it. */
	let held = '';
	/** Whether `held` has a retry notice (which says why the reply so far is withdrawn). */
	let heldRetry = false;

	/** What ends the reply: the fence it left open closed, then the notices held back. */
	const endReply = (): string => {
		if (!streaming) return '';
		streaming = false;
		const close = closingFence(reply);
		reply = '';
		const said = `${close ? `\n${close}\n` : ''}${held}`;
		held = '';
		heldRetry = false;
		return said;
	};

	const narrate = (event: RlmEvent): string => {
		switch (event.type) {
			case 'run.start':
				depthOf.set(event.runId, event.depth);
				if (event.depth === 0) {
					rootRunId ??= event.runId;
					return '';
				}
				return `\n↳ child RLM (depth ${event.depth}, ${event.model}): ${event.question.split('\n')[0]!.slice(0, 120)}\n`;
			case 'iter.start':
				return event.runId === rootRunId ? `${event.iteration > 1 ? '\n\n' : ''}**Iteration ${event.iteration}/${event.maxIterations}**\n\n` : '';
			case 'llm.start':
				// The last call for the answer is no iteration: its own heading, as the TUI's tree row has.
				return event.runId === rootRunId && event.final ? `\n\n**Final answer (${event.final === 'limited' ? 'limit reached' : 'out of iterations'})**\n\n` : '';
			case 'code.done': {
				if (event.runId !== rootRunId) return '';
				const output = [event.stdout, event.stderr].filter(Boolean).join('\n');
				const shown = event.ok ? clipOutput(output) || '(no output)' : clipOutput([output, event.error ?? 'failed'].filter(Boolean).join('\n'));
				return `\n\n${event.ok ? 'Output' : 'Error'} of block ${event.block}:\n${fenced('', shown)}\n`;
			}
			case 'call.start':
				return (depthOf.get(event.runId) ?? 0) === 0 ? `\n↳ ${event.fn}${event.fn.endsWith('batched') ? `[${event.index}]` : ''} → ${event.model}\n` : '';
			case 'notice':
				// A retry is said whatever its level: else a client sees nothing while the call is tried again.
				return (event.level !== 'info' || event.code === 'stream_retried') && event.runId === rootRunId ? `\n! ${event.message}\n` : '';
			default:
				return '';
		}
	};

	/** The last two characters said so far: a paragraph of the narrator's own starts after one blank line. */
	let tail = '';
	const paragraphStart = (): string => (tail === '' || tail.endsWith('\n\n') ? '' : tail.endsWith('\n') ? '\n' : '\n\n');

	const next = (event: RlmEvent): string => {
		const root = 'runId' in event && event.runId === rootRunId;
		if (root && event.type === 'llm.delta') {
			streaming = true;
			reply += event.text;
			return event.text;
		}
		if (root && event.type === 'llm.restart') {
			// What streamed of the reply is with the client already: it is told it does not count.
			const close = closingFence(reply);
			reply = '';
			const said = `\n${close ? `${close}\n` : ''}${held}${heldRetry ? '' : `\n${REPLY_WITHDRAWN_LINE}\n`}\n`;
			held = '';
			heldRetry = false;
			return said;
		}
		const said = narrate(event);
		if (root && event.type === 'notice' && streaming) {
			const retry = said !== '' && event.code === 'stream_retried';
			// Before any of the reply (the server failed at once, or again after a restart) nothing is
			// open: the retry is said now, its own paragraph, not after a reply that may be long coming.
			if (retry && reply === '') return `${paragraphStart()}${said.replace(/^\n+/, '')}\n`;
			held += said;
			heldRetry ||= retry;
			return '';
		}
		// The reply's own end, or anything after it (an event of the run, or a line of the narrator's).
		const ends = said !== '' || (root && !DURING_A_CALL.has(event.type));
		const before = ends ? endReply() : '';
		if (root && event.type === 'llm.start') {
			streaming = true;
			reply = '';
		}
		return before + said;
	};

	return (event) => {
		const said = next(event);
		if (said !== '') tail = (tail + said).slice(-2);
		return said;
	};
}
