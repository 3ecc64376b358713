// Qwen3 with thinking off still writes an empty `<think>\n\n</think>` before each reply: an empty
// or blank thinking makes no row in the tree (it once showed as "thinking (never run) 2 chars").
import {afterEach, beforeEach, expect, it} from 'vitest';
import {waitFor, type Harness, type ScriptedRlm} from './harness.js';
import {closeScriptedApp, openScriptedApp} from './scripted-app.js';

let dir: string;
let rlm: ScriptedRlm;
let h: Harness;

beforeEach(() => {
	({dir, rlm, h} = openScriptedApp('rlm-ui-thinking-', {columns: 140, rows: 30}));
});

afterEach(() => closeScriptedApp({dir, h}));

it('a blank thinking makes no row; one with text does', async () => {
	h.write('q\r');
	await waitFor(() => rlm.prompts.length === 1);
	rlm.emitEvent({type: 'run.start', runId: 'r', depth: 0, model: 'qwen3', backend: 'openai', question: 'q', context: {type: 'str', chars: 1}, maxIterations: 3});
	rlm.emitEvent({type: 'iter.start', runId: 'r', iteration: 1, maxIterations: 3});
	rlm.emitEvent({type: 'llm.start', runId: 'r', iteration: 1, messages: 2, promptChars: 10});
	rlm.emitEvent({type: 'llm.reasoning', runId: 'r', iteration: 1, text: '\n\n'});
	rlm.emitEvent({type: 'llm.done', runId: 'r', iteration: 1, text: 'First reply.', reasoning: '\n\n', usage: {inputTokens: 1, outputTokens: 1}, ms: 5});
	rlm.emitEvent({type: 'iter.start', runId: 'r', iteration: 2, maxIterations: 3});
	rlm.emitEvent({type: 'llm.start', runId: 'r', iteration: 2, messages: 4, promptChars: 20});
	rlm.emitEvent({type: 'llm.reasoning', runId: 'r', iteration: 2, text: 'Now I count.'});
	rlm.emitEvent({type: 'llm.done', runId: 'r', iteration: 2, text: 'Second reply.', reasoning: 'Now I count.', usage: {inputTokens: 1, outputTokens: 1}, ms: 5});
	const frame = await h.waitForFrame((f) => f.includes('Second reply.') && f.includes('Now I count.'));
	// One thinking row: the second iteration's.
	expect(frame.match(/thinking/g)?.length).toBe(1);
	expect(frame).not.toMatch(/\b2 chars/);
	// The first reply has nothing under it now: no ▾ marker.
	expect(frame).toMatch(/ {2}✓ reply First reply./);
});
