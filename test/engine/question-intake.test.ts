// Rlm.completion takes a question in at once: its turn and session are set in call order, and its
// log line (marked queued) is on disk when the call returns, before it waits for anything (an
// earlier question, `after`, a reset asked for just before). Its run takes that file over. The
// fake LLM server and the fake REPL (no Python needed).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import {Withdrawal} from '../../source/protocol/withdrawal.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {fakeRepls} from '../support/fake-repl.js';
import {repl, scripted} from '../support/rlm-script.js';

let server: FakeLlmServer;
let dir: string;
/** What the `held` block waits for; `release` ends the wait. */
let heldBlock: Promise<void>;
let release: () => void = () => {};
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['m']});
	// A question with "hold me" in it runs the block that waits for the test; any other answers at once.
	server.setResponder(scripted({root: ({request}) => repl(request.messages.some((message) => String(message.content).includes('hold me')) ? 'held' : 'quick')}));
});
afterAll(async () => {
	await server?.close();
});
beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-intake-'));
	heldBlock = new Promise<void>((resolve) => (release = resolve));
	server.requests.length = 0;
});

type Line = {type: string; rlm_tui?: {question?: string; queued?: boolean; turn?: number; session_id?: string; run_status?: string}};
const lines = (name: string) =>
	fs
		.readFileSync(path.join(dir, name), 'utf8')
		.split('\n')
		.filter(Boolean)
		.map((line) => JSON.parse(line) as Line);
const fileOf = (question: string) => fs.readdirSync(dir).find((name) => name.endsWith('.jsonl') && lines(name)[0]!.rlm_tui?.question === question);

function engine(): Rlm {
	return new Rlm({
		model: 'm',
		backend: 'openai',
		baseURL: server.openaiBaseURL,
		apiKey: 'k',
		logDir: dir,
		replFactory: fakeRepls({
			blocks: {
				held: async ({llm_output}) => {
					await heldBlock;
					llm_output('released');
				},
				quick: ({llm_output}) => llm_output('quick answer'),
			},
		}),
	});
}

describe('Rlm.completion takes the question in at once', () => {
	it('a question asked while another runs is on disk, queued, as the next turn before the call returns; its run takes that file over', async () => {
		const rlm = engine();
		try {
			const first = rlm.completion('hold me');
			await expect.poll(() => server.requests.length).toBeGreaterThan(0);
			const second = rlm.completion('asked meanwhile');
			const name = fileOf('asked meanwhile')!;
			expect(name).toContain('_t2_');
			expect(lines(name)).toEqual([expect.objectContaining({type: 'metadata', rlm_tui: expect.objectContaining({question: 'asked meanwhile', queued: true, turn: 2})})]);
			release();
			expect((await first).response).toBe('released');
			expect((await second).response).toBe('quick answer');
			expect(fileOf('asked meanwhile')).toBe(name);
			const ran = lines(name);
			expect(ran[0]!.rlm_tui!.queued).toBeUndefined();
			expect(ran.at(-1)!.rlm_tui!.run_status).toBe('answered');
			expect(fs.readdirSync(dir).filter((file) => !file.endsWith('.jsonl'))).toEqual([]);
		} finally {
			release();
			await rlm.dispose();
		}
	});

	it('a question asked right after a reset (not awaited) is turn 1 of the new session', async () => {
		const rlm = engine();
		try {
			await rlm.completion('before the reset');
			const before = lines(fileOf('before the reset')!)[0]!.rlm_tui!.session_id;
			const reset = rlm.resetSession();
			const after = rlm.completion('after the reset');
			const logged = lines(fileOf('after the reset')!)[0]!.rlm_tui!;
			expect(logged).toMatchObject({turn: 1, queued: true});
			expect(logged.session_id).not.toBe(before);
			expect(logged.session_id).toBe(rlm.sessionId);
			await reset;
			expect((await after).status).toBe('answered');
		} finally {
			await rlm.dispose();
		}
	});

	it('cancelled while it waits for `after`: it resolves cancelled and its turn is logged as cancelled, not queued, never sent', async () => {
		const rlm = engine();
		try {
			const controller = new AbortController();
			const waiting = rlm.completion('waits for a command', {signal: controller.signal, after: new Promise(() => {})});
			expect(lines(fileOf('waits for a command')!)[0]!.rlm_tui!.queued).toBe(true);
			controller.abort();
			expect((await waiting).status).toBe('cancelled');
			const logged = lines(fileOf('waits for a command')!);
			expect(logged[0]!.rlm_tui!.queued).toBeUndefined();
			expect(logged.at(-1)!.rlm_tui!.run_status).toBe('cancelled');
			expect(server.requests).toHaveLength(0);
		} finally {
			await rlm.dispose();
		}
	});

	it('withdrawn (a Withdrawal) while it waits: no run events, its file removed at once, its turn number given to the next question', async () => {
		const rlm = engine();
		const events: string[] = [];
		rlm.on('event', (event) => events.push(event.type));
		try {
			const controller = new AbortController();
			const waiting = rlm.completion('taken back', {signal: controller.signal, after: new Promise(() => {})});
			const turn = lines(fileOf('taken back')!)[0]!.rlm_tui!.turn;
			controller.abort(new Withdrawal());
			// In the abort's own call: a question asked right after gets its turn.
			expect(fileOf('taken back')).toBeUndefined();
			const next = rlm.completion('asked after', {after: Promise.resolve()});
			expect(lines(fileOf('asked after')!)[0]!.rlm_tui!.turn).toBe(turn);
			expect((await waiting).status).toBe('cancelled');
			expect((await next).status).toBe('answered');
			expect(fileOf('taken back')).toBeUndefined();
			expect(events.filter((type) => type === 'run.start')).toHaveLength(1);
			expect(server.requests.some((request) => request.messages.some((message) => String(message.content).includes('taken back')))).toBe(false);
		} finally {
			await rlm.dispose();
		}
	});

	it('withdrawn with a later question already taken in: its number is held, so it ends as a cancelled turn', async () => {
		const rlm = engine();
		try {
			const controller = new AbortController();
			const first = rlm.completion('withdrawn too late', {signal: controller.signal, after: new Promise(() => {})});
			const later = new AbortController();
			const second = rlm.completion('asked after it', {signal: later.signal, after: new Promise(() => {})});
			controller.abort(new Withdrawal());
			expect((await first).status).toBe('cancelled');
			expect(lines(fileOf('withdrawn too late')!).at(-1)!.rlm_tui!.run_status).toBe('cancelled');
			later.abort(new Withdrawal());
			await second;
			expect(fileOf('asked after it')).toBeUndefined();
		} finally {
			await rlm.dispose();
		}
	});
});
