// What a stopped headless run has to show, from its events, in the engine's order
// (engine/best-answer.ts); a reply still streaming counts when no earlier one has content.
import {bestPartialAnswer, foundSoFar, replyWords} from '../engine/best-answer.js';
import type {RlmEvent} from '../protocol/events.js';

export interface PartialAnswer {
	/** Feed every event of the run. */
	onEvent(event: RlmEvent): void;
	/** The partial answer so far ('' when the root model has said nothing yet). */
	readonly text: string;
}

export function partialAnswerTracker(): PartialAnswer {
	let rootRunId: string | undefined;
	let found = foundSoFar();
	let streaming = '';
	return {
		onEvent(event) {
			if (event.type === 'run.start' && event.depth === 0) {
				rootRunId = event.runId;
				found = foundSoFar();
				streaming = '';
			}
			if (!('runId' in event) || event.runId !== rootRunId) return;
			if (event.type === 'llm.start' || event.type === 'llm.restart') streaming = '';
			else if (event.type === 'llm.delta') streaming += event.text;
			else if (event.type === 'llm.done') {
				streaming = '';
				found.reply(event.text, event.finishReason);
			} else if (event.type === 'code.done') found.block(event);
		},
		get text() {
			return bestPartialAnswer({draft: found.draft, lastStdout: found.lastStdout, lastReply: found.lastReply || replyWords(streaming)});
		},
	};
}
