// `rlm-tui serve` stopped by SIGINT, SIGTERM or SIGHUP (its terminal closing) says so on stderr in one line: the signal, and how
// many requests were still open (each answered with the shutdown error, server/shutdown.ts).
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process';
import OpenAI from 'openai';
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {cleanEnv, cliPath} from '../support/run-cli.js';

let llm: FakeLlmServer;
beforeAll(async () => {
	llm = await startFakeLlmServer({models: ['gpt-4o']});
});
afterAll(async () => {
	await llm?.close();
});

interface Served {
	child: ChildProcessWithoutNullStreams;
	url: string;
	stderr: () => string;
	exited: Promise<number | null>;
}

/** Starts serve on a free port and waits for the line that says where it listens. */
async function serve(): Promise<Served> {
	const child = spawn(process.execPath, [cliPath, 'serve', '--port', '0', '-u', llm.openaiBaseURL, '-k', 'upstream-key', '-m', 'gpt-4o', '--max-iterations', '2'], {env: cleanEnv()});
	let stderr = '';
	child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
	await vi.waitFor(() => expect(stderr).toMatch(/rlm-tui serve: http:\/\/\S+\/v1/), {timeout: 60_000, interval: 50});
	const url = /rlm-tui serve: (http:\/\/\S+)\/v1/.exec(stderr)![1]!;
	return {child, url, stderr: () => stderr, exited};
}

const lastLine = (text: string) => text.trim().split('\n').at(-1);

describe('serve shutting down', () => {
	it('SIGTERM with no request open: one line saying so, exit 0', async () => {
		const served = await serve();
		served.child.kill('SIGTERM');
		expect(await served.exited).toBe(0);
		expect(lastLine(served.stderr())).toBe('rlm-tui serve: stopped (SIGTERM); no request was open.');
	}, 90_000);

	it('SIGINT while two requests run: one line counting them', async () => {
		llm.requests.length = 0;
		llm.setResponder(() => ({hang: true}));
		const served = await serve();
		const ask = () =>
			fetch(`${served.url}/v1/chat/completions`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({model: 'rlm', messages: [{role: 'user', content: 'q'}]})}).then(
				(res) => res.status,
				() => 'failed',
			);
		const answers = [ask(), ask()];
		await vi.waitFor(() => expect(llm.requests.filter((request) => request.path.endsWith('/chat/completions'))).toHaveLength(2), {timeout: 60_000, interval: 50});
		served.child.kill('SIGINT');
		expect(await served.exited).toBe(0);
		expect(await Promise.all(answers)).toEqual([503, 503]);
		expect(lastLine(served.stderr())).toBe('rlm-tui serve: stopped (SIGINT); 2 open requests were answered with a shutdown error.');
	}, 90_000);

	it('SIGHUP (its terminal closing) stops it as SIGTERM does: an open stream gets the server_shutting_down error, one line, exit 0', async () => {
		llm.requests.length = 0;
		llm.setResponder(() => ({hang: true}));
		const served = await serve();
		const client = new OpenAI({baseURL: `${served.url}/v1`, apiKey: 'unused', maxRetries: 0});
		const stream = await client.chat.completions.create({model: 'rlm', messages: [{role: 'user', content: 'q'}], stream: true});
		const read = (async () => {
			for await (const chunk of stream) void chunk;
		})().then(
			() => 'ended',
			(error: unknown) => error,
		);
		await vi.waitFor(() => expect(llm.requests.filter((request) => request.path.endsWith('/chat/completions'))).toHaveLength(1), {timeout: 60_000, interval: 50});
		served.child.kill('SIGHUP');
		expect(await served.exited).toBe(0);
		const failure = await read;
		expect(failure).toBeInstanceOf(OpenAI.APIError);
		expect(failure).toMatchObject({code: 'server_shutting_down'});
		expect(lastLine(served.stderr())).toBe('rlm-tui serve: stopped (SIGHUP); 1 open request was answered with a shutdown error.');
	}, 90_000);
});
