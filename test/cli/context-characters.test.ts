// The size the model is told its context has is Python's len(context), through the built CLI, the
// fake server and the real sandbox: code points, so a character outside the Basic Multilingual
// Plane (𝄞, an emoji) counts once, in a context of any size.
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, rootRequests, scripted} from '../support/rlm-script.js';
import {runCli} from '../support/run-cli.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model']});
});
afterAll(async () => {
	await server?.close();
});

const model = () => ['-u', server.openaiBaseURL, '-m', 'root-model'];
const firstUserMessage = () => rootRequests(server.requests)[0]!.messages.find((m) => m.role === 'user')!.content;
const told = () => Number(/Your context is a str of ([\d,]+) characters/.exec(firstUserMessage())![1]!.replaceAll(',', ''));

describe('the character count the model is told', () => {
	it('is len(context) for a text of nine million characters with 300,000 astral ones (UTF-16 would count 300,000 more)', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'rlm-cli-chars-'));
		const text = `${'plain ascii line\n'.repeat(500_000)}${'𝄞'.repeat(300_000)}${'é€ü'.repeat(100_000)}`;
		const codePoints = [...text].length;
		expect(codePoints).toBeGreaterThan(8_500_000);
		expect(text.length - codePoints).toBe(300_000);
		writeFileSync(join(dir, 'music.txt'), text);
		server.requests.length = 0;
		server.setResponder(scripted({root: () => repl('llm_output(str(len(context)))')}));
		const result = await runCli([...model(), '-c', join(dir, 'music.txt'), '-p', 'how long?']);
		expect(result.stderr).toBe('');
		expect(result.code).toBe(0);
		expect(Number(result.stdout.trim())).toBe(codePoints);
		expect(told()).toBe(codePoints);
	});

	it('is len() summed over a dict of files holding astral characters', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'rlm-cli-chars-'));
		writeFileSync(join(dir, 'a.txt'), '😀'.repeat(700_000));
		writeFileSync(join(dir, 'b.txt'), 'x'.repeat(400_000));
		server.requests.length = 0;
		server.setResponder(scripted({root: () => repl('llm_output(str(sum(map(len, context.values()))))')}));
		const result = await runCli([...model(), '-c', dir, '-p', 'how long?']);
		expect(result.code).toBe(0);
		expect(Number(result.stdout.trim())).toBe(1_100_000);
		expect(firstUserMessage()).toContain('(1,100,000 characters in all)');
	});
});
