// What --resume says of the turns that have no answer: a stopped run that had a best answer so
// far (the app shows it) is not said to have none.
import {describe, expect, it} from 'vitest';
import {parseTrajectoryLog} from '../../source/trajectory/read-log.js';
import {resumeTurns, unansweredNotes} from '../../source/trajectory/resume.js';

/** A log of one turn whose last iteration line ends the run with `status` and `answer`. */
const log = (question: string, status: string, answer?: string) =>
	parseTrajectoryLog(
		[
			{type: 'metadata', timestamp: '2026-12-01T00:00:00', root_model: 'm', max_depth: 1, max_iterations: 5, backend: 'openai', backend_kwargs: {}, environment_type: 'local', environment_kwargs: {}, other_backends: null, rlm_tui: {question, context_is_prompt: true}},
			{type: 'iteration', iteration: 1, timestamp: '2026-12-01T00:00:01', prompt: [], response: 'Looking.', code_blocks: [], final_answer: null, iteration_time: 1, rlm_tui: {usage: {inputTokens: 1, outputTokens: 1}, run_status: status, ...(answer !== undefined ? {answer} : {})}},
		]
			.map((line) => JSON.stringify(line))
			.join('\n'),
	);

describe('unansweredNotes', () => {
	it('a cancelled turn with a best answer so far says so, and keeps it out of the answers', () => {
		const turns = resumeTurns([log('find it', 'cancelled', 'found 42'), log('and again', 'cancelled', ''), log('once more', 'failed')]);
		expect(turns.map((turn) => turn.answer)).toEqual([null, null, null]);
		expect(turns[0]!.bestSoFar).toBe('found 42');
		expect(turns[1]!.bestSoFar).toBeUndefined();
		expect(unansweredNotes(turns)).toEqual([
			"turn 1 \"find it\" has no final answer: it was cancelled with a best answer so far, which the model's history leaves out",
			'turn 2 "and again" has no answer: it was cancelled',
			'turn 3 "once more" has no answer: it failed',
		]);
	});

	it('a limited turn with an answer is answered, as before', () => {
		const [turn] = resumeTurns([log('q', 'limited', 'partial')]);
		expect(turn.answer).toBe('partial');
		expect(unansweredNotes([turn])).toEqual([]);
	});
});
