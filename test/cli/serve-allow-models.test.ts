// `rlm-tui serve --allow-models` as typed on the command line: the flag reaches serve, which then
// lists and runs only -m, --sub-model and those (aliases resolved) and refuses any other model
// before anything is sent upstream.
import {spawn} from 'node:child_process';
import OpenAI from 'openai';
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {cleanEnv, cliPath} from '../support/run-cli.js';

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
});
