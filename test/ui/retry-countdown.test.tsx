// The app's clock ticks while a reply waits to be retried, though no event comes meanwhile: the
// wait the working line and the reply's row give counts down (tryout: "retrying in 3 s" seemed
// stuck; in tmux it counts down once a second, the first second showing the whole wait rounded up).
import {afterEach, it} from 'vitest';
import {waitFor} from './harness.js';
import {closeScriptedApp, openScriptedApp, type ScriptedApp} from './scripted-app.js';

let app: ScriptedApp | undefined;

afterEach(() => {
	if (app) closeScriptedApp(app);
	app = undefined;
});

it('"retrying in N s" counts down with no event arriving, then says the retry is under way', async () => {
	app = openScriptedApp('rlm-ui-retry-countdown-', {columns: 160, rows: 30});
	const {rlm, h} = app;
	h.write('q\r');
	await waitFor(() => rlm.prompts.length === 1);
	rlm.emitEvent({type: 'run.start', runId: 'r', depth: 0, model: 'm', backend: 'openai', question: 'q', context: {type: 'str', chars: 1}, maxIterations: 3});
	rlm.emitEvent({type: 'iter.start', runId: 'r', iteration: 1, maxIterations: 3});
	rlm.emitEvent({type: 'llm.start', runId: 'r', iteration: 1, messages: 2, promptChars: 10});
	// Stamped on the app's clock, as the engine stamps its events.
	rlm.emit('event', {type: 'notice', runId: 'r', level: 'info', code: 'stream_retried', message: 'The server answered 503: Service Unavailable. Retrying in 2 s (1 of 2).', retry: {retry: 1, maxRetries: 2, waitMs: 2000, cause: '503: Service Unavailable'}, t: performance.now()});
	const working = (frame: string) => frame.split('\n').find((line) => line.includes('working')) ?? '';
	// Nothing is emitted from here on: the clock alone moves the line.
	// The working line leaves "(1 of 2)" to the reply's row while the wait lasts.
	await h.waitForFrame((f) => working(f).includes('retrying in 2 s · 503: Service Unavailable'));
	await h.waitForFrame((f) => working(f).includes('retrying in 1 s · 503: Service Unavailable'));
	await h.waitForFrame((f) => working(f).includes('retry 1 of 2') && !working(f).includes('retrying in'));
});
