// The TUI with the real engine: the offline demo backend, and the fake OpenAI-compatible server
// (real SDK over HTTP) for model listing/switching, cancellation and an unreachable backend.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import {resolveConfig, type Flags} from '../../source/settings/resolve.js';
import {openSettings, type SettingsStore} from '../../source/settings/store.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {queueResponder} from '../support/fake-llm-server.js';
import {repl, scripted} from '../support/rlm-script.js';
import {logToEvents} from '../../source/trajectory/log-to-events.js';
import {readTrajectoryLog} from '../../source/trajectory/read-log.js';
import {InertEngine} from '../../source/ui/replay-tui.js';
import {KEYS, renderApp, stripAnsi, waitFor, type Harness} from './harness.js';

let dir: string;
let settings: SettingsStore;
let rlm: Rlm | undefined;
let h: Harness | undefined;
let server: FakeLlmServer | undefined;

const SLOW = 90_000;

function start(flags: Flags, env: NodeJS.ProcessEnv = {}) {
	const config = resolveConfig(flags, env, settings.get());
	rlm = new Rlm({
		model: config.model,
		backend: config.backend,
		...(config.baseURL ? {baseURL: config.baseURL} : {}),
		apiKey: config.apiKey ?? 'test-key',
		maxIterations: config.maxIterations,
		requestTimeoutMs: 20_000,
		...config.limits,
	});
	h = renderApp({rlm, config, settings, cwd: dir, env, columns: 140, rows: 40});
	return h;
}

const flat = (frame: string) => frame.replace(/[\s│]+/g, ' ');
/** The chat pane's text alone, its lines joined (the tree pane beside it cut off). */
const chatText = (frame: string) => {
	const width = frame.split('\n')[0]!.indexOf('╮') + 1;
	return flat(frame.split('\n').map((line) => line.slice(0, width)).join('\n'));
};

beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-ui-engine-'));
	settings = openSettings({cwd: path.join(dir, 'config')});
});

afterEach(async () => {
	h?.unmount();
	h = undefined;
	await rlm?.dispose();
	rlm = undefined;
	await server?.close();
	server = undefined;
	fs.rmSync(dir, {recursive: true, force: true});
});

describe('with the demo backend', () => {
	it('shows use against the run-wide limits on the status line and the root run row as the run goes', async () => {
		start({backend: 'demo', maxTokens: 1_000_000, maxTimeout: 3600, maxSubCalls: 400});
		await h!.waitForFrame((f) => f.includes('demo · demo'));
		h!.write('Count the words in: the cat sat on the mat.\r');
		const done = await h!.waitForFrame((f) => f.includes('Demo answer') && f.includes('iterations ·'), SLOW);
		const status = done.trimEnd().split('\n').at(-1)!;
		expect(status).toMatch(/\d+(\.\d)?k?\/1\.0M tok/);
		expect(status).toMatch(/\d+:\d\d\/1:00:00/);
		expect(status).toMatch(/[1-9]\d*\/400 sub-calls/);
		expect(flat(done)).toMatch(/run · demo .*\/1\.0M tok/);
	});

	it('asks, streams rows into the tree, answers, and navigates into the details', async () => {
		start({backend: 'demo'});
		await h!.waitForFrame((f) => f.includes('demo · demo'));
		h!.write('Count the words in: the cat sat on the mat with the other cat.\r');
		const live = await h!.waitForFrame((f) => f.includes('iteration 1/30'), SLOW);
		expect(live).toContain('run · demo');
		const done = await h!.waitForFrame((f) => f.includes('Demo answer') && f.includes('iterations ·'), SLOW);
		expect(flat(done)).toContain('llm_query_batched[0]');
		expect(done).toMatch(/3 iterations/);
		expect(done).toMatch(/iter 3\/30/);
		// The engine's default cap (500 sub-calls), not chosen by the user, stays out of the status line and the row.
		expect(done).not.toContain('/500 sub-calls');
		// Into the tree: top, then down to the first code block and open it.
		h!.write(KEYS.tab);
		h!.write('g');
		await h!.waitForFrame((f) => /─ 1\/\d+/.test(f));
		h!.write('jjj');
		await h!.waitForFrame((f) => /─ 4\/\d+/.test(f));
		h!.write('o');
		const detail = await h!.waitForFrame((f) => f.includes('Code block 1'));
		expect(detail).toContain('kind = type(context).__name__');
		expect(detail).toContain('ran without error');
		h!.write(KEYS.esc);
		await h!.waitForFrame((f) => f.includes('Tree'));
		// Collapse the code block, then from its parent collapse the first iteration.
		h!.write('h');
		await h!.waitForFrame((f) => /▸ ✓ code #1 kind/.test(f));
		h!.write('kkh');
		await h!.waitForFrame((f) => /▸ ✓ iteration 1\/30/.test(f) && /─ 2\/\d+/.test(f));
	}, SLOW);

	it('/resume brings back the last logged session: its chat and its REPL variables', async () => {
		const logDir = path.join(dir, 'logs');
		const config = resolveConfig({backend: 'demo'}, {}, settings.get());
		const first = new Rlm({model: 'demo', backend: 'demo', logDir});
		try {
			expect((await first.completion('one two three four')).status).toBe('answered');
		} finally {
			await first.dispose();
		}
		rlm = new Rlm({model: 'demo', backend: 'demo', logDir});
		h = renderApp({rlm, config, settings, cwd: dir, env: {}, columns: 140, rows: 40});
		h.write('/resume\r');
		const resumed = await h.waitForFrame((f) => f.includes('Resumed 1 turn(s)'), SLOW);
		expect(flat(resumed)).toContain('one two three four');
		expect(flat(resumed)).toMatch(/Variables: .*\bnotes\b/);
		expect(flat(resumed)).toContain('Demo answer');
		// The tree holds the resumed turn, read from its log.
		expect(resumed).toMatch(/run · demo "one two/);
		expect(resumed).toMatch(/iteration 1\/30/);
		// The question and answer came before the note that the code was being re-run, a line for
		// work under way that goes once the code has run ("Resumed …" says how it went).
		const rerunning = h.frames.map(stripAnsi).find((f) => f.includes('Resuming the last session'));
		expect(rerunning).toBeDefined();
		expect(flat(rerunning!).indexOf('one two three four')).toBeLessThan(flat(rerunning!).indexOf('Resuming the last session'));
		expect(flat(rerunning!)).toContain('re-running its code');
		expect(resumed).not.toContain('Resuming the last session');
		expect(rlm.history).toHaveLength(1);
	}, SLOW);

	it('--resume says so from the first frame as work under way, then fills the chat and the tree from the log, and the line goes', async () => {
		const logDir = path.join(dir, 'logs');
		const config = resolveConfig({backend: 'demo'}, {}, settings.get());
		const first = new Rlm({model: 'demo', backend: 'demo', logDir});
		try {
			expect((await first.completion('five six seven')).status).toBe('answered');
		} finally {
			await first.dispose();
		}
		rlm = new Rlm({model: 'demo', backend: 'demo', logDir});
		h = renderApp({rlm, config, settings, cwd: dir, env: {}, columns: 140, rows: 40, resume: true});
		expect(h.frames.length).toBeGreaterThan(0);
		// Work under way, an info line (·), not a warning (!).
		expect(h.frames[0]).toMatch(/│ · Opening the last session…/);
		expect(h.frames[0]).not.toContain('! Opening');
		// Once the session is open the line goes: the resume's own lines say how it went.
		const resumed = await h.waitForFrame((f) => f.includes('Resumed 1 turn(s)') && !f.includes('Opening the last session'), SLOW);
		expect(resumed).toMatch(/run · demo "five six/);
		expect(resumed).not.toContain('Resuming the last session');
	}, SLOW);

	it('--resume with no earlier session: the opening line goes, the chat says there is nothing to resume', async () => {
		const config = resolveConfig({backend: 'demo'}, {}, settings.get());
		rlm = new Rlm({model: 'demo', backend: 'demo', logDir: path.join(dir, 'no-logs')});
		h = renderApp({rlm, config, settings, cwd: dir, env: {}, columns: 140, rows: 40, resume: true});
		expect(h.frames[0]).toContain('Opening the last session…');
		const frame = await h.waitForFrame((f) => f.includes('Nothing to resume') && !f.includes('Opening the last session'), SLOW);
		expect(frame).toMatch(/│ · Nothing to resume: no earlier session in/);
	}, SLOW);

	it('/resume of a session whose only question, a 3,000-line paste, was cancelled before any reply: that session, its paste, a Cancelled note', async () => {
		const logDir = path.join(dir, 'logs');
		server = await startFakeLlmServer({models: ['fake-model'], responder: () => ({hang: true})});
		const older = new Rlm({model: 'demo', backend: 'demo', logDir, origin: 'tui'});
		try {
			expect((await older.completion('an older session')).status).toBe('answered');
		} finally {
			await older.dispose();
		}
		const paste = Array.from({length: 3000}, (_, index) => `row ${index} ${'x'.repeat(60)}`).join('\n');
		const asking = new Rlm({model: 'fake-model', backend: 'openai', baseURL: server.openaiBaseURL, apiKey: 'k', logDir, origin: 'tui'});
		try {
			const stop = new AbortController();
			const running = asking.completion(paste, {signal: stop.signal});
			// Logged when asked, before any reply: then it is cancelled.
			await waitFor(() => asking.logFiles.length === 1 && fs.readFileSync(asking.logFiles[0]!, 'utf8').includes('row 2999'), SLOW);
			stop.abort();
			expect((await running).status).toBe('cancelled');
		} finally {
			await asking.dispose();
		}
		const config = resolveConfig({backend: 'demo'}, {}, settings.get());
		rlm = new Rlm({model: 'demo', backend: 'demo', logDir, origin: 'tui'});
		h = renderApp({rlm, config, settings, cwd: dir, env: {}, columns: 140, rows: 40});
		h.write('/resume\r');
		const resumed = chatText(await h.waitForFrame((f) => f.includes('Resumed 1 turn(s)'), SLOW));
		expect(resumed).toContain('› row 0 xxxxxxxxxx');
		expect(resumed).toContain('(+2,998 lines) … row 2999');
		// As the live session said it: cancelled in its first iteration, nothing found by then.
		expect(resumed).toContain('Cancelled in iteration 1/30.');
		expect(resumed).not.toContain('best answer so far');
		expect(resumed).not.toContain('an older session');
		expect(resumed).toContain('last asked: "row 0');
		expect(rlm.history).toHaveLength(0);
		// The question comes back whole from the log.
		const again = new Rlm({model: 'demo', backend: 'demo', logDir, origin: 'tui'});
		try {
			const found = await again.resumeLast();
			if (found.status !== 'resumed') throw new Error(`not resumed: ${found.status}`);
			expect(found.turns.map((turn) => [turn.question === paste, turn.status, turn.answer])).toEqual([[true, 'cancelled', null]]);
		} finally {
			await again.dispose();
		}
	}, SLOW);

	it('--resume of a session with many variables, a pasted question and a turn whose process was killed: a summary, the pasted question by its first and last lines, an unfinished note', async () => {
		const logDir = path.join(dir, 'logs');
		server = await startFakeLlmServer({
			models: ['fake-model'],
			responder: queueResponder([repl('for i in range(1000):\n    globals()[f"v{i:04d}"] = i\nllm_output("made")'), repl('llm_output("second")')]),
		});
		const options = {model: 'fake-model', backend: 'openai' as const, baseURL: server.openaiBaseURL, apiKey: 'k', logDir};
		const paste = Array.from({length: 2000}, (_, index) => `log line ${index}`).join('\n');
		const first = new Rlm(options);
		try {
			expect((await first.completion(paste)).status).toBe('answered');
			expect((await first.completion('the second question')).status).toBe('answered');
		} finally {
			await first.dispose();
		}
		// The second turn's process was killed: its log ends before the run did.
		const second = fs.readdirSync(logDir).find((name) => name.includes('_t2_'))!;
		const lines = fs.readFileSync(path.join(logDir, second), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown> & {rlm_tui?: Record<string, unknown>});
		const killed = lines.filter((line) => line.type !== 'iteration' || (line.iteration as number) > 0).map((line) => ({...line, ...(line.type === 'iteration' ? {final_answer: null} : {}), ...(line.rlm_tui ? {rlm_tui: {...line.rlm_tui, run_status: undefined, answer: undefined}} : {})}));
		fs.writeFileSync(path.join(logDir, second), `${killed.map((line) => JSON.stringify(line)).join('\n')}\n`);
		const config = resolveConfig({backend: 'openai', backendUrl: server.openaiBaseURL, model: 'fake-model'}, {}, settings.get());
		rlm = new Rlm(options);
		h = renderApp({rlm, config, settings, cwd: dir, env: {}, columns: 140, rows: 60, resume: true});
		const resumed = chatText(await h.waitForFrame((f) => f.includes('Resumed 2 turn(s)'), SLOW));
		expect(resumed).toContain('› log line 0 … (+1,998 lines) … log line 1999');
		expect(resumed).not.toContain('log line 1000');
		expect(resumed).toMatch(/Variables: 1,00\d \(.*v0000, v0001, v0002.* and 99\d more\)\./);
		expect(resumed).not.toContain('v0999');
		expect(resumed).toContain('the second question');
		expect(resumed).toContain('Unfinished: the session ended while this question ran');
	}, SLOW);

	it('/model lists the backend models and saves the pick', async () => {
		start({backend: 'demo'});
		h!.write('/model\r');
		await h!.waitForFrame((f) => f.includes('Model · demo') && f.includes('demo (current)'));
		h!.write(KEYS.enter);
		await h!.waitForFrame((f) => f.includes('Model: demo (from the next question; saved for demo)'));
		expect(openSettings({cwd: path.join(dir, 'config')}).get().models.demo).toBe('demo');
	}, SLOW);
});

describe('with an OpenAI-compatible server', () => {
	it('/set max-sub-calls 1: the next run is stopped `limited` at its second sub-call', async () => {
		server = await startFakeLlmServer({
			models: ['fake-model'],
			responder: scripted({
				root: ({turn}) => (turn === 0 ? repl('a = llm_query("one")\nb = llm_query("two")\nprint(a, b)') : repl('llm_output("both done")')),
				sub: (prompt) => ({text: `sub answer for ${prompt}`}),
			}),
		});
		start({backend: 'openai', backendUrl: server.openaiBaseURL, model: 'fake-model'});
		await h!.waitForFrame((f) => f.includes('openai · fake-model'));
		h!.write('/set max-sub-calls 1\r');
		await h!.waitForFrame((f) => f.includes('max-sub-calls: 1 (saved; from the next question)'));
		h!.write('count the calls\r');
		const done = await h!.waitForFrame((f) => flat(f).includes('limited: maxSubCalls'), SLOW);
		expect(flat(done)).toContain('limit of 1 sub-calls (--max-sub-calls) is reached');
		// One sub-call reached the server; the second was refused before it was sent.
		expect(server.requests.filter((r) => !r.messages.some((m) => m.role === 'system'))).toHaveLength(1);
		// The cap the user set shows beside its use on the status line.
		expect(done.trimEnd().split('\n').at(-1)).toMatch(/1\/1 sub-calls/);
	}, SLOW);

	it('a paste with escape bytes and bidi overrides reaches the server byte for byte, and the trajectory log whole (escaped)', async () => {
		const pasted = 'a\x1b[31mred\x1b[0m \u202Eevil\u202C tab\t end';
		server = await startFakeLlmServer({models: ['fake-model'], responder: queueResponder([repl('llm_output("pasted ok")')])});
		const logDir = path.join(dir, 'logs');
		const config = resolveConfig({backend: 'openai', backendUrl: server.openaiBaseURL, model: 'fake-model'}, {}, settings.get());
		rlm = new Rlm({model: 'fake-model', backend: 'openai', baseURL: server.openaiBaseURL, apiKey: 'test-key', logDir});
		h = renderApp({rlm, config, settings, cwd: dir, env: {}, columns: 140, rows: 40});
		h.write(`\x1b[200~${pasted}\x1b[201~`);
		await h.waitForFrame((f) => f.includes('› a[31mred[0m evil tab     end'));
		h.write(KEYS.enter);
		await h.waitForFrame((f) => f.includes('pasted ok') && f.includes('iteration'), SLOW);
		const sent = server.requests[0]!.messages.filter((message) => message.role === 'user').map((message) => message.content);
		expect(sent.some((content) => content.includes(pasted))).toBe(true);
		const [log] = fs.readdirSync(logDir).filter((name) => name.endsWith('.jsonl'));
		const text = fs.readFileSync(path.join(logDir, log), 'utf8');
		expect(text).not.toMatch(/[\x1b\u202a-\u202e]/);
		const start = logToEvents(readTrajectoryLog(path.join(logDir, log))).find((event) => event.type === 'run.start');
		expect(start?.type === 'run.start' && start.question).toBe(pasted);
	}, SLOW);

	it('a model call that failed (429) shows as failed with its error, live and in the replay of its log alike', async () => {
		const rateLimited = {status: 429, message: 'Rate limit reached for requests', type: 'rate_limit_exceeded', headers: {'x-should-retry': 'false'}};
		server = await startFakeLlmServer({models: ['fake-model'], responder: () => rateLimited});
		const logDir = path.join(dir, 'logs');
		const config = resolveConfig({backend: 'openai', backendUrl: server.openaiBaseURL, model: 'fake-model'}, {}, settings.get());
		rlm = new Rlm({model: 'fake-model', backend: 'openai', baseURL: server.openaiBaseURL, apiKey: 'test-key', logDir});
		h = renderApp({rlm, config, settings, cwd: dir, env: {}, columns: 140, rows: 40});
		h.write('hi\r');
		const replyRow = (frame: string) => frame.split('\n').find((line) => /[✓✗■] reply/.test(line)) ?? '';
		const live = await h.waitForFrame((f) => /✗ run · fake-model/.test(f) && replyRow(f) !== '', SLOW);
		expect(replyRow(live)).toMatch(/✗ reply ✗ Rate limited by the OpenAI-compatible server/);
		h.unmount();

		const [log] = fs.readdirSync(logDir).filter((name) => name.endsWith('.jsonl'));
		h = renderApp({
			rlm: new InertEngine({model: 'fake-model', backend: 'openai'}),
			config,
			settings,
			cwd: dir,
			columns: 140,
			rows: 40,
			skipStartup: true,
			replay: {title: log, events: logToEvents(readTrajectoryLog(path.join(logDir, log)))},
		});
		const replayed = await h.waitForFrame((f) => f.includes('Replay of') && replyRow(f) !== '');
		expect(replyRow(replayed)).toMatch(/✗ reply ✗ Rate limited by the OpenAI-co/);
		expect(replayed).not.toContain('✓ reply');
	}, SLOW);

	it("a limit's last call for the best answer that failed shows its error, not a good reply", async () => {
		server = await startFakeLlmServer({
			models: ['fake-model'],
			responder: scripted({
				root: ({turn}) => (turn === 0 ? repl('a = llm_query("one")\nb = llm_query("two")\nprint(a, b)') : {status: 429, message: 'Rate limit reached for requests', type: 'rate_limit_exceeded', headers: {'x-should-retry': 'false'}}),
				sub: (prompt) => ({text: `sub answer for ${prompt}`}),
			}),
		});
		start({backend: 'openai', backendUrl: server.openaiBaseURL, model: 'fake-model', maxSubCalls: 1});
		await h!.waitForFrame((f) => f.includes('openai · fake-model'));
		h!.write('count the calls\r');
		const done = await h!.waitForFrame((f) => flat(f).includes('limited: maxSubCalls') && f.includes('final answer (limit reached)'), SLOW);
		const rows = done.split('\n');
		const last = rows.findIndex((line) => line.includes('final answer (limit reached)'));
		expect(rows[last + 1]).toMatch(/✗ reply ✗ Rate limited by the OpenAI-compatible server/);
	}, SLOW);

	it('a local preset without a model set starts on the first model the server lists', async () => {
		server = await startFakeLlmServer({models: ['served-model', 'other-model']});
		server.setResponder(scripted({root: () => repl('llm_output("from served-model")')}));
		start({backend: 'vllm', backendUrl: server.openaiBaseURL});
		await h!.waitForFrame((f) => flat(f).includes('Model: served-model, the first the server lists'));
		expect(rlm!.options.model).toBe('served-model');
		h!.write('hello\r');
		await h!.waitForFrame((f) => f.includes('from served-model'));
		expect(server.requests[0]!.model).toBe('served-model');
	}, SLOW);

	it('switches the model with /model and the next question uses it; cancels a running completion', async () => {
		let hang = false;
		server = await startFakeLlmServer({
			models: ['fake-model', 'fake-model-mini', 'other-model'],
			responder: scripted({
				root: ({turn}) => {
					if (hang) return {hang: true};
					return turn === 0
						? repl('r = llm_query_batched(["one", "two"])\nprint(r)')
						: repl('llm_output("done: " + str(len(r)))');
				},
				sub: (prompt) => ({text: `sub answer for ${prompt}`}),
			}),
		});
		start({backend: 'openai', backendUrl: server.openaiBaseURL, model: 'fake-model'});
		await h!.waitForFrame((f) => f.includes('openai · fake-model'));
		h!.write('first question\r');
		const done = await h!.waitForFrame((f) => f.includes('done: 2'), SLOW);
		// The tree is complete when the answer shows.
		expect(done).toMatch(/iteration 2\/30/);
		expect(done).toContain('llm_query_batched[1] "two" → "sub');
		expect(server.requests.every((r) => r.model === 'fake-model')).toBe(true);

		h!.write('/model\r');
		await h!.waitForFrame((f) => f.includes('other-model') && f.includes('fake-model (current)'));
		h!.write('mini');
		await h!.waitForFrame((f) => f.includes('filter › mini') && !f.includes('other-model'));
		h!.write(KEYS.enter);
		await h!.waitForFrame((f) => f.includes('Model: fake-model-mini'));
		expect(h!.lastFrame()).toContain('openai · fake-model-mini');
		expect(openSettings({cwd: path.join(dir, 'config')}).get().models.openai).toBe('fake-model-mini');

		const before = server.requests.length;
		h!.write('second question\r');
		await h!.waitForFrame((f) => (f.match(/done: 2/g) ?? []).length === 2, SLOW);
		expect(server.requests.slice(before).every((r) => r.model === 'fake-model-mini')).toBe(true);

		// A hanging model call: Esc cancels it.
		hang = true;
		h!.write('third question\r');
		await waitFor(() => server!.requests.some((r) => r.messages.some((m) => m.content.includes('third question'))), SLOW, 'the third request');
		h!.write(KEYS.esc);
		await h!.waitForFrame((f) => f.includes('Cancelled'), SLOW);
		await waitFor(() => server!.aborted >= 1, 10_000, 'the request to be aborted');
	}, SLOW * 2);

	it("shows a thinking model's reasoning as its own row under the reply, and whole in the detail view", async () => {
		server = await startFakeLlmServer({
			models: ['fake-model'],
			responder: scripted({
				root: () => ({
					text: '```repl\nllm_output("answer from the code")\n```',
					reasoning: 'Plan: call llm_output once.\nA second line of thinking.',
					reasoningField: 'think-tags',
				}),
			}),
		});
		start({backend: 'openai', backendUrl: server.openaiBaseURL, model: 'fake-model'});
		await h!.waitForFrame((f) => f.includes('openai · fake-model'));
		h!.write('think first\r');
		const done = await h!.waitForFrame((f) => f.includes('answer from the code') && f.includes('thinking (never run)'), SLOW);
		// The row's size and time columns grow with the machine's load and can take the last word.
		expect(flat(done)).toContain('thinking (never run) Plan: call llm_output');
		// Into the tree: the thinking row sits right under the reply; open it.
		h!.write(KEYS.tab);
		h!.write('g');
		await h!.waitForFrame((f) => /─ 1\/\d+/.test(f));
		h!.write('jjj');
		await h!.waitForFrame((f) => /─ 4\/\d+/.test(f));
		h!.write('o');
		const detail = await h!.waitForFrame((f) => f.includes('Reasoning') && f.includes('A second line of thinking.'));
		expect(flat(detail)).toContain('never run and never the answer');
	}, SLOW);

	it('/backend without a key says what the app offers, not a flag it has no place for', async () => {
		start({backend: 'demo'});
		await h!.waitForFrame((f) => f.includes('demo · demo'));
		h!.write('/backend anthropic\r');
		const frame = chatText(await h!.waitForFrame((f) => flat(f).includes('needs none.')));
		expect(frame).toContain('Could not switch to anthropic: ANTHROPIC_API_KEY is not set. The app reads API keys only when it starts: /quit, then start it again with ANTHROPIC_API_KEY set');
		expect(frame).not.toContain('export ANTHROPIC_API_KEY');
	});

	it('/backend to a preset without a model says whose model it takes; a server that answers 400 is not called unreachable', async () => {
		server = await startFakeLlmServer({models: ['served-model']});
		server.modelsError = {status: 400, message: 'bad json.'};
		start({backend: 'demo'});
		await h!.waitForFrame((f) => f.includes('demo · demo'));
		h!.write(`/backend lmstudio ${server.openaiBaseURL}\r`);
		const refused = chatText(await h!.waitForFrame((f) => flat(f).includes('/backend demo'), SLOW));
		expect(refused).toContain('· model: the first the server lists (saved).');
		expect(refused).toMatch(/\(400\): bad json\. Check that the server at that URL is the one meant/);
		expect(refused).not.toContain('Cannot reach');
		expect(refused).not.toContain('..');
		server.modelsError = undefined;
		h!.write(`/backend lmstudio ${server.openaiBaseURL}\r`);
		await h!.waitForFrame((f) => flat(f).includes('Model: served-model, the first the server lists'), SLOW);
	}, SLOW);

	it('/backend openai URL checks the model against the server\'s list: one it lists is kept, else its first is taken, saved and said', async () => {
		server = await startFakeLlmServer({models: ['served-a', 'served-b']});
		server.setResponder(scripted({root: () => repl('llm_output("served")')}));
		start({backend: 'demo'});
		await h!.waitForFrame((f) => f.includes('demo · demo'));
		// The openai backend's default model, cogito:14b, is not on this server.
		h!.write(`/backend openai ${server.openaiBaseURL}\r`);
		const switched = chatText(await h!.waitForFrame((f) => flat(f).includes('/model to choose another'), 20_000));
		expect(switched).toMatch(/Model changed to served-a, the first the server lists: it does not list .cogito:14b. \(it lists 2 models; saved for openai; \/model to choose another\)\./);
		await h!.waitForFrame((f) => f.includes('openai · served-a'), 20_000);
		expect(settings.get().models.openai).toBe('served-a');
		h!.write('hello\r');
		await h!.waitForFrame((f) => chatText(f).includes('› hello served'), SLOW);
		expect(server.requests.filter((request) => request.api === 'openai').map((request) => request.model)).toContain('served-a');
		expect(server.requests.map((request) => request.model)).not.toContain('cogito:14b');

		// A model the server lists (here as a dated snapshot) stays: the next question sends it.
		server.models = ['other', 'served-b-2025-01-31'];
		h!.write('/model served-b\r');
		await h!.waitForFrame((f) => f.includes('openai · served-b'));
		h!.write(`/backend openai ${server.openaiBaseURL}\r`);
		await waitFor(() => server!.paths.filter((p) => p === 'GET /v1/models').length >= 3, SLOW);
		const asked = server.requests.length;
		h!.write('again\r');
		await waitFor(() => server!.requests.length > asked, 30_000);
		expect(server.requests[asked]).toMatchObject({model: 'served-b'});
		expect(chatText(h!.lastFrame())).not.toContain('Model: other');
		// Only the first switch's line: neither /model nor the second /backend warned about served-b.
		expect(chatText(h!.lastFrame()).match(/does not list/g)).toHaveLength(1);
	}, SLOW);

	it('/backend openai URL keeps the model, and says so, when the server\'s list cannot be read', async () => {
		server = await startFakeLlmServer({models: ['served-a']});
		server.modelsError = {status: 404, message: 'no such route'};
		start({backend: 'demo'});
		await h!.waitForFrame((f) => f.includes('demo · demo'));
		h!.write(`/backend openai ${server.openaiBaseURL}\r`);
		const frame = chatText(await h!.waitForFrame((f) => flat(f).includes('could not be read'), SLOW));
		expect(frame).toContain('Kept model cogito:14b: its list of models could not be read to check it.');
		// Its own sentence, after the one that says what failed.
		expect(flat(frame)).toMatch(/[.!?)]\s+Kept model cogito:14b/);
		expect(h!.lastFrame()).toContain('openai · cogito:14b');
	}, SLOW);

	it('says which URL failed at start and offers the demo, which then works', async () => {
		start({backend: 'openai', backendUrl: 'http://127.0.0.1:9/v1'});
		const frame = await h!.waitForFrame((f) => flat(f).includes('/backend demo'), SLOW);
		// The chat pane wraps the line beside the tree pane, so check its pieces.
		expect(flat(frame)).toContain('Cannot reach the OpenAI-compatible server at');
		expect(flat(frame)).toContain('http://127.0.0.1:9/v1');
		// The backend's own advice is about flags: the TUI gives commands in its place.
		expect(flat(frame)).not.toContain('-u URL');
		h!.write('/backend demo\r');
		await h!.waitForFrame((f) => f.includes('Backend: demo · model demo (saved)'));
		h!.write('hello there\r');
		await h!.waitForFrame((f) => f.includes('Demo answer'), SLOW);
	}, SLOW);
});
