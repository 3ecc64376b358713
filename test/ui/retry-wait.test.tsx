// While the backend waits to retry a failed try (a stream_retried notice came; it sleeps before
// the next try), the reply's row and the working line say so, with the wait and the cause, not
// "streaming"; a narrow working line keeps the wait and the cause.
import {afterEach, expect, it} from 'vitest';
import type {RlmEventBody} from '../../source/protocol/events.js';
import {waitFor, type Harness, type ScriptedRlm} from './harness.js';
import {closeScriptedApp, openScriptedApp} from './scripted-app.js';
import {parseRetry, shortCause} from '../../source/ui/retry-wait.js';

let app: {dir: string; rlm: ScriptedRlm; h: Harness} | undefined;

afterEach(() => {
	if (app) closeScriptedApp(app);
	app = undefined;
});

/** An event stamped on the app's clock (a notice's wait counts down from it). */
const now = (rlm: ScriptedRlm, body: RlmEventBody) => rlm.emit('event', {...body, t: performance.now()});

const CAUSE = 'The OpenAI-compatible server at http://127.0.0.1:41234/v1 answered 503: Service Unavailable.';

async function waitingToRetry(columns: number) {
	app = openScriptedApp('rlm-ui-retry-wait-', {columns, rows: 30});
	const {rlm, h} = app;
	h.write('q\r');
	await waitFor(() => rlm.prompts.length === 1);
	rlm.emitEvent({type: 'run.start', runId: 'r', depth: 0, model: 'm', backend: 'openai', question: 'q', context: {type: 'str', chars: 1}, maxIterations: 3});
	rlm.emitEvent({type: 'iter.start', runId: 'r', iteration: 1, maxIterations: 3});
	rlm.emitEvent({type: 'llm.start', runId: 'r', iteration: 1, messages: 2, promptChars: 10});
	now(rlm, {type: 'notice', runId: 'r', level: 'info', code: 'stream_retried', message: `${CAUSE} Retrying in 20.0 s (1 of 2).`});
	return {rlm, h};
}

it('the reply row and the working line say the reply waits to be retried, in how long, and why', async () => {
	const {rlm, h} = await waitingToRetry(160);
	const frame = await h.waitForFrame((f) => /retrying in \d+ s \(1 of 2\)/.test(f));
	const replyRow = frame.split('\n').find((line) => /\breply\b/.test(line) && !line.includes('! info'))!;
	expect(replyRow).toMatch(/reply retrying in \d+ s \(1 of 2\)/);
	expect(replyRow).not.toContain('streaming');
	expect(frame).toMatch(/working \S+ · retrying in \d+ s \(1 of 2\) · 503: Service Unavailable/);
	// The next try streams: the row streams again, and the working line says the model writes.
	rlm.emitEvent({type: 'llm.delta', runId: 'r', iteration: 1, text: 'Second try'});
	const streaming = await h.waitForFrame((f) => f.includes('reply (streaming) Second try'));
	expect(streaming).not.toMatch(/retrying in/);
	expect(streaming).toContain('model is writing');
});

it('at 80 columns the working line keeps the wait and the cause, not the server\'s name', async () => {
	const {h} = await waitingToRetry(80);
	const frame = await h.waitForFrame((f) => /working .*retrying/.test(f));
	const working = frame.split('\n').find((line) => line.includes('working'))!;
	expect(working).toMatch(/retrying in \d+ s/);
	expect(working).toContain('503');
	expect(working).not.toContain('OpenAI-compatible');
});

it('the short cause drops the server\'s name and address, and what a withdrawn reply says before it', () => {
	expect(shortCause(CAUSE)).toBe('503: Service Unavailable');
	expect(shortCause('The reply so far is withdrawn: The OpenAI-compatible server at http://h:1/v1 closed the connection mid-stream.')).toBe('the server closed the connection mid-stream');
	expect(shortCause('Cannot reach the Anthropic API at https://api.anthropic.com: connection refused.')).toBe('Cannot reach the server: connection refused');
	expect(shortCause('Request to the Anthropic API failed: Overloaded.')).toBe('Request to the Anthropic API failed: Overloaded');
});

it('reads each way a retry notice gives its wait: in seconds, at once, or none named', () => {
	const at = (message: string) => parseRetry({message, startedAt: 0});
	expect(at('X answered 429: slow down. Retrying in 1.5 s (1 of 2).')).toMatchObject({waitMs: 1500, retry: 1, of: 2, cause: 'X answered 429: slow down.'});
	expect(at('X answered 429: slow down. Retrying in 2 s (2 of 2).')).toMatchObject({waitMs: 2000, retry: 2, of: 2});
	expect(at('X answered 503: busy. Retrying at once (1 of 2).')).toMatchObject({waitMs: undefined, retry: 1, of: 2, cause: 'X answered 503: busy.'});
	expect(at('X reset the connection before it answered. Retrying (1 of 2).')).toMatchObject({waitMs: undefined, retry: 1});
	expect(at('X answered 400: bad request.')).toBeUndefined();
});
