// Whose session --resume brings back: serve and mcp answer many clients, so one client's
// questions, answers and REPL variables must never reach the terminal user (or another client).
// The real serve (in process), the built CLI, the fake LLM server and the real sandbox.
import {mkdtempSync, readdirSync, readFileSync, renameSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import OpenAI from 'openai';
import {describe, expect, it} from 'vitest';
import {createBackend} from '../../source/backends/create.js';
import {Rlm} from '../../source/engine/rlm.js';
import {startRlmServer} from '../../source/server/server.js';
import {fakeLlmServerForFile, rootModelFlags} from '../support/fake-llm-for-file.js';
import {repl, rootRequests, scripted} from '../support/rlm-script.js';
import {runCli} from '../support/run-cli.js';

const llm = fakeLlmServerForFile({models: ['root-model']});

const model = () => rootModelFlags(llm());
const SECRET = 'SERVE CLIENT SECRET QUESTION';

/** One request to a real `serve` logging into `logDir`; its run sets REPL variable `x`. */
async function askServe(logDir: string): Promise<void> {
	const server = await startRlmServer({
		rlm: {model: 'root-model', maxIterations: 4, logDir},
		backend: createBackend({kind: 'openai', baseURL: llm().openaiBaseURL, apiKey: 'k'}),
		port: 0,
	});
	try {
		llm().setResponder(scripted({root: () => repl('x = "serve-only value"\nllm_output("served")')}));
		const client = new OpenAI({baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0});
		const completion = await client.chat.completions.create({model: 'rlm', messages: [{role: 'user', content: SECRET}]});
		expect(completion.choices[0]!.message.content).toBe('served');
	} finally {
		await server.close();
	}
}

/** What the follow-up's root model was shown: the resumed history and the variables in the REPL. */
function answerWithWhatItSees() {
	llm().setResponder(scripted({root: () => repl('llm_output(repr(history) + " | x=" + str(globals().get("x")))')}));
}

describe('--resume and the session origin', () => {
	it("never resumes a serve client's session: nothing to resume, no history, no variable", async () => {
		const logDir = mkdtempSync(join(tmpdir(), 'rlm-origin-'));
		await askServe(logDir);
		const logs = readdirSync(logDir);
		expect(logs).toHaveLength(1);
		// The front end is on the file's name and in its metadata.
		expect(logs[0]).toMatch(/_serve_[0-9a-f]{8}_t/);
		expect(JSON.parse(readFileSync(join(logDir, logs[0]!), 'utf8').split('\n')[0]!).rlm_tui.origin).toBe('serve');

		answerWithWhatItSees();
		llm().requests.length = 0;
		const result = await runCli([...model(), '--resume', '--log-dir', logDir, '-p', 'follow up']);
		expect(result.code).toBe(0);
		expect(result.stderr).toContain('nothing to resume');
		expect(result.stdout.trim()).toBe('[] | x=None');
		expect(JSON.stringify(rootRequests(llm().requests))).not.toContain(SECRET);
	});

	it('resumes the terminal\'s own last session even when a serve request came after it', async () => {
		const logDir = mkdtempSync(join(tmpdir(), 'rlm-origin-'));
		llm().setResponder(scripted({root: () => repl('y = "mine"\nllm_output("kept")')}));
		const first = await runCli([...model(), '--log-dir', logDir, '-p', 'my own question']);
		expect(first.stdout.trim()).toBe('kept');
		expect(readdirSync(logDir)[0]).toMatch(/_headless_[0-9a-f]{8}_t/);
		await askServe(logDir);

		llm().setResponder(scripted({root: () => repl('llm_output(repr(history) + " | x=" + str(globals().get("x")) + " | y=" + str(globals().get("y")))')}));
		llm().requests.length = 0;
		const result = await runCli([...model(), '--resume', '--log-dir', logDir, '-p', 'follow up']);
		expect(result.code).toBe(0);
		expect(result.stderr).toContain('resumed 1 turn(s)');
		expect(result.stdout).toContain('my own question');
		expect(result.stdout).toContain('x=None | y=mine');
		expect(JSON.stringify(rootRequests(llm().requests))).not.toContain(SECRET);
	});

	it('skips a log from before the origin was recorded (it may be a serve client\'s)', async () => {
		const logDir = mkdtempSync(join(tmpdir(), 'rlm-origin-'));
		llm().setResponder(scripted({root: () => repl('z = 1\nllm_output("old")')}));
		const first = await runCli([...model(), '--log-dir', logDir, '-p', 'an old question']);
		expect(first.code).toBe(0);
		// The name an older rlm-tui gave the same file: no origin in it.
		const [name] = readdirSync(logDir);
		renameSync(join(logDir, name), join(logDir, name.replace('_headless_', '_')));

		answerWithWhatItSees();
		const result = await runCli([...model(), '--resume', '--log-dir', logDir, '-p', 'follow up']);
		expect(result.code).toBe(0);
		expect(result.stderr).toContain('nothing to resume');
		expect(result.stdout.trim()).toBe('[] | x=None');
	});

	it('an mcp or serve Rlm resumes nothing, and the app resumes no mcp session', async () => {
		const logDir = mkdtempSync(join(tmpdir(), 'rlm-origin-'));
		llm().setResponder(scripted({root: () => repl('x = 2\nllm_output("done")')}));
		const make = (origin: 'tui' | 'mcp' | 'serve') => new Rlm({model: 'root-model', backend: 'openai', baseURL: llm().openaiBaseURL, apiKey: 'k', maxIterations: 3, logDir, origin});
		const tui = make('tui');
		const mcp = make('mcp');
		const serve = make('serve');
		try {
			expect((await tui.completion('terminal question')).response).toBe('done');
			expect((await mcp.completion('mcp client question')).response).toBe('done');
			// The terminal session exists, but a client-facing front end resumes nobody's.
			expect((await serve.resumeLast()).status).toBe('none');
			expect((await mcp.resumeLast()).status).toBe('none');
			const again = make('tui');
			try {
				const resumed = await again.resumeLast();
				if (resumed.status !== 'resumed') throw new Error(`not resumed: ${resumed.status}`);
				expect(resumed.turns.map((turn) => turn.question)).toEqual(['terminal question']);
			} finally {
				await again.dispose();
			}
		} finally {
			await Promise.all([tui.dispose(), mcp.dispose(), serve.dispose()]);
		}
	});
});
