// The line mode (TERM=dumb) with the real engine on the offline demo backend: lines are taken in
// order, a question typed while one runs waits its turn, and the end of input leaves only once
// every question typed is answered.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {PassThrough} from 'node:stream';
import {afterEach, beforeEach, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import {resultLines, runLineMode} from '../../source/ui/line-mode.js';
import {findLastSession} from '../../source/engine/last-session.js';
import {startFakeLlmServer} from '../support/fake-llm-server.js';

let dir: string;
let rlm: Rlm;

beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-line-mode-'));
	rlm = new Rlm({backend: 'demo', model: 'demo', logDir: dir});
});

afterEach(async () => {
	await rlm.dispose();
	fs.rmSync(dir, {recursive: true, force: true});
});

function start() {
	const stdin = new PassThrough();
	const stdout = new PassThrough();
	let text = '';
	stdout.on('data', (chunk: Buffer) => {
		text += chunk.toString('utf8');
	});
	const exit = runLineMode({rlm, stdin, stdout});
	const until = async (test: (output: string) => boolean) => {
		while (!test(text)) await new Promise((resolve) => setTimeout(resolve, 20));
		return text;
	};
	return {stdin, exit, output: () => text, until};
}

const answers = (text: string) => text.split('\n').filter((line) => line.includes('Demo sub-model:'));

it('answers piped questions in order and leaves at the end of input only after the last', async () => {
	const s = start();
	s.stdin.end('count words: red red\ncount words: blue\n');
	expect(await s.exit).toBe(0);
	const found = answers(s.output());
	expect(found).toHaveLength(2);
	expect(found[0]).toContain('red');
	expect(found[1]).toContain('blue');
}, 120_000);

it('a question typed while one runs waits its turn instead of being dropped', async () => {
	const s = start();
	s.stdin.write('count words: first first\n');
	await s.until((text) => text.includes('── iteration 1'));
	s.stdin.write('count words: second\n');
	await s.until((text) => text.includes('(queued: runs after the current answer)'));
	s.stdin.end();
	expect(await s.exit).toBe(0);
	const found = answers(s.output());
	expect(found).toHaveLength(2);
	expect(found[0]).toContain('first');
	expect(found[1]).toContain('second');
	// The question that waited is shown again when it starts, above its own run.
	const shown = s.output().indexOf('> count words: second');
	expect(shown).toBeGreaterThan(s.output().indexOf(found[0]!));
	expect(shown).toBeLessThan(s.output().indexOf(found[1]!));
}, 120_000);

it('slash commands other than /quit are refused, not sent as questions; /quit waits for the questions before it', async () => {
	const s = start();
	s.stdin.write('/help\ncount words: kept\n/quit\ncount words: never\n');
	expect(await s.exit).toBe(0);
	expect(s.output()).toContain('(/help does not work in line mode: only /quit does)');
	const found = answers(s.output());
	expect(found).toHaveLength(1);
	expect(found[0]).toContain('kept');
	s.stdin.end();
}, 120_000);

it('on a terminal, lines pasted (one read each, back to back) are one question, not one run per line', async () => {
	const stdin = Object.assign(new PassThrough(), {isTTY: true});
	const stdout = new PassThrough();
	let text = '';
	stdout.on('data', (chunk: Buffer) => {
		text += chunk.toString('utf8');
	});
	const exit = runLineMode({rlm, stdin, stdout});
	// A cooked terminal hands a paste over one line per read.
	for (const line of ['count words: pasted one', 'pasted two', 'pasted three']) {
		stdin.write(`${line}\n`);
		await new Promise((resolve) => setImmediate(resolve));
	}
	while (!text.includes('Demo answer')) await new Promise((resolve) => setTimeout(resolve, 20));
	stdin.end();
	expect(await exit).toBe(0);
	expect(text).toContain('(pasted 3 lines: one question)');
	expect(text.split('\n').filter((line) => line.startsWith('── iteration 1'))).toHaveLength(1);
	expect(answers(text)).toHaveLength(1);
}, 120_000);

it('a question stopped early prints one note: the best answer so far under it, or that there was none (never both notes)', () => {
	expect(resultLines({status: 'cancelled', response: ''})).toBe('(cancelled before any answer)');
	expect(resultLines({status: 'limited', response: ''})).toBe('(stopped by a limit before any answer)');
	expect(resultLines({status: 'cancelled', response: 'so far: 3'})).toBe('(cancelled: the best answer so far, not a final answer)\nso far: 3');
	expect(resultLines({status: 'done', response: ''})).toBe('(no answer)');
	expect(resultLines({status: 'failed', response: '', error: 'boom.', errorAdvice: 'Try again.'})).toBe('✗ boom. Try again.');
});

it('a question typed while one runs is in the log at once, queued: an end meanwhile keeps it, and a resume names it as never started', async () => {
	const server = await startFakeLlmServer({models: ['m']});
	server.setResponder(() => ({hang: true}));
	const hanging = new Rlm({backend: 'openai', model: 'm', baseURL: server.openaiBaseURL, apiKey: 'k', logDir: dir});
	const stdin = new PassThrough();
	const stdout = new PassThrough();
	let text = '';
	stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
	try {
		void runLineMode({rlm: hanging, stdin, stdout});
		stdin.write('the first question\n');
		while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
		stdin.write('typed while the first ran\n');
		while (!text.includes('(queued: runs after the current answer)')) await new Promise((resolve) => setTimeout(resolve, 20));
		const logged = fs.readdirSync(dir).map((name) => fs.readFileSync(path.join(dir, name), 'utf8')).find((file) => file.includes('typed while the first ran'));
		expect(logged).toBeDefined();
		expect(JSON.parse(logged!.split('\n')[0]!).rlm_tui).toMatchObject({question: 'typed while the first ran', queued: true, turn: 2});
	} finally {
		// The process ends here, as a kill would end it: nothing more reaches the log.
		await hanging.dispose();
		await server.close();
	}
	const found = findLastSession(dir, 'library');
	expect(found.status).toBe('found');
	const turns = found.status === 'found' ? found.turns : [];
	expect(turns.map((turn) => [turn.question, turn.status])).toEqual([
		['the first question', undefined],
		['typed while the first ran', 'queued'],
	]);
}, 120_000);
