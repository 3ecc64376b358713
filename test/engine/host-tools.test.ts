// The library's host tools on the real sandbox: Python calls them by name through the bridge, they
// run in this process (with its rights), their arguments and results are JSON, their errors are
// ToolErrors with one line, and each call is a node of the tree.
import {mkdtempSync, writeFileSync} from 'node:fs';
import {readFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import {HostToolsError} from '../../source/engine/host-tools.js';
import type {HostTools} from '../../source/engine/types.js';
import type {RlmEvent} from '../../source/protocol/events.js';
import type {JsonValue} from '../../source/protocol/repl.js';
import {emptyTrajectory, getNode, reduceTrajectory, type CallNode} from '../../source/trajectory/tree.js';
import {describeNode} from '../../source/ui/tree-rows.js';
import {detailLines} from '../../source/ui/detail.js';
import stripAnsi from 'strip-ansi';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, rootRequests, scripted} from '../support/rlm-script.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model']});
});
afterAll(async () => {
	await server?.close();
});

const dir = mkdtempSync(join(tmpdir(), 'rlm-host-tools-'));
const secretFile = join(dir, 'prices.json');
writeFileSync(secretFile, JSON.stringify({apple: 3, pear: 5}));

const options = (tools: HostTools, more: object = {}) => ({model: 'root-model', backend: 'openai' as const, baseURL: server.openaiBaseURL, apiKey: 'k', maxIterations: 4, logDir: false as const, tools, ...more});

describe('host tools (the library option `tools`)', () => {
	it('Python calls them through the bridge; they run in the parent; JSON both ways; errors are one-line ToolErrors', async () => {
		const seen: JsonValue[] = [];
		const tools: HostTools = {
			price: {
				description: 'The price of a fruit, from the shop file.',
				signature: '(fruit)',
				// A file the sandbox cannot read: the tool has the parent's rights.
				fn: async (input) => {
					seen.push(input);
					const prices = JSON.parse(await readFile(secretFile, 'utf8')) as Record<string, number>;
					if (typeof input !== 'string' || !(input in prices)) throw new Error(`no price for ${JSON.stringify(input)}\nsecond line that Python never sees`);
					return prices[input];
				},
			},
			echo: {description: 'Gives back what it gets.', fn: (input) => ({got: input})},
			clock: {description: 'Returns something JSON cannot carry.', fn: () => new Date()},
		};
		const code = [
			'a = price("apple")',
			'b = echo(fruit="pear", count=2)',
			'c = echo()',
			'try:\n    price("kiwi")\nexcept ToolError as e:\n    err = str(e)',
			'try:\n    clock()\nexcept RuntimeError as e:\n    bad = str(e)',
			'try:\n    echo(1, 2)\nexcept TypeError as e:\n    many = str(e)',
			'try:\n    open(' + JSON.stringify(secretFile) + ').read()\n    direct = "read"\nexcept Exception as e:\n    direct = type(e).__name__',
			'price = None',
		].join('\n');
		server.requests.length = 0;
		server.setResponder(
			scripted({
				root: ({turn}) =>
					turn === 0
						? repl(code)
						: repl('import json\nllm_output(json.dumps({"a": a, "b": b, "c": c, "err": err, "bad": bad, "many": many, "direct": direct, "again": price("pear")}))'),
			}),
		);
		const rlm = new Rlm(options(tools));
		const events: RlmEvent[] = [];
		rlm.on('event', (event) => events.push(event));
		try {
			const result = await rlm.completion('prices?', {context: 'fruit'});
			expect(result.status).toBe('answered');
			const answer = JSON.parse(result.response) as Record<string, unknown>;
			expect(answer.a).toBe(3);
			expect(answer.b).toEqual({got: {fruit: 'pear', count: 2}});
			expect(answer.c).toEqual({got: null});
			expect(answer.err).toBe('price: no price for "kiwi"');
			expect(answer.bad).toMatch(/^clock returned a value JSON cannot carry/);
			expect(answer.many).toMatch(/one argument or keyword arguments/);
			// The sandbox itself cannot read what the tool read for it.
			expect(answer.direct).not.toBe('read');
			// `price = None` in the first turn: the tool is restored like the reserved names.
			expect(answer.again).toBe(5);
			expect(seen).toEqual(['apple', 'kiwi', 'pear']);

			const system = rootRequests(server.requests)[0]!.messages[0]!.content;
			expect(system).toContain('Host tools in the REPL');
			expect(system).toContain('- `price(fruit)`: The price of a fruit, from the shop file.');
			expect(system).toContain('- `echo(input)`: Gives back what it gets.');
			// The tools are not listed as the model's variables.
			expect(result.iterations[0]!.codeBlocks[0]!.result.variables.map((v) => v.name)).not.toContain('price');

			// Each call is a node of the tree: input and result as JSON, failures as errors.
			let tree = emptyTrajectory();
			for (const event of events) tree = reduceTrajectory(tree, event);
			const calls: CallNode[] = [];
			for (let id = 0; id <= tree.newest; id++) {
				const node = getNode(tree, id);
				if (node?.kind === 'call') calls.push(node);
			}
			expect(calls.map((call) => [call.callKind, call.model, call.prompt])).toEqual([
				['tool', 'price', '"apple"'],
				['tool', 'echo', '{"fruit":"pear","count":2}'],
				['tool', 'echo', 'null'],
				['tool', 'price', '"kiwi"'],
				['tool', 'clock', 'null'],
				['tool', 'price', '"pear"'],
			]);
			expect(calls[0]!.response).toBe('3');
			expect(calls[3]!.error).toBe('Error: price: no price for "kiwi"');
			// The tree row is titled by the tool; the detail view says where it ran.
			const row = describeNode(calls[0]!);
			expect(row.title).toBe('price()');
			expect(row.preview).toBe('"apple" → 3');
			expect(row.meta).toMatch(/^host tool/);
			const detail = detailLines(calls[0]!, 80).map((line) => stripAnsi(line)).join('\n');
			expect(detail).toContain('host tool price (ran in this process, not in the sandbox)');
		} finally {
			await rlm.dispose();
		}
	});

	it('child RLMs have them too, and a block that times out aborts the tool it waits for', async () => {
		let aborted = false;
		const tools: HostTools = {
			shout: {description: 'Upper case.', fn: (input) => (typeof input === 'string' ? input.toUpperCase() : null)},
			wait: {
				description: 'Never answers on its own.',
				fn: (_input, {signal}) =>
					new Promise((resolve) => {
						signal.addEventListener('abort', () => {
							aborted = true;
							resolve(null);
						});
					}),
			},
		};
		server.setResponder(
			scripted({
				root: ({turn, lastUser}) => {
					if (lastUser.includes('child task')) return repl('llm_output(shout("from the child"))');
					if (turn === 0) return repl('wait()');
					return repl('llm_output(rlm_query("child task"))');
				},
			}),
		);
		const rlm = new Rlm(options(tools, {maxDepth: 2, timeoutSeconds: 2}));
		try {
			const result = await rlm.completion('go', {context: 'c'});
			expect(result.status).toBe('answered');
			expect(result.response).toBe('FROM THE CHILD');
			const waited = result.iterations[0]!.codeBlocks[0]!.result;
			expect(waited.ok).toBe(false);
			expect(waited.error).toMatch(/time|interrupt/i);
			expect(aborted).toBe(true);
		} finally {
			await rlm.dispose();
		}
	});

	it('a resumed session replays the tools\' logged results instead of running them again', async () => {
		const logDir = mkdtempSync(join(dir, 'logs-'));
		let calls = 0;
		const tools: HostTools = {stamp: {description: 'A new number at each call (an action on the world).', fn: () => ({n: ++calls})}};
		server.setResponder(scripted({root: () => repl('got = stamp()\nllm_output(str(got["n"]))')}));
		const first = new Rlm(options(tools, {logDir}));
		try {
			expect((await first.completion('stamp it', {context: 'c'})).response).toBe('1');
		} finally {
			await first.dispose();
		}
		const second = new Rlm(options(tools, {logDir}));
		try {
			const resumed = await second.resumeLast();
			expect(resumed.status).toBe('resumed');
			server.setResponder(scripted({root: () => repl('llm_output(str(got["n"]))')}));
			expect((await second.completion('what did it stamp?')).response).toBe('1');
			expect(calls).toBe(1);
		} finally {
			await second.dispose();
		}
	});

	it('a tool the REPL cannot have is refused when the Rlm is made, in one line', () => {
		const make = (tools: unknown) => () => new Rlm(options(tools as HostTools));
		expect(make({llm_query: {description: 'x', fn: () => 1}})).toThrow(HostToolsError);
		expect(make({llm_query: {description: 'x', fn: () => 1}})).toThrow('tools.llm_query: that name is reserved by the REPL');
		expect(make({'my-tool': {description: 'x', fn: () => 1}})).toThrow(/^tools\.my-tool: a tool name is a Python identifier/);
		expect(make({lookup: {description: '', fn: () => 1}})).toThrow('tools.lookup.description: a tool needs a description');
		expect(make({lookup: {description: 'x', fn: 'not a function'}})).toThrow('tools.lookup.fn: fn must be a function');
	});
});
