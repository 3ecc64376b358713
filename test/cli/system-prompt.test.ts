// -s/--system and --system-file: what the model is sent, what the trajectory keeps, and what the
// detail view of the run shows.
import {mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, rootRequests, scripted} from '../support/rlm-script.js';
import {runCli} from '../support/run-cli.js';
import {readTrajectoryLog} from '../../source/trajectory/read-log.js';
import {logToEvents} from '../../source/trajectory/log-to-events.js';
import {emptyTrajectory, getNode, reduceTrajectory} from '../../source/trajectory/tree.js';
import {detailLines} from '../../source/ui/detail.js';
import stripAnsi from 'strip-ansi';
import {Rlm} from '../../source/engine/rlm.js';
import type {RlmEvent} from '../../source/protocol/events.js';

let server: FakeLlmServer;
const dir = mkdtempSync(join(tmpdir(), 'rlm-system-'));
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model']});
});
afterAll(async () => {
	await server?.close();
});

const lastLog = (logDir: string) => {
	const file = readdirSync(logDir).filter((name) => name.endsWith('.jsonl')).sort().at(-1)!;
	return join(logDir, file);
};

describe('the system prompt is the user\'s to extend', () => {
	it('-s appends the instructions to the built-in prompt, and the trajectory and the detail view keep them', async () => {
		server.requests.length = 0;
		server.setResponder(scripted({root: ({system}) => repl(`llm_output(${JSON.stringify(system.includes('Answer like a pirate.') ? 'arr' : 'plain')})`)}));
		const logDir = join(dir, 'logs-s');
		const result = await runCli(['-u', server.openaiBaseURL, '-m', 'root-model', '--log-dir', logDir, '-s', 'Answer like a pirate.', '-p', 'hello']);
		expect(result.stderr).toBe('');
		expect(result.stdout.trim()).toBe('arr');
		const system = rootRequests(server.requests)[0]!.messages[0]!.content;
		// The built-in prompt is still there (the loop needs it), the instructions after it.
		expect(system).toContain('llm_output(answer)');
		expect(system.indexOf('Answer like a pirate.')).toBeGreaterThan(system.indexOf('llm_output(answer)'));

		const log = readTrajectoryLog(lastLog(logDir));
		expect(log.metadata.rlm_tui?.system).toEqual({instructions: 'Answer like a pirate.'});
		let state = emptyTrajectory();
		for (const event of logToEvents(log)) state = reduceTrajectory(state, event);
		const run = getNode(state, state.roots[0]!)!;
		const shown = detailLines(run, 80).map((line) => stripAnsi(line)).join('\n');
		expect(shown).toContain('Instructions (added to the system prompt)');
		expect(shown).toContain('Answer like a pirate.');
	});

	it('--system-file replaces the prompt whole; with -s the instructions follow it', async () => {
		const file = join(dir, 'system.md');
		writeFileSync(file, 'You are TERSE-RLM. Write Python in ```repl blocks; submit with llm_output(x).');
		server.requests.length = 0;
		server.setResponder(scripted({root: () => repl('llm_output("ok")')}));
		const result = await runCli(['-u', server.openaiBaseURL, '-m', 'root-model', '--json', '--system-file', file, '-s', 'Be brief.', '-p', 'hello']);
		expect(result.code).toBe(0);
		const system = rootRequests(server.requests)[0]!.messages[0]!.content;
		expect(system.startsWith('You are TERSE-RLM.')).toBe(true);
		expect(system).not.toContain('Recursive Language Model');
		expect(system).toContain('Be brief.');
		const parsed = JSON.parse(result.stdout);
		const run = parsed.session.runs[0];
		expect(run.system).toEqual({instructions: 'Be brief.', replacement: {text: readFileSync(file, 'utf8'), source: file}});
	});

	it('reads a --tools and a --system-file saved with a byte order mark (as Windows editors save UTF-8)', async () => {
		const tools = join(dir, 'bom-tools.py');
		writeFileSync(tools, '\uFEFFdef shout(text):\n    """Upper-case text."""\n    return text.upper()\n');
		const system = join(dir, 'bom-system.md');
		writeFileSync(system, '\uFEFFYou are TERSE-RLM. Write Python in ```repl blocks; submit with llm_output(x).');
		server.requests.length = 0;
		server.setResponder(scripted({root: () => repl('llm_output(shout("it works"))')}));
		const result = await runCli(['-u', server.openaiBaseURL, '-m', 'root-model', '--tools', tools, '--system-file', system, '-p', 'hello']);
		expect(result.stderr).toBe('');
		expect(result.stdout.trim()).toBe('IT WORKS');
		expect(rootRequests(server.requests)[0]!.messages[0]!.content.startsWith('You are TERSE-RLM.')).toBe(true);
	});

	it('warns when a replacement does not say how to run code or submit, and one line for a missing file', async () => {
		const file = join(dir, 'bare.txt');
		writeFileSync(file, 'You are a helpful assistant.');
		server.setResponder(scripted({root: () => repl('llm_output("ok")')}));
		const warned = await runCli(['-u', server.openaiBaseURL, '-m', 'root-model', '--system-file', file, '-p', 'hello']);
		expect(warned.code).toBe(0);
		expect(warned.stderr).toMatch(/warning: The replacement system prompt \(.*bare\.txt\) does not say that code goes in ```repl blocks, nor how to submit/);

		const missing = await runCli(['-u', server.openaiBaseURL, '-m', 'root-model', '--system-file', join(dir, 'nope.md'), '-p', 'hello']);
		expect(missing.code).toBe(2);
		expect(missing.stderr.trim()).toMatch(/^rlm-tui: --system-file .*nope\.md: cannot read it \(no such file\)$/);
	});

	it('the library: the session\'s instructions reach every run, a call\'s (serve\'s response_format) follow them for its root only, under one heading', async () => {
		server.requests.length = 0;
		server.setResponder(
			scripted({
				root: ({system}) => (system.includes('Reply in JSON.') ? repl('x = rlm_query("child task")\nllm_output(x)') : repl('llm_output("child done")')),
			}),
		);
		const rlm = new Rlm({model: 'root-model', backend: 'openai', baseURL: server.openaiBaseURL, apiKey: 'k', logDir: false, maxIterations: 4, maxDepth: 2, instructions: 'Answer like a pirate.'});
		const events: RlmEvent[] = [];
		rlm.on('event', (event) => events.push(event));
		try {
			const result = await rlm.completion('hello', {instructions: 'Reply in JSON.'});
			expect(result.response).toBe('child done');
		} finally {
			await rlm.dispose();
		}
		const [root, child] = rootRequests(server.requests).map((request) => request.messages[0]!.content);
		expect(root.match(/Instructions for this task/g)).toHaveLength(1);
		expect(root.indexOf('Reply in JSON.')).toBeGreaterThan(root.indexOf('Answer like a pirate.'));
		expect(child).toContain('Answer like a pirate.');
		expect(child).not.toContain('Reply in JSON.');
		const starts = events.flatMap((event) => (event.type === 'run.start' ? [event] : []));
		expect(starts.map((start) => start.system)).toEqual([{instructions: 'Answer like a pirate.\n\nReply in JSON.'}, {instructions: 'Answer like a pirate.'}]);
	});
});
