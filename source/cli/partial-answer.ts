// What a stopped run has to show, in the engine's order (run-loop's bestSoFar): the answer dict's
// draft, else the last output of the root's code, else the root model's most recent reply with
// content (its words, without code that never ran; as the original RLM's `_best_partial_answer`);
// a reply still streaming counts when no earlier one has content.
import {readReply, withoutRunnableCode} from '../engine/parse.js';
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
				if (event.text.trim()) lastReply = withoutRunnableCode(readReply(event.text)) || event.text;
			} else if (event.type === 'code.done') {
				draft = event.answerDraft?.trim() ? event.answerDraft : '';
				if (event.stdout.trim()) lastStdout = event.stdout.trim();
			}
		},
		get text() {
			if (draft) return draft;
			if (lastStdout) return lastStdout;
			return lastReply || streaming.trim() ? lastReply || streaming : '';
		},
	};
}
