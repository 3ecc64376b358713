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

/** Said after the part of a reply that streamed before the server failed mid-reply: the call is
 * retried and the retried reply follows. */
export const REPLY_WITHDRAWN_LINE = '! The server failed mid-reply; retrying. The reply above is withdrawn: the retried reply follows.';

/** Returns a function that maps each event to the text it adds to the narration ('' for none). */
export function progressNarrator(): (event: RlmEvent) => string {
	let rootRunId: string | undefined;
	const depthOf = new Map<string, number>();
	/** The root reply streamed so far. */
	let reply = '';
	return (event) => {
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
				if (event.runId === rootRunId) reply = '';
				return '';
			case 'llm.delta':
				if (event.runId !== rootRunId) return '';
				reply += event.text;
				return event.text;
			case 'llm.restart': {
				if (event.runId !== rootRunId) return '';
				// What streamed of the reply is with the client already: it is told it does not count,
				// after a fence the partial left open is closed (else the line would show as code).
				const close = closingFence(reply);
				reply = '';
				return `\n${close ? `${close}\n` : ''}\n${REPLY_WITHDRAWN_LINE}\n\n`;
			}
			case 'code.done': {
				if (event.runId !== rootRunId) return '';
				const output = [event.stdout, event.stderr].filter(Boolean).join('\n');
				const shown = event.ok ? clipOutput(output) || '(no output)' : clipOutput([output, event.error ?? 'failed'].filter(Boolean).join('\n'));
				return `\n\n${event.ok ? 'Output' : 'Error'} of block ${event.block}:\n${fenced('', shown)}\n`;
			}
			case 'call.start':
				return (depthOf.get(event.runId) ?? 0) === 0 ? `\n↳ ${event.fn}${event.fn.endsWith('batched') ? `[${event.index}]` : ''} → ${event.model}\n` : '';
			case 'notice':
				return event.level !== 'info' && event.runId === rootRunId ? `\n! ${event.message}\n` : '';
			default:
				return '';
		}
	};
}
