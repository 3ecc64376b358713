// The status line during a run names the model the running answer uses; a model picked with
// /model meanwhile is shown as the next question's, never as the one at work.
import {afterEach, beforeEach, expect, it} from 'vitest';
import {waitFor, type Harness, type ScriptedRlm} from './harness.js';
import {closeScriptedApp, openScriptedApp} from './scripted-app.js';

let dir: string;
let rlm: ScriptedRlm;
let h: Harness;

beforeEach(() => {
	({dir, rlm, h} = openScriptedApp('rlm-ui-status-model-', {columns: 140, rows: 30}, {model: 'cogito:14b'}));
});

afterEach(() => closeScriptedApp({dir, h}));

const statusOf = (frame: string) => frame.split('\n').at(-1) ?? '';

it('shows the running answer\'s model, and the one /model picked as the next question\'s', async () => {
	h.write('a question\r');
	await waitFor(() => rlm.prompts.length === 1);
	rlm.emitEvent({type: 'run.start', runId: 'r', depth: 0, model: 'cogito:14b', backend: 'openai', question: 'a question', context: {type: 'str', chars: 0}, maxIterations: 30});
	await h.waitForFrame((f) => statusOf(f).includes('openai · cogito:14b'));
	h.write('/model gpt-4o-mini\r');
	await waitFor(() => rlm.configured.some((patch) => patch.model === 'gpt-4o-mini'));
	const during = statusOf(await h.waitForFrame((f) => statusOf(f).includes('next question')));
	expect(during).toContain('openai · cogito:14b (next question: gpt-4o-mini)');
	rlm.emitEvent({type: 'run.done', runId: 'r', answer: 'done', status: 'answered', usage: {inputTokens: 1, outputTokens: 1}, ms: 5, iterations: 1});
	rlm.finish('done');
	const after = statusOf(await h.waitForFrame((f) => f.includes('done') && !statusOf(f).includes('next question')));
	expect(after).toContain('openai · gpt-4o-mini');
});
