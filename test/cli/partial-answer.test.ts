// A stopped headless run's partial answer, from the run's events, in the engine's order: the answer
// dict's draft, the last output of the root's code, the last reply's words without its unrun code.
import {expect, it} from 'vitest';
import {partialAnswerTracker} from '../../source/cli/partial-answer.js';
import type {RlmEvent} from '../../source/protocol/events.js';

const t = 1;
const start: RlmEvent = {type: 'run.start', runId: 'r', depth: 0, model: 'm', backend: 'openai', question: 'q', context: {type: 'none', chars: 0}, maxIterations: 3, t};
const reply = (text: string): RlmEvent => ({type: 'llm.done', runId: 'r', iteration: 1, text, usage: {inputTokens: 1, outputTokens: 1}, ms: 1, t});
const block = (stdout: string, answerDraft?: string): RlmEvent =>
	({type: 'code.done', runId: 'r', iteration: 1, block: 1, ok: false, stdout, stderr: '', ms: 1, truncatedChars: 0, variables: [], final: null, restarted: false, ...(answerDraft ? {answerDraft} : {}), t});

function track(events: RlmEvent[]): string {
	const tracker = partialAnswerTracker();
	for (const event of events) tracker.onEvent(event);
	return tracker.text;
}

it('takes the answer dict first, then the last output, then the reply without its unrun code', () => {
	const code = 'Working on it.\n\n```repl\nanswer["content"] = "x"\n```';
	expect(track([start, reply(code), block('tick 0\ntick 1', 'from the answer dict')])).toBe('from the answer dict');
	expect(track([start, reply(code), block('tick 0\ntick 1')])).toBe('tick 0\ntick 1');
	expect(track([start, reply(code)])).toBe('Working on it.');
	expect(track([start, reply('A plain answer.')])).toBe('A plain answer.');
});

it('a reply still streaming counts, and one withdrawn for a retry (llm.restart) does not', () => {
	const delta = (text: string): RlmEvent => ({type: 'llm.delta', runId: 'r', iteration: 1, text, t});
	const restart: RlmEvent = {type: 'llm.restart', runId: 'r', iteration: 1, t};
	expect(track([start, delta('The answer is 41')])).toBe('The answer is 41');
	expect(track([start, delta('The answer is 41'), restart])).toBe('');
	expect(track([start, delta('The answer is 41'), restart, delta('The answer is 42')])).toBe('The answer is 42');
});
