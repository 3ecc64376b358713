// A reply the server failed in the middle of is retried, and the tree's live view of the reply
// drops what streamed before the failure (llm.restart): the retried reply alone shows.
import {afterEach, beforeEach, expect, it} from 'vitest';
import {waitFor, type Harness, type ScriptedRlm} from './harness.js';
import {closeScriptedApp, openScriptedApp} from './scripted-app.js';

let dir: string;
let rlm: ScriptedRlm;
let h: Harness;

beforeEach(() => {
	({dir, rlm, h} = openScriptedApp('rlm-ui-mid-reply-', {columns: 140, rows: 30}));
});

afterEach(() => closeScriptedApp({dir, h}));

it('the streaming reply shows the partial until it is withdrawn, then only the retried reply', async () => {
	h.write('q\r');
	await waitFor(() => rlm.prompts.length === 1);
	rlm.emitEvent({type: 'run.start', runId: 'r', depth: 0, model: 'm', backend: 'anthropic', question: 'q', context: {type: 'str', chars: 1}, maxIterations: 3});
	rlm.emitEvent({type: 'iter.start', runId: 'r', iteration: 1, maxIterations: 3});
	rlm.emitEvent({type: 'llm.start', runId: 'r', iteration: 1, messages: 2, promptChars: 10});
	rlm.emitEvent({type: 'llm.delta', runId: 'r', iteration: 1, text: 'Partial from the failed try'});
	await h.waitForFrame((f) => f.includes('Partial from the failed try'));
	rlm.emitEvent({
		type: 'notice',
		runId: 'r',
		level: 'info',
		code: 'stream_retried',
		message: 'The reply so far is withdrawn: Request to the Anthropic API failed: Overloaded. Retrying in 0.5 s (1 of 2).',
	});
	rlm.emitEvent({type: 'llm.restart', runId: 'r', iteration: 1});
	rlm.emitEvent({type: 'llm.delta', runId: 'r', iteration: 1, text: 'Retried reply streaming'});
	const streaming = await h.waitForFrame((f) => f.includes('Retried reply streaming'));
	expect(streaming).not.toContain('Partial from the failed try');
	expect(streaming).toContain('The reply so far is withdrawn');
	rlm.emitEvent({type: 'llm.done', runId: 'r', iteration: 1, text: 'Retried reply streaming, done.', usage: {inputTokens: 1, outputTokens: 1}, ms: 5});
	const done = await h.waitForFrame((f) => f.includes('Retried reply streaming, done.'));
	expect(done).not.toContain('Partial from the failed try');
	// The retried reply's row comes after the notice that withdrew the first try, as -e and serve show it.
	const lines = done.split('\n');
	const noticeRow = lines.findIndex((line) => line.includes('! info The reply so far is withdrawn'));
	const replyRow = lines.findIndex((line) => line.includes('reply Retried reply streaming, done.'));
	expect(noticeRow).toBeGreaterThan(-1);
	expect(replyRow).toBeGreaterThan(noticeRow);
});
