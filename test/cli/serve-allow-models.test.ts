// `rlm-tui serve --allow-models` as typed on the command line: the flag reaches serve, which then
// lists and runs only -m, --sub-model and those (aliases resolved) and refuses any other model
// before anything is sent upstream.
import {spawn} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import OpenAI from 'openai';
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {expectOneLineError} from '../support/one-line-error.js';
import {cleanEnv, cliPath, runCli} from '../support/run-cli.js';

let llm: FakeLlmServer;
beforeAll(async () => {
	llm = await startFakeLlmServer({models: ['gpt-4o', 'gpt-4o-mini', 'sub-x', 'most-expensive-model']});
});
afterAll(async () => {
	await llm?.close();
});

describe('serve --allow-models', () => {
	it('lists and runs only -m, --sub-model and the allowed models; another is a 404 that sends nothing upstream', async () => {
		const child = spawn(process.execPath, [cliPath, 'serve', '--port', '0', '-u', llm.openaiBaseURL, '-k', 'upstream-key', '-m', 'gpt-4o', '--sub-model', 'sub-x', '--allow-models', '4o-mini'], {env: cleanEnv()});
		let stderr = '';
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
		try {
			await vi.waitFor(() => expect(stderr).toMatch(/rlm-tui serve: http:\/\/\S+\/v1/), {timeout: 60_000, interval: 50});
			const client = new OpenAI({baseURL: /rlm-tui serve: (http:\/\/\S+\/v1)/.exec(stderr)![1]!, apiKey: 'unused'});
			expect((await client.models.list()).data.map((model) => model.id)).toEqual(['rlm', 'rlm:gpt-4o', 'rlm:sub-x', 'rlm:gpt-4o-mini']);
			llm.requests.length = 0;
			const refused = await client.chat.completions.create({model: 'rlm:most-expensive-model', messages: [{role: 'user', content: 'q'}]}).catch((caught: unknown) => caught);
			expect(refused).toMatchObject({status: 404, code: 'model_not_found'});
			expect((refused as Error).message).toContain('Model "rlm:most-expensive-model" is not one this server runs: use one of "rlm", "rlm:gpt-4o", "rlm:sub-x", "rlm:gpt-4o-mini"');
			expect(llm.requests).toHaveLength(0);
		} finally {
			child.kill('SIGTERM');
			await exited;
		}
	}, 90_000);

	it('a name holding a control character is refused at start: one line naming its position, escaped, exit 2', async () => {
		const result = await runCli(['serve', '--port', '0', '-u', llm.openaiBaseURL, '-m', 'gpt-4o', '--allow-models', 'gpt-4o-mini', '--allow-models', 'sub-x,evil\u001b]0;pwned\u0007,z']);
		expect(result.code).toBe(2);
		expect(result.stdout).toBe('');
		expectOneLineError(result.stderr, /^rlm-tui: Invalid --allow-models: model name 3 of 4, "evil\\u001b\]0;pwned\\u0007", holds a control or formatting character/);
		expect(result.stderr).not.toContain('\u001b');
		expect(result.stderr).not.toContain('rlm-tui serve: http');
	});

	// `--allow-models "$ALLOWED"` with the variable empty: no list would serve every model.
	it.each([[''], [','], [' , ']])('--allow-models %j names no model: refused at start, one line saying what to write, exit 2', async (value) => {
		const result = await runCli(['serve', '--port', '0', '-u', llm.openaiBaseURL, '-m', 'gpt-4o', '--allow-models', value]);
		expect(result.code).toBe(2);
		expect(result.stdout).toBe('');
		expectOneLineError(result.stderr, /^rlm-tui: --allow-models names no model: give the models a client may ask for besides -m and --sub-model \(--allow-models gpt-4o-mini,qwen3\), or leave the flag out/);
		expect(result.stderr).not.toContain('rlm-tui serve: http');
	});

	it('an allowModels the settings file cannot hold (not a list of names) is refused at start too: dropped, it would serve every model', async () => {
		for (const value of [[' '], 'gpt-4o, ', 42]) {
			const env = cleanEnv();
			const dir = join(env.XDG_CONFIG_HOME!, 'rlm-tui');
			mkdirSync(dir, {recursive: true});
			writeFileSync(join(dir, 'settings.json'), JSON.stringify({allowModels: value}));
			const result = await runCli(['serve', '--port', '0', '-u', llm.openaiBaseURL, '-m', 'gpt-4o'], {env});
			expect(result.code).toBe(2);
			expectOneLineError(result.stderr, /^rlm-tui: allowModels in the settings file \S+ is not a list of model names, so it cannot restrict what serve serves: fix it, or remove the key/);
			expect(result.stderr).toContain(join(dir, 'settings.json'));
			expect(result.stderr).not.toContain('rlm-tui serve: http');
		}
	});

	it('an empty allowModels in the settings file is refused at start, naming the file; the flag given wins over it', async () => {
		const env = cleanEnv();
		const dir = join(env.XDG_CONFIG_HOME!, 'rlm-tui');
		mkdirSync(dir, {recursive: true});
		writeFileSync(join(dir, 'settings.json'), JSON.stringify({allowModels: []}));
		const result = await runCli(['serve', '--port', '0', '-u', llm.openaiBaseURL, '-m', 'gpt-4o'], {env});
		expect(result.code).toBe(2);
		expectOneLineError(result.stderr, new RegExp(`^rlm-tui: allowModels in the settings file ${join(dir, 'settings.json').replaceAll('/', '\\/')} is empty: list the models a client may ask for besides -m and --sub-model, or remove the key`));
		expect(result.stderr).not.toContain('rlm-tui serve: http');

		const child = spawn(process.execPath, [cliPath, 'serve', '--port', '0', '-u', llm.openaiBaseURL, '-m', 'gpt-4o', '--allow-models', 'sub-x'], {env});
		let stderr = '';
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
		try {
			await vi.waitFor(() => expect(stderr).toMatch(/rlm-tui serve: http:\/\/\S+\/v1/), {timeout: 60_000, interval: 50});
			const client = new OpenAI({baseURL: /rlm-tui serve: (http:\/\/\S+\/v1)/.exec(stderr)![1]!, apiKey: 'unused'});
			expect((await client.models.list()).data.map((model) => model.id)).toEqual(['rlm', 'rlm:gpt-4o', 'rlm:sub-x']);
		} finally {
			child.kill('SIGTERM');
			await exited;
		}
	}, 90_000);
});
