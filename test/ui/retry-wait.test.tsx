// While the backend waits to retry a failed try (a stream_retried notice came; it sleeps before
// the next try), the reply's row and the working line say so from the notice's facts (its
// `retry`), not by reading its words: the wait, the cause, which retry. Once anything of the next
// try streams (answer text or thinking), the row streams again.
import {afterEach, expect, it} from 'vitest';
import type {RlmEventBody} from '../../source/protocol/events.js';
import type {RetryFacts} from '../../source/protocol/llm.js';
import {retryWaitText} from '../../source/ui/retry-wait.js';
import {waitFor, type Harness, type ScriptedRlm} from './harness.js';
import {closeScriptedApp, openScriptedApp} from './scripted-app.js';

let app: {dir: string; rlm: ScriptedRlm; h: Harness} | undefined;

afterEach(() => {
	if (app) closeScriptedApp(app);
	app = undefined;
});

/** An event stamped on the app's clock (a notice's wait counts down from it). */
const now = (rlm: ScriptedRlm, body: RlmEventBody) => rlm.emit('event', {...body, t: performance.now()});

const FACTS: RetryFacts = {retry: 1, maxRetries: 2, waitMs: 20_000, cause: '503: Service Unavailable'};
/** Words no front end may read: they say nothing the facts say, so a parser of them finds nothing. */
const WORDS = 'The server failed; it is tried again shortly.';

async function started(columns: number, before: RlmEventBody[] = []) {
	app = openScriptedApp('rlm-ui-retry-wait-', {columns, rows: 30});
	const {rlm, h} = app;
	h.write('q\r');
	await waitFor(() => rlm.prompts.length === 1);
	rlm.emitEvent({type: 'run.start', runId: 'r', depth: 0, model: 'm', backend: 'openai', question: 'q', context: {type: 'str', chars: 1}, maxIterations: 3});
	rlm.emitEvent({type: 'iter.start', runId: 'r', iteration: 1, maxIterations: 3});
	rlm.emitEvent({type: 'llm.start', runId: 'r', iteration: 1, messages: 2, promptChars: 10});
	for (const event of before) rlm.emitEvent(event);
	return {rlm, h};
}

/** `facts` null: a notice without them. */
async function waitingToRetry(columns: number, facts: RetryFacts | null = FACTS, before: RlmEventBody[] = []) {
	const {rlm, h} = await started(columns, before);
	now(rlm, {type: 'notice', runId: 'r', level: 'info', code: 'stream_retried', message: WORDS, ...(facts ? {retry: facts} : {})});
	return {rlm, h};
}

const replyRowOf = (frame: string) => frame.split('\n').find((line) => /\breply\b/.test(line) && !line.includes('! info'))!;
const workingLineOf = (frame: string) => frame.split('\n').find((line) => line.includes('working'))!;

it('the reply row and the working line say the reply waits to be retried, in how long, and why', async () => {
	const {rlm, h} = await waitingToRetry(160);
	const frame = await h.waitForFrame((f) => /retrying in \d+ s \(1 of 2\)/.test(f));
	expect(replyRowOf(frame)).toMatch(/reply retrying in \d+ s \(1 of 2\)/);
	expect(replyRowOf(frame)).not.toContain('streaming');
	expect(workingLineOf(frame)).toMatch(/working \S+ · retrying in \d+ s · 503: Service Unavailable\s*│/);
	// The next try streams: the row streams again, and the working line says the model writes.
	rlm.emitEvent({type: 'llm.delta', runId: 'r', iteration: 1, text: 'Second try'});
	const streaming = await h.waitForFrame((f) => f.includes('reply (streaming) Second try'));
	expect(streaming).not.toMatch(/retrying in/);
	expect(streaming).toContain('model is writing');
});

it('the next try\'s thinking ends the wait as its text does: the row streams, the working line says the model thinks', async () => {
	const {rlm, h} = await waitingToRetry(160);
	await h.waitForFrame((f) => /reply retrying in \d+ s/.test(f));
	rlm.emitEvent({type: 'llm.reasoning', runId: 'r', iteration: 1, text: 'Let me think again'});
	const thinking = await h.waitForFrame((f) => f.includes('model is thinking'));
	expect(thinking).not.toMatch(/retrying|retry 1 of 2/);
	expect(replyRowOf(thinking)).toContain('reply (streaming)');
});

it('a try that failed mid-thought: its thinking, and the blank line the next try\'s starts with, do not end the wait; the next try\'s thinking does', async () => {
	const {rlm, h} = await waitingToRetry(160, FACTS, [{type: 'llm.reasoning', runId: 'r', iteration: 1, text: 'First try thinking'}]);
	// separateReasoning starts the next try's thinking on a new paragraph as soon as the notice passes.
	rlm.emitEvent({type: 'llm.reasoning', runId: 'r', iteration: 1, text: '\n\n'});
	const waiting = await h.waitForFrame((f) => /reply retrying in \d+ s \(1 of 2\)/.test(f));
	expect(workingLineOf(waiting)).toMatch(/retrying in \d+ s · 503/);
	rlm.emitEvent({type: 'llm.reasoning', runId: 'r', iteration: 1, text: 'Second try thinking'});
	const thinking = await h.waitForFrame((f) => f.includes('model is thinking'));
	expect(thinking).not.toMatch(/retrying in|retry 1 of 2/);
});

it('a notice without facts (a log written before they were kept) says the reply is retried: no countdown, no cause read from its words', async () => {
	const {h} = await waitingToRetry(160, null);
	const frame = await h.waitForFrame((f) => /reply retrying …/.test(f));
	expect(workingLineOf(frame)).toMatch(/working \S+ · retrying\s*│/);
	expect(frame).not.toMatch(/retrying in|\(1 of 2\)/);
});

it.each([
	[80, '503: Service Unavailable'],
	[100, '503'],
	[120, '503: Service'],
	[160, '503: Service Unavailable'],
])('at %i columns the working line keeps the wait and as much of the cause as fits, with no mark for a part it left out', async (columns, shown) => {
	const {h} = await waitingToRetry(columns);
	const frame = await h.waitForFrame((f) => /working .*retrying in/.test(f));
	const working = workingLineOf(frame).split('│')[1]!.trim();
	expect(working).toMatch(/retrying in \d+ s/);
	// What is cut ends in "…"; a cause shown whole ends the line (the iteration is on the tree's rows).
	expect(working).toMatch(new RegExp(`· ${shown}${shown === FACTS.cause ? '$' : '…$'}`));
});

it('the wait as the facts give it: at once, the SDK\'s backoff at its longest, then the try under way', () => {
	const since = 1000;
	const text = (facts: RetryFacts, at: number, which?: boolean) => retryWaitText({facts, since}, at, which);
	expect(text({retry: 1, maxRetries: 2, waitMs: 0, cause: 'x'}, since)).toBe('retry 1 of 2');
	// A wait the notice says "at once" (under 50 ms) counts down no second.
	expect(text({retry: 1, maxRetries: 2, waitMs: 30, cause: 'x'}, since)).toBe('retry 1 of 2');
	expect(text({retry: 1, maxRetries: 2, waitMs: 50, cause: 'x'}, since)).toBe('retrying in 1 s (1 of 2)');
	expect(text({retry: 2, maxRetries: 2, waitAtMostMs: 1000, cause: 'x'}, since + 200)).toBe('retrying within 1 s (2 of 2)');
	expect(text({retry: 2, maxRetries: 2, waitAtMostMs: 1000, cause: 'x'}, since + 1000)).toBe('retry 2 of 2');
	expect(text({retry: 1, maxRetries: 3, waitMs: 4500, cause: 'x'}, since + 1000, false)).toBe('retrying in 4 s');
	// A clock a tick older than the notice never shows a longer wait.
	expect(text({retry: 1, maxRetries: 3, waitMs: 4500, cause: 'x'}, since - 50)).toBe('retrying in 5 s (1 of 3)');
	expect(retryWaitText({since}, since)).toBe('retrying');
});
