// End to end, in a real terminal (tmux): the built CLI against a server that answers 503 with a
// Retry-After. The real openai client sleeps the wait and retries; its retry's facts reach the
// screen: the working line counts the wait down beside the cause, the reply's row says which
// retry, and the retried reply answers.
import {afterAll, beforeAll, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer, type FakeReply} from '../support/fake-llm-server.js';
import {repl} from '../support/rlm-script.js';
import {Tmux} from './tmux-driver.js';

let t: Tmux;
let server: FakeLlmServer;

beforeAll(async () => {
	t = new Tmux();
	server = await startFakeLlmServer({models: ['fake-model']});
});

afterAll(async () => {
	t?.close();
	await server?.close();
});

it('a 503 with Retry-After: the wait counts down beside its cause, then the retried reply answers', async () => {
	let chats = 0;
	server.setResponder((request): FakeReply => {
		if (!request.path.endsWith('/chat/completions')) return {text: ''};
		chats++;
		if (chats === 1) return {status: 503, message: 'Service Unavailable', retryAfterMs: null, headers: {'retry-after': '6'}};
		return repl('llm_output("retried answer")');
	});
	const s = t.start(t.cliCommand(['-u', server.openaiBaseURL, '-m', 'fake-model', '-k', 'test']), {columns: 160, rows: 30});
	await t.waitFor(s, (text) => text.includes('Ask a question'), 'the TUI to start', 30_000);
	t.type(s, 'q');
	t.keys(s, 'Enter');
	const waiting = await t.waitFor(s, (text) => /working \S+ · retrying in \d s · 503: Service Unavailable/.test(text), 'the countdown and the cause', 30_000);
	expect(waiting).toMatch(/reply retrying in \d s \(1 of 2\)/);
	expect(waiting).not.toContain('127.0.0.1 · ');
	const answered = await t.waitFor(s, (text) => text.includes('retried answer') && !/retrying in|working/.test(text), 'the retried reply\'s answer', 60_000);
	// The notice stays in the tree, in its words.
	expect(answered).toMatch(/! info The OpenAI-compatible server at/);
	t.type(s, '/quit');
	t.keys(s, 'Enter');
	await t.waitFor(s, (text) => text.includes('EXIT:0'), 'the exit', 30_000);
}, 150_000);
