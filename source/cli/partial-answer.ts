// What a stopped headless run has to show, from its events, in the engine's order
// (engine/best-answer.ts); a reply still streaming counts when no earlier one has content.
import {bestPartialAnswer, replyWords} from '../engine/best-answer.js';
import type {RlmEvent} from '../protocol/events.js';

export interface PartialAnswer {
	/** Feed every event of the run. */
	onEvent(event: RlmEvent): void;
	/** The partial answer so far ('' when the root model has said nothing yet). */
	readonly text: string;
}

export function partialAnswerTracker(): PartialAnswer {
	let rootRunId: string | undefined;
	let lastReply = '';
	let streaming = '';
	let draft = '';
	let lastStdout = '';
	return {
		onEvent(event) {
			if (event.type === 'run.start' && event.depth === 0) {
				rootRunId = event.runId;
				lastReply = '';
				streaming = '';
				draft = '';
				lastStdout = '';
			}
			if (!('runId' in event) || event.runId !== rootRunId) return;
			if (event.type === 'llm.start') streaming = '';
			else if (event.type === 'llm.delta') streaming += event.text;
			else if (event.type === 'llm.done') {
				streaming = '';
				// A refusal's words are not something the run found.
				if (event.text.trim() && event.finishReason !== 'refusal') lastReply = replyWords(event.text);
			} else if (event.type === 'code.done') {
				draft = event.answerDraft?.trim() ? event.answerDraft : '';
				if (event.stdout.trim()) lastStdout = event.stdout.trim();
			}
		},
		get text() {
			return bestPartialAnswer({draft, lastStdout, lastReply: lastReply || replyWords(streaming)});
		},
	};
}
