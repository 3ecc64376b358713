// Bridge: the cost of one llm_query from Python against a zero-latency fake server, beside the
// same HTTP call made directly from Node; then llm_query_batched of N slow sub-calls beside N
// sequential llm_query calls, through the real engine (Rlm, openai SDK, default concurrency).
import http from 'node:http';
import fs from 'node:fs';
import OpenAI from 'openai';
import {Rlm} from '../dist/index.js';
import {prewarmSandbox, Sandbox} from '../dist/sandbox/index.js';
import {isRoot, repl, startFakeOpenAI} from './support/fake-openai.mjs';
import {reps, tempDir} from './support/util.mjs';

const CALLS = 200;
const SLOW_MS = 500;

/** One non-streamed chat completion over a keep-alive connection; resolves with the text. */
function httpCaller(baseURL) {
	const agent = new http.Agent({keepAlive: true, maxSockets: 64});
	const url = new URL(`${baseURL}/chat/completions`);
	return (prompt) =>
		new Promise((resolve, reject) => {
			const body = JSON.stringify({model: 'sub', messages: [{role: 'user', content: prompt}]});
			const req = http.request(
				url,
				{method: 'POST', agent, headers: {'content-type': 'application/json', 'content-length': Buffer.byteLength(body)}},
				(res) => {
					const chunks = [];
					res.on('data', (chunk) => chunks.push(chunk));
					res.on('end', () => {
						try {
							resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')).choices[0].message.content);
						} catch (error) {
							reject(error);
						}
					});
					res.on('error', reject);
				},
			);
			req.on('error', reject);
			req.end(body);
		});
}

const loopCode = (calls) => `import time
_t = time.perf_counter()
for _i in range(${calls}):
    _r = llm_query("ping")
print((time.perf_counter() - _t) / ${calls} * 1000, _r)`;

async function meanDirect(call, calls) {
	const t = performance.now();
	for (let i = 0; i < calls; i++) await call('ping');
	return (performance.now() - t) / calls;
}

export async function benchBridge(log) {
	const out = {};
	const cacheDir = tempDir('bridge-cache');
	const server = await startFakeOpenAI(() => ({text: 'pong'}));
	try {
		await prewarmSandbox({cacheDir});
		const call = httpCaller(server.baseURL);
		const sandbox = await Sandbox.start({cacheDir});
		try {
			// Warm up both paths (JIT, sockets).
			await meanDirect(call, 50);
			await sandbox.run(loopCode(50), {onCall: async (request) => Promise.all(request.prompts.map(call))});
			const inSandbox = [];
			const direct = [];
			const bare = [];
			for (let i = 0; i < reps(5); i++) {
				const run = await sandbox.run(loopCode(CALLS), {onCall: async (request) => Promise.all(request.prompts.map(call))});
				if (!run.ok || !run.stdout.includes('pong')) throw new Error(`bridge loop failed: ${run.error ?? run.stdout}`);
				inSandbox.push(Number(run.stdout.split(' ')[0]));
				direct.push(await meanDirect(call, CALLS));
				const noHttp = await sandbox.run(loopCode(CALLS * 5), {onCall: async (request) => request.prompts.map(() => 'pong')});
				bare.push(Number(noHttp.stdout.split(' ')[0]));
			}
			out.bridgeSandboxMs = inSandbox;
			out.bridgeDirectMs = direct;
			out.bridgeOverheadMs = inSandbox.map((x, i) => x - direct[i]);
			out.bridgeRatio = inSandbox.map((x, i) => x / direct[i]);
			out.bridgeBareMs = bare;
			log(`  llm_query in sandbox ${inSandbox.map((x) => x.toFixed(3)).join(', ')} ms; direct HTTP ${direct.map((x) => x.toFixed(3)).join(', ')} ms; no HTTP ${bare.map((x) => x.toFixed(3)).join(', ')} ms`);
		} finally {
			await sandbox.dispose();
		}

		// The whole engine path: Rlm + openai SDK (streamed sub-calls, events), beside the SDK alone.
		const client = new OpenAI({baseURL: server.baseURL, apiKey: 'none'});
		const sdkCall = async () => {
			const stream = await client.chat.completions.create({model: 'sub', messages: [{role: 'user', content: 'ping'}], stream: true, stream_options: {include_usage: true}});
			let text = '';
			for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
			return text;
		};
		const engineRoot = (calls) => (request) => {
			if (!isRoot(request)) return {text: 'pong'};
			const turn = request.messages.filter((m) => m.role === 'assistant').length;
			return turn === 0 ? repl(loopCode(calls)) : repl('llm_output("done")');
		};
		const rlm = new Rlm({model: 'm', backend: 'openai', baseURL: server.baseURL, logDir: false, cacheDir, timeoutSeconds: 300, maxIterations: 4});
		try {
			server.setResponder(engineRoot(50));
			await rlm.completion('warm up');
			await meanDirect(sdkCall, 50);
			server.setResponder(engineRoot(CALLS));
			const viaEngine = [];
			const viaSdk = [];
			for (let i = 0; i < reps(3); i++) {
				const result = await rlm.completion('bridge loop');
				const stdout = result.iterations[0]?.codeBlocks[0]?.result.stdout ?? '';
				if (!stdout.includes('pong')) throw new Error(`engine loop failed: ${result.error ?? stdout}`);
				viaEngine.push(Number(stdout.split(' ')[0]));
				viaSdk.push(await meanDirect(sdkCall, CALLS));
			}
			out.engineCallMs = viaEngine;
			out.sdkCallMs = viaSdk;
			out.engineOverheadMs = viaEngine.map((x, i) => x - viaSdk[i]);
			log(`  llm_query via engine ${viaEngine.map((x) => x.toFixed(3)).join(', ')} ms; openai SDK direct ${viaSdk.map((x) => x.toFixed(3)).join(', ')} ms`);

			// Batched vs sequential, N slow (0.5 s) sub-calls.
			for (const n of [8, 32]) {
				const code = `import time
_prompts = [f"item {_i}" for _i in range(${n})]
_t = time.perf_counter()
_b = llm_query_batched(_prompts)
_batched = time.perf_counter() - _t
_t = time.perf_counter()
_s = [llm_query(_p) for _p in _prompts]
_sequential = time.perf_counter() - _t
assert _b == _s, (_b, _s)
print(_batched * 1000, _sequential * 1000)`;
				server.setResponder((request) => {
					if (!isRoot(request)) return {text: `answer to ${request.messages.at(-1)?.content}`, delayMs: SLOW_MS};
					const turn = request.messages.filter((m) => m.role === 'assistant').length;
					return turn === 0 ? repl(code) : repl('llm_output("done")');
				});
				const batched = [];
				const sequential = [];
				for (let i = 0; i < reps(3); i++) {
					const result = await rlm.completion(`batch of ${n}`);
					const block = result.iterations[0]?.codeBlocks[0]?.result;
					if (!block?.ok) throw new Error(`batch run failed: ${block?.error ?? result.error}`);
					const [b, s] = block.stdout.trim().split(' ').map(Number);
					batched.push(b);
					sequential.push(s);
				}
				out[`batched${n}Ms`] = batched;
				out[`sequential${n}Ms`] = sequential;
				out[`batched${n}Ratio`] = batched.map((b, i) => b / sequential[i]);
				log(`  N=${n}: batched ${batched.map((x) => x.toFixed(0)).join(', ')} ms; sequential ${sequential.map((x) => x.toFixed(0)).join(', ')} ms`);
			}
		} finally {
			await rlm.dispose();
		}
	} finally {
		await server.close();
		fs.rmSync(cacheDir, {recursive: true, force: true});
	}
	return out;
}
