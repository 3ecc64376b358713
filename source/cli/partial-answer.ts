// What a stopped run has to show. As the original RLM's `_best_partial_answer`: the root model's
// most recent reply with content; a reply still streaming counts when no earlier one has content.
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
	return {
		onEvent(event) {
			if (event.type === 'run.start' && event.depth === 0) {
				rootRunId = event.runId;
				lastReply = '';
				streaming = '';
			}
			if (!('runId' in event) || event.runId !== rootRunId) return;
			if (event.type === 'llm.start') streaming = '';
			else if (event.type === 'llm.delta') streaming += event.text;
			else if (event.type === 'llm.done') {
				streaming = '';
				if (event.text.trim()) lastReply = event.text;
			}
		},
		get text() {
			return lastReply || streaming.trim() ? lastReply || streaming : '';
		},
	};
}
