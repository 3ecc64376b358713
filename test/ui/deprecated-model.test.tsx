// A deprecated model's warning (model_deprecated) is said in the chat, where it stays when the
// run's rows fold away: once per model a session, however often the backend tells it.
import {afterEach, beforeEach, expect, it} from 'vitest';
import {waitFor, type Harness, type ScriptedRlm} from './harness.js';
import {closeScriptedApp, openScriptedApp} from './scripted-app.js';

let dir: string;
let rlm: ScriptedRlm;
let h: Harness;

beforeEach(() => {
	({dir, rlm, h} = openScriptedApp('rlm-ui-deprecated-', {columns: 160, rows: 40}));
});

afterEach(() => closeScriptedApp({dir, h}));

const warning = (model: string) => `Anthropic has deprecated the model '${model}' (end of life: 2026-10-22): choose a newer model.`;

async function ask(question: string, runId: string, warnings: string[]) {
	const asked = rlm.prompts.length;
	h.write(`${question}\r`);
	await waitFor(() => rlm.prompts.length === asked + 1);
	rlm.emitEvent({type: 'run.start', runId, depth: 0, model: 'claude-old', backend: 'anthropic', question, context: {type: 'str', chars: 1}, maxIterations: 3});
	rlm.emitEvent({type: 'iter.start', runId, iteration: 1, maxIterations: 3});
	rlm.emitEvent({type: 'llm.start', runId, iteration: 1, messages: 2, promptChars: 10});
	for (const message of warnings) rlm.emitEvent({type: 'notice', runId, level: 'warn', code: 'model_deprecated', message});
	rlm.emitEvent({type: 'llm.done', runId, iteration: 1, text: 'FINAL(1)', usage: {inputTokens: 1, outputTokens: 1}, ms: 5});
	rlm.emitEvent({type: 'run.done', runId, answer: `answer ${runId}`, status: 'answered', usage: {inputTokens: 1, outputTokens: 1}, ms: 10, iterations: 1});
	rlm.finish(`answer ${runId}`);
	return h.waitForFrame((f) => f.includes(`answer ${runId}`));
}

/** The chat's lines of the warning ("! Anthropic has…"; the tree's row is "! warn Anthropic has…"). */
const chatWarnings = (frame: string, model: string) => frame.split('\n').filter((line) => line.includes(`! Anthropic has deprecated the model '${model}'`)).length;

it('the warning is one line in the chat, above the answer, once per model', async () => {
	const first = await ask('q1', 'r1', [warning('claude-old')]);
	expect(chatWarnings(first, 'claude-old')).toBe(1);
	const lines = first.split('\n');
	expect(lines.findIndex((line) => line.includes("! Anthropic has deprecated the model 'claude-old'"))).toBeLessThan(lines.findIndex((line) => line.includes('answer r1')));
	// Told again (a backend made anew), and another model's: the first is not said twice.
	const second = await ask('q2', 'r2', [warning('claude-old'), warning('claude-older')]);
	expect(chatWarnings(second, 'claude-old')).toBe(1);
	expect(chatWarnings(second, 'claude-older')).toBe(1);
});
