// rlm-tui serve as real clients use it, through the real openai SDK (retries on, as shipped),
// with a fake LLM server behind it at the HTTP line.
import OpenAI from 'openai';
import {zodResponseFormat, zodTextFormat} from 'openai/helpers/zod';
import {afterAll, afterEach, beforeAll, describe, expect, it, vi} from 'vitest';
import {z} from 'zod';
import {createBackend} from '../../source/backends/create.js';
import {startRlmServer, type RlmServer, type RlmServerOptions} from '../../source/server/server.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, rootRequests, scripted, subRequests} from '../support/rlm-script.js';

let llm: FakeLlmServer;
const servers: RlmServer[] = [];

beforeAll(async () => {
	llm = await startFakeLlmServer({models: ['gpt-4o', 'gpt-4o-mini']});
});
afterEach(async () => {
	await Promise.all(servers.splice(0).map((server) => server.close()));
});
afterAll(async () => {
	await llm?.close();
});

/** serve over the fake server; the backend itself does not retry, so each run is one upstream call per turn. */
async function serve(options: Partial<RlmServerOptions> = {}) {
	const server = await startRlmServer({
		rlm: {model: 'gpt-4o', maxIterations: 4, logDir: false},
		backend: createBackend({kind: 'openai', baseURL: llm.openaiBaseURL, apiKey: 'upstream-key', maxRetries: 0}),
		port: 0,
		...options,
	});
	servers.push(server);
	return server;
}

/** The SDK as users construct it: its default two retries stay on. */
const clientFor = (server: RlmServer, apiKey = 'unused') => new OpenAI({baseURL: `${server.url}/v1`, apiKey});

const ask = (content: string) => [{role: 'user' as const, content}];

describe('failed runs are not retried', () => {
	it('a run that failed answers 400 with x-should-retry: false, and the SDK makes one request', async () => {
		llm.requests.length = 0;
		llm.setResponder(() => ({status: 503, message: 'upstream overloaded'}));
		const client = clientFor(await serve());
		const error = await client.chat.completions.create({model: 'rlm', messages: ask('q')}).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(OpenAI.APIError);
		const apiError = error as InstanceType<typeof OpenAI.APIError>;
		expect(apiError.status).toBe(400);
		expect(apiError.headers?.get('x-should-retry')).toBe('false');
		expect(apiError.code).toBe('upstream_server');
		expect(apiError.message).toMatch(/The RLM run failed: .*upstream overloaded/);
		expect(llm.requests).toHaveLength(1);
	});

	it('an upstream account out of credits (402) is 402 insufficient_quota saying a retry will not help, with no retry at either end', async () => {
		llm.requests.length = 0;
		llm.setResponder(() => ({status: 402, message: 'Insufficient credits', body: {error: {code: 402, message: 'Insufficient credits'}}}));
		const backend = createBackend({kind: 'openai', baseURL: llm.openaiBaseURL, apiKey: 'upstream-key', maxRetries: 2});
		const client = clientFor(await serve({backend}));
		const error = (await client.chat.completions.create({model: 'rlm', messages: ask('q')}).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
		expect(error).toBeInstanceOf(OpenAI.APIError);
		expect(error.status).toBe(402);
		expect(error.code).toBe('insufficient_quota');
		expect(error.type).toBe('insufficient_quota');
		expect(error.message).toMatch(/The RLM run failed: Out of credits or quota at .* \(402\): Insufficient credits\. Add credits or check the plan and billing of the account at the upstream server; retrying will not help until then\./);
		expect(llm.requests).toHaveLength(1);
	});

	it('the client gets the advice that speaks to it (a wait), never the operator\'s flags', async () => {
		llm.setResponder(() => ({status: 429, message: 'Slow down'}));
		const client = clientFor(await serve());
		const limited = (await client.chat.completions.create({model: 'rlm', messages: ask('q')}).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
		expect([limited.status, limited.code]).toEqual([400, 'upstream_rate_limited']);
		expect(limited.message).toMatch(/Rate limited by the OpenAI-compatible upstream server \(429\): Slow down\. Wait a moment and try again\.$/);
		// The backend's advice for a refused key names -k and an environment variable: for whoever runs serve.
		llm.setResponder(() => ({status: 401, message: 'Incorrect API key provided'}));
		const refused = (await client.chat.completions.create({model: 'rlm', messages: ask('q')}).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
		expect([refused.status, refused.code]).toEqual([400, 'upstream_auth']);
		expect(refused.message).toMatch(/Authentication failed at the upstream server \(401\): Incorrect API key provided\.$/);
	});

	it('a model that refused is an upstream_refused error quoting it, not an empty reply', async () => {
		llm.setResponder(() => ({text: '', refusal: "I'm sorry, I can't help with that."}));
		const client = clientFor(await serve());
		const error = (await client.chat.completions.create({model: 'rlm', messages: ask('q')}).catch((caught: unknown) => caught)) as Error & {code?: string};
		expect(error.code).toBe('upstream_refused');
		expect(error.message).toContain("“I'm sorry, I can't help with that.”");
	});

	it('a refusal on the out-of-turns call is the same upstream_refused error, not the answer', async () => {
		const refusal = "I'm sorry, I can't give a final answer.";
		llm.setResponder(scripted({root: ({turn}) => (turn === 0 ? repl('print("looked")') : {text: '', refusal})}));
		const client = clientFor(await serve({rlm: {model: 'gpt-4o', maxIterations: 1, logDir: false}}));
		const error = (await client.chat.completions.create({model: 'rlm', messages: ask('q')}).catch((caught: unknown) => caught)) as Error & {code?: string};
		expect(error.code).toBe('upstream_refused');
		expect(error.message).toContain(`Out of turns: The model refused the final answer: “${refusal}”`);
	});

	it('never tells the client where the upstream server is: not in errors, not in a stream', async () => {
		const upstream = new URL(llm.openaiBaseURL);
		llm.setResponder(() => ({status: 500, message: 'boom'}));
		const client = clientFor(await serve());
		const error = (await client.chat.completions.create({model: 'rlm', messages: ask('q')}).catch((caught: unknown) => caught)) as Error;
		expect(error.message).toMatch(/Server error from the upstream server \(500\): boom/);
		expect(error.message).not.toContain(upstream.host);
		// Streamed: the error event and the progress narration before it.
		const stream = await client.chat.completions.create({model: 'rlm', messages: ask('q'), stream: true});
		let said = '';
		const streamError = await (async () => {
			for await (const chunk of stream) said += JSON.stringify(chunk);
		})().catch((caught: unknown) => caught as Error);
		expect(streamError).toBeInstanceOf(Error);
		expect(`${said} ${streamError?.message}`).toContain('the upstream server');
		expect(`${said} ${streamError?.message}`).not.toContain(upstream.host);
		// Unreachable: the refused address is not named either.
		const unreachable = clientFor(await serve({backend: createBackend({kind: 'openai', baseURL: 'http://127.0.0.1:1/v1', apiKey: 'k', maxRetries: 0})}));
		const refused = (await unreachable.chat.completions.create({model: 'rlm', messages: ask('q')}).catch((caught: unknown) => caught)) as Error & {code?: string};
		expect(refused.code).toBe('upstream_unreachable');
		expect(refused.message).toContain('Cannot reach');
		expect(refused.message).not.toMatch(/127\.0\.0\.1|:1\b/);
	});

	it('an upstream model that does not exist answers 404 model_not_found (sent on when the backend gives no list)', async () => {
		llm.requests.length = 0;
		llm.setResponder(() => ({status: 404, message: "model 'ghost' not found"}));
		llm.modelsError = {status: 500, message: 'no list'};
		try {
			const client = clientFor(await serve());
			await expect(client.chat.completions.create({model: 'rlm:ghost', messages: ask('q')})).rejects.toMatchObject({status: 404, code: 'model_not_found'});
			expect(llm.requests).toHaveLength(1);
		} finally {
			llm.modelsError = undefined;
		}
	});
});

describe('what a client sent is quoted without a key in it', () => {
	const key = 'sk-proj-abcdefghijklmnop1234567890';

	it('a model name that is a key: the 404 names it [redacted], never the key', async () => {
		llm.requests.length = 0;
		const client = clientFor(await serve());
		const unknown = (await client.chat.completions.create({model: key, messages: ask('q')}).catch((caught: unknown) => caught)) as Error & {status?: number};
		expect(unknown.status).toBe(404);
		expect(unknown.message).toContain('Unknown model "[redacted]": use "rlm"');
		const upstream = (await client.models.retrieve(`rlm:${key}`).catch((caught: unknown) => caught)) as Error & {status?: number};
		expect(upstream.status).toBe(404);
		expect(upstream.message).toContain('The backend has no model "[redacted]"');
		for (const message of [unknown.message, upstream.message]) expect(message).not.toContain('abcdefghijklmnop');
		expect(llm.requests).toHaveLength(0);
	});

	it('a long model name is cut to one short line', async () => {
		const client = clientFor(await serve());
		const error = (await client.chat.completions.create({model: 'm'.repeat(5000), messages: ask('q')}).catch((caught: unknown) => caught)) as Error;
		expect(error.message).toContain(`Unknown model "${'m'.repeat(60)}…": use "rlm"`);
		expect(error.message).not.toContain('m'.repeat(61));
	});
});

describe("the client's max_tokens limits only the answer", () => {
	it('internal model calls get no limit; the answer is cut with finish_reason length', async () => {
		llm.requests.length = 0;
		llm.setResponder(scripted({root: () => repl('llm_output("x" * 400)'), sub: () => ({text: 'sub'})}));
		const client = clientFor(await serve());
		for (const limit of [{max_tokens: 10}, {max_completion_tokens: 10}]) {
			const completion = await client.chat.completions.create({model: 'rlm', messages: ask('long answer please'), ...limit});
			expect(completion.choices[0]!.finish_reason).toBe('length');
			expect(completion.choices[0]!.message.content).toBe('x'.repeat(40));
		}
		for (const request of llm.requests) {
			const body = request.body as Record<string, unknown>;
			expect(body.max_tokens).toBeUndefined();
			expect(body.max_completion_tokens).toBeUndefined();
		}
	});
});

describe('what rlm-tui does not serve is refused with a clear 400', () => {
	it('tools, n > 1 and image parts', async () => {
		const client = clientFor(await serve());
		const tools = [{type: 'function' as const, function: {name: 'lookup', parameters: {type: 'object', properties: {}}}}];
		await expect(client.chat.completions.create({model: 'rlm', messages: ask('q'), tools})).rejects.toMatchObject({status: 400, param: 'tools', message: expect.stringMatching(/Tools are not supported/)});
		await expect(client.chat.completions.create({model: 'rlm', messages: ask('q'), n: 2})).rejects.toMatchObject({status: 400, param: 'n'});
		const image = [{role: 'user' as const, content: [{type: 'text' as const, text: 'what is this?'}, {type: 'image_url' as const, image_url: {url: 'data:image/png;base64,AAAA'}}]}];
		await expect(client.chat.completions.create({model: 'rlm', messages: image})).rejects.toMatchObject({status: 400, param: 'messages[0].content[1]', message: expect.stringMatching(/"image_url" are not supported/)});
		await expect(client.responses.create({model: 'rlm', input: 'q', tools: [{type: 'function', name: 'f', parameters: {}, strict: false}]})).rejects.toMatchObject({status: 400, param: 'tools'});
		await expect(client.responses.create({model: 'rlm', input: 'q', previous_response_id: 'resp_1'})).rejects.toMatchObject({status: 400, param: 'previous_response_id'});
	});

	it('a conversation with no user turn last names the field that holds it: messages, or the Responses API\'s input', async () => {
		const client = clientFor(await serve());
		await expect(client.chat.completions.create({model: 'rlm', messages: [{role: 'assistant', content: 'hi'}]})).rejects.toMatchObject({status: 400, param: 'messages', message: expect.stringMatching(/last message must be from the user/)});
		await expect(client.responses.create({model: 'rlm', input: []})).rejects.toMatchObject({status: 400, param: 'input'});
		await expect(client.responses.create({model: 'rlm', input: [{role: 'assistant', content: 'hi'}]})).rejects.toMatchObject({status: 400, param: 'input'});
	});

	it('logprobs and audio output, each naming its field', async () => {
		const client = clientFor(await serve());
		await expect(client.chat.completions.create({model: 'rlm', messages: ask('q'), logprobs: true})).rejects.toMatchObject({status: 400, param: 'logprobs', message: expect.stringMatching(/logprobs are not supported/)});
		await expect(client.chat.completions.create({model: 'rlm', messages: ask('q'), top_logprobs: 3})).rejects.toMatchObject({status: 400, param: 'top_logprobs'});
		await expect(client.responses.create({model: 'rlm', input: 'q', top_logprobs: 2})).rejects.toMatchObject({status: 400, param: 'top_logprobs', message: expect.stringMatching(/logprobs are not supported.*`top_logprobs`/)});
		await expect(client.responses.create({model: 'rlm', input: 'q', include: ['message.output_text.logprobs'], stream: true})).rejects.toMatchObject({
			status: 400,
			param: 'include',
			message: expect.stringMatching(/logprobs are not supported.*"message\.output_text\.logprobs" in `include`/),
		});
		await expect(client.chat.completions.create({model: 'rlm', messages: ask('q'), modalities: ['text', 'audio'], audio: {voice: 'alloy', format: 'wav'}})).rejects.toMatchObject({status: 400, param: 'modalities', message: expect.stringMatching(/Audio output is not supported/)});
		await expect(client.chat.completions.create({model: 'rlm', messages: ask('q'), stop: 42 as unknown as string})).rejects.toMatchObject({status: 400, param: 'stop'});
	});

	it('accepts the fields real clients add (Open WebUI, LangChain, the SDKs), which change nothing', async () => {
		llm.setResponder(scripted({root: () => repl('llm_output("fine")')}));
		const client = clientFor(await serve());
		// Open WebUI's and llama.cpp's own sampling fields, beyond the OpenAI spec.
		const openWebUiSampling: Record<string, unknown> = {min_p: 0.05, top_k: 40};
		// What Open WebUI's OpenAI connection sends (its model parameters: seed, stop, top_p, penalties, logit_bias,
		// reasoning_effort, its own min_p and top_k), and what the SDKs and LangChain add (user, metadata, store...).
		const completion = await client.chat.completions.create({
			model: 'rlm',
			messages: ask('q'),
			stream: false,
			user: 'user-1234',
			seed: 42,
			top_p: 0.9,
			frequency_penalty: 0.5,
			presence_penalty: 0.1,
			logit_bias: {'50256': -100},
			logprobs: false,
			metadata: {conversation: 'abc'},
			store: false,
			reasoning_effort: 'low',
			service_tier: 'auto',
			parallel_tool_calls: false,
			tool_choice: 'none',
			modalities: ['text'],
			prompt_cache_key: 'k',
			safety_identifier: 'sid',
			verbosity: 'low',
			...openWebUiSampling,
		});
		expect(completion.choices[0]!.message.content).toBe('fine');
		expect(completion.choices[0]!.finish_reason).toBe('stop');
	});

	it('honours stop on the answer: it ends before the first stop sequence, streamed or not', async () => {
		llm.setResponder(scripted({root: () => repl('llm_output("Paris is the capital.\\n\\nQ: and Spain?\\nA: Madrid")')}));
		const client = clientFor(await serve());
		const completion = await client.chat.completions.create({model: 'rlm', messages: ask('q'), stop: ['\nQ:', 'END']});
		expect(completion.choices[0]!.message.content).toBe('Paris is the capital.\n');
		expect(completion.choices[0]!.finish_reason).toBe('stop');
		const stream = await client.chat.completions.create({model: 'rlm', messages: ask('q'), stop: 'capital', stream: true});
		let text = '';
		for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
		expect(text).toBe('Paris is the ');
	});

	it('Responses: accepts top_logprobs 0 and the include values that ask for no logprobs (the AI SDK sends reasoning.encrypted_content)', async () => {
		llm.setResponder(scripted({root: () => repl('llm_output("fine")')}));
		const client = clientFor(await serve());
		const response = await client.responses.create({model: 'rlm', input: 'q', top_logprobs: 0, include: ['reasoning.encrypted_content'], store: false});
		expect(response.output_text).toBe('fine');
	});

	it('accepts stream: null, as the spec allows', async () => {
		llm.setResponder(scripted({root: () => repl('llm_output("fine")')}));
		const client = clientFor(await serve());
		const completion = await client.chat.completions.create({model: 'rlm', messages: ask('q'), stream: null});
		expect(completion.choices[0]!.message.content).toBe('fine');
	});
});

describe("a request's own limits: the `rlm` field", () => {
	/** Extra body fields as clients send them (the Python SDK's extra_body; in Node, beside the rest). */
	const withRlm = (rlm: Record<string, unknown>) => ({model: 'rlm', messages: ask('q'), rlm}) as OpenAI.ChatCompletionCreateParamsNonStreaming;

	it('caps this run only: max_sub_calls 2 stops a loop of llm_query at 2, as limited (finish_reason length)', async () => {
		llm.requests.length = 0;
		llm.setResponder(
			scripted({
				root: ({turn}) => (turn === 0 ? repl('answer["content"] = "draft"\nfor i in range(5):\n    llm_query(f"part {i}")') : {text: 'FINAL(after the cap)'}),
				sub: () => ({text: 'a part'}),
			}),
		);
		const client = clientFor(await serve());
		const completion = await client.chat.completions.create(withRlm({max_sub_calls: 2}));
		expect(completion.choices[0]!.finish_reason).toBe('length');
		expect(completion.choices[0]!.message.content).toBe('draft');
		expect(subRequests(llm.requests)).toHaveLength(2);
		// The next request without the field has the server's caps again.
		llm.requests.length = 0;
		await client.chat.completions.create({model: 'rlm', messages: ask('q')});
		expect(subRequests(llm.requests)).toHaveLength(5);
	});

	it("a cap above the server's is lowered to it, and the response says so", async () => {
		llm.setResponder(scripted({root: () => repl('llm_output("fine")')}));
		const client = clientFor(await serve({rlm: {model: 'gpt-4o', maxIterations: 4, maxBudget: 1, logDir: false}}));
		const {data, response} = await client.chat.completions.create(withRlm({max_iterations: 99, max_budget: 50, max_errors: 2})).withResponse();
		expect(data.choices[0]!.message.content).toBe('fine');
		expect(response.headers.get('rlm-limits-lowered')).toBe("max_iterations 99 lowered to this server's 4; max_budget 50 lowered to this server's 1");
	});

	it('a misspelt or invalid cap is a 400 naming it, not a run without it', async () => {
		const client = clientFor(await serve());
		await expect(client.chat.completions.create(withRlm({max_budgett: 1}))).rejects.toMatchObject({status: 400, param: 'rlm', message: expect.stringMatching(/max_budgett/)});
		await expect(client.chat.completions.create(withRlm({max_sub_calls: -1}))).rejects.toMatchObject({status: 400, param: 'rlm.max_sub_calls'});
		await expect(client.responses.create({model: 'rlm', input: 'q', rlm: {max_timeout: 'soon'}} as OpenAI.Responses.ResponseCreateParamsNonStreaming)).rejects.toMatchObject({
			status: 400,
			param: 'rlm.max_timeout',
		});
	});
});

describe('response_format', () => {
	const City = z.object({city: z.string(), population: z.number().int()});

	/** The model first leaves out a field; asked to repair, it submits the whole object. */
	const cityModel = () =>
		scripted({
			root: ({request}) =>
				request.messages[1]!.content.includes('cannot be returned')
					? repl('import json\nllm_output(json.dumps({"city": "Paris", "population": 2100000}))')
					: repl('import json\nllm_output(json.dumps({"city": "Paris"}))'),
		});

	it('json_schema: the RLM is told the schema, a wrong answer is repaired, and parse() gets the object', async () => {
		llm.requests.length = 0;
		llm.setResponder(cityModel());
		const client = clientFor(await serve());
		const completion = await client.chat.completions.parse({model: 'rlm', messages: ask('Largest city of France?'), response_format: zodResponseFormat(City, 'city')});
		expect(completion.choices[0]!.message.parsed).toEqual({city: 'Paris', population: 2100000});
		const roots = rootRequests(llm.requests);
		expect(roots[0]!.messages[0]!.content).toContain('"population"');
		expect(roots[0]!.messages[0]!.content).toMatch(/JSON Schema \("city"\)/);
		expect(roots).toHaveLength(2);
		expect(roots[1]!.messages[1]!.content).toMatch(/population/);
	});

	it('json_schema through the Responses API (text.format)', async () => {
		llm.setResponder(cityModel());
		const client = clientFor(await serve());
		const response = await client.responses.parse({model: 'rlm', input: 'Largest city of France?', text: {format: zodTextFormat(City, 'city')}});
		expect(response.output_parsed).toEqual({city: 'Paris', population: 2100000});
	});

	it('json_object: a fenced object is returned bare', async () => {
		llm.setResponder(scripted({root: () => repl('llm_output("```json\\n{\\"ok\\": true}\\n```")')}));
		const client = clientFor(await serve());
		const completion = await client.chat.completions.create({model: 'rlm', messages: ask('q'), response_format: {type: 'json_object'}});
		expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ok: true});
	});

	it('an answer that stays wrong fails the request after two repairs, not retried', async () => {
		llm.requests.length = 0;
		llm.setResponder(scripted({root: () => repl('llm_output("not json at all")')}));
		const client = clientFor(await serve());
		await expect(client.chat.completions.create({model: 'rlm', messages: ask('q'), response_format: {type: 'json_object'}})).rejects.toMatchObject({status: 400, code: 'invalid_output'});
		expect(rootRequests(llm.requests)).toHaveLength(3);
	});
});

describe('streaming', () => {
	it('progress as reasoning_content, the answer as content, usage with cost', async () => {
		llm.setResponder(
			scripted({
				root: ({turn}) =>
					turn === 0
						? {...repl('print("looked at it")', 'First I look.'), usage: {inputTokens: 1000, outputTokens: 100}}
						: {...repl('llm_output("the answer")'), usage: {inputTokens: 2000, outputTokens: 100}},
			}),
		);
		const client = clientFor(await serve());
		const stream = await client.chat.completions.create({model: 'rlm', messages: ask('go'), stream: true, stream_options: {include_usage: true}});
		let reasoning = '';
		let content = '';
		let reasoningBeforeContent = true;
		let usage: (OpenAI.CompletionUsage & {cost?: number}) | undefined;
		for await (const chunk of stream) {
			const delta = chunk.choices[0]?.delta as {content?: string; reasoning_content?: string} | undefined;
			if (delta?.reasoning_content) {
				reasoning += delta.reasoning_content;
				if (content) reasoningBeforeContent = false;
			}
			content += delta?.content ?? '';
			if (chunk.usage) usage = chunk.usage;
		}
		expect(content).toBe('the answer');
		expect(reasoningBeforeContent).toBe(true);
		expect(reasoning).toContain('**Iteration 1/4**');
		expect(reasoning).toContain('First I look.');
		expect(reasoning).toContain('looked at it');
		expect(reasoning).toContain('**Iteration 2/4**');
		expect(usage).toMatchObject({prompt_tokens: 3000, completion_tokens: 200});
		// gpt-4o: $2.50 per million input tokens, $10 per million output tokens.
		expect(usage!.cost).toBeCloseTo(0.0095, 10);
	});

	it('a heartbeat comment keeps the stream busy while the run waits', async () => {
		llm.setResponder(scripted({root: () => ({...repl('llm_output("late")'), delayMs: 600})}));
		const server = await serve({heartbeatMs: 50});
		const response = await fetch(`${server.url}/v1/chat/completions`, {
			method: 'POST',
			headers: {'content-type': 'application/json'},
			body: JSON.stringify({model: 'rlm', messages: ask('q'), stream: true}),
		});
		const text = await response.text();
		expect(text).toMatch(/^: keep-alive$/m);
		expect(text.indexOf(': keep-alive')).toBeLessThan(text.indexOf('"late"'));
		expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
	});
});

describe('POST /v1/responses', () => {
	it('answers with a reasoning summary and a message, usage and cost', async () => {
		llm.setResponder(scripted({root: () => ({...repl('llm_output("forty-two")', 'Computing.'), usage: {inputTokens: 1000, outputTokens: 100}})}));
		const client = clientFor(await serve());
		const response = await client.responses.create({model: 'rlm', instructions: 'Be brief.', input: [{role: 'user', content: [{type: 'input_text', text: 'What is six times seven?'}]}]});
		expect(response.status).toBe('completed');
		expect(response.output_text).toBe('forty-two');
		const reasoning = response.output.find((item) => item.type === 'reasoning');
		expect(reasoning?.type === 'reasoning' && reasoning.summary[0]!.text).toContain('Computing.');
		expect(response.usage).toMatchObject({input_tokens: 1000, output_tokens: 100, total_tokens: 1100});
		expect((response.usage as {cost?: number}).cost).toBeCloseTo(0.0035, 10);
	});

	it('streams reasoning summary deltas, then the answer, then response.completed', async () => {
		llm.setResponder(scripted({root: () => repl('llm_output("streamed answer")', 'Thinking it through.')}));
		const client = clientFor(await serve());
		const stream = await client.responses.create({model: 'rlm', input: 'q', stream: true});
		const types: string[] = [];
		let reasoning = '';
		let text = '';
		let completed: OpenAI.Responses.Response | undefined;
		for await (const event of stream) {
			types.push(event.type);
			if (event.type === 'response.reasoning_summary_text.delta') reasoning += event.delta;
			if (event.type === 'response.output_text.delta') text += event.delta;
			if (event.type === 'response.completed') completed = event.response;
		}
		expect(reasoning).toContain('Thinking it through.');
		expect(text).toBe('streamed answer');
		expect(types[0]).toBe('response.created');
		expect(types.indexOf('response.reasoning_summary_text.delta')).toBeLessThan(types.indexOf('response.output_text.delta'));
		expect(types.at(-1)).toBe('response.completed');
		expect(completed?.output.at(-1)).toMatchObject({type: 'message', content: [{type: 'output_text', text: 'streamed answer'}]});
	});

	it('max_output_tokens cuts the answer only: status incomplete', async () => {
		llm.requests.length = 0;
		llm.setResponder(scripted({root: () => repl('llm_output("y" * 100)')}));
		const client = clientFor(await serve());
		const response = await client.responses.create({model: 'rlm', input: 'q', max_output_tokens: 5});
		expect(response.status).toBe('incomplete');
		expect(response.incomplete_details?.reason).toBe('max_output_tokens');
		expect(response.output_text).toBe('y'.repeat(20));
		expect((llm.requests[0]!.body as Record<string, unknown>).max_tokens).toBeUndefined();
	});
});

describe('models, health, model aliases, CORS', () => {
	it('GET /v1/models/{id} for rlm and rlm:<model>; 404 for others', async () => {
		const client = clientFor(await serve());
		expect((await client.models.retrieve('rlm')).id).toBe('rlm');
		expect((await client.models.retrieve('rlm:gpt-4o-mini')).id).toBe('rlm:gpt-4o-mini');
		await expect(client.models.retrieve('rlm:no-such-model')).rejects.toMatchObject({status: 404});
		await expect(client.models.retrieve('gpt-9')).rejects.toMatchObject({status: 404});
	});

	it('GET /v1/models keeps a list a while, and after an upstream list that stalls polls answer at once without asking again', async () => {
		const upstream = await startFakeLlmServer({models: ['one', 'two']});
		try {
			const asked = () => upstream.paths.filter((path) => path === 'GET /v1/models').length;
			const ids = async (server: RlmServer) => ((await (await fetch(`${server.url}/v1/models`)).json()) as {data: {id: string}[]}).data.map((model) => model.id);
			const backend = () => createBackend({kind: 'openai', baseURL: upstream.openaiBaseURL, apiKey: 'k', maxRetries: 0});
			const listing = await serve({backend: backend()});
			expect(await ids(listing)).toEqual(['rlm', 'rlm:one', 'rlm:two']);
			expect(await ids(listing)).toEqual(['rlm', 'rlm:one', 'rlm:two']);
			expect(asked()).toBe(1);
			// Headers, then nothing: the first polls (together) wait for one bounded request; later ones do not ask.
			upstream.stallMetadata = true;
			const stalled = await serve({backend: backend(), modelList: {timeoutMs: 500}});
			const first = await Promise.all([ids(stalled), ids(stalled), ids(stalled)]);
			// The upstream did not say: the model serve runs is the one listed beside rlm.
			expect(first).toEqual([['rlm', 'rlm:gpt-4o'], ['rlm', 'rlm:gpt-4o'], ['rlm', 'rlm:gpt-4o']]);
			expect(asked()).toBe(2);
			expect(await ids(stalled)).toEqual(['rlm', 'rlm:gpt-4o']);
			expect(asked()).toBe(2);
			// A model id is still taken on trust while the list is unknown.
			expect((await fetch(`${stalled.url}/v1/models/rlm:one`)).status).toBe(200);
			expect(asked()).toBe(2);
		} finally {
			await upstream.close();
		}
	});

	it('GET /v1/models while the upstream is slow to list: answered without waiting for it, with the model serve runs; a later poll gets the upstream list', async () => {
		const upstream = await startFakeLlmServer({models: ['one', 'two']});
		try {
			let release!: () => void;
			upstream.modelsHeldUntil = new Promise<void>((resolve) => {
				release = resolve;
			});
			const asked = () => upstream.paths.filter((path) => path === 'GET /v1/models').length;
			const backend = createBackend({kind: 'openai', baseURL: upstream.openaiBaseURL, apiKey: 'k', maxRetries: 0});
			const client = clientFor(await serve({backend, modelList: {answerWithinMs: 50}}));
			const ids = async () => (await client.models.list()).data.map((model) => model.id);
			expect(await ids()).toEqual(['rlm', 'rlm:gpt-4o']);
			expect(asked()).toBe(1);
			release();
			// The request that was still in flight answers: its list is kept.
			await vi.waitFor(async () => expect(await ids()).toEqual(['rlm', 'rlm:one', 'rlm:two']), {timeout: 10_000, interval: 20});
			expect(asked()).toBe(1);
		} finally {
			await upstream.close();
		}
	});

	it('GET /health answers without a token', async () => {
		const server = await serve({token: 'sekrit'});
		const response = await fetch(`${server.url}/health`);
		expect(response.status).toBe(200);
		expect(await response.json()).toMatchObject({status: 'ok', active: 0});
		expect((await fetch(`${server.url}/v1/models`)).status).toBe(401);
	});

	it('rlm:<alias> runs the alias\'s model', async () => {
		llm.requests.length = 0;
		llm.setResponder(scripted({root: () => repl('llm_output("ok")')}));
		const client = clientFor(await serve());
		await client.chat.completions.create({model: 'rlm:4o-mini', messages: ask('q')});
		expect(rootRequests(llm.requests)[0]!.model).toBe('gpt-4o-mini');
	});

	it('--cors ORIGIN lets that origin\'s pages in (preflight too) and no other', async () => {
		llm.setResponder(scripted({root: () => repl('llm_output("from the browser")')}));
		const server = await serve({corsOrigins: ['http://localhost:3000']});
		const preflight = await fetch(`${server.url}/v1/chat/completions`, {
			method: 'OPTIONS',
			headers: {origin: 'http://localhost:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type'},
		});
		expect(preflight.status).toBe(204);
		expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
		expect(preflight.headers.get('access-control-allow-headers')).toMatch(/content-type/);
		const post = (origin: string) =>
			fetch(`${server.url}/v1/chat/completions`, {method: 'POST', headers: {origin, 'content-type': 'application/json'}, body: JSON.stringify({model: 'rlm', messages: ask('q')})});
		const allowed = await post('http://localhost:3000');
		expect(allowed.status).toBe(200);
		expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
		expect(((await allowed.json()) as OpenAI.ChatCompletion).choices[0]!.message.content).toBe('from the browser');
		const other = await post('http://evil.example');
		expect(other.status).toBe(403);
		expect(other.headers.get('access-control-allow-origin')).toBeNull();
	});

	it('--cors "*" needs a token', async () => {
		await expect(serve({corsOrigins: ['*']})).rejects.toThrow(/needs a bearer token/);
	});
});

describe("an answer's escape sequences and controls", () => {
	// ESC and 8-bit CSI sequences, NEL, a bidi override, a zero-width space, and an emoji that a
	// 256-unit delta would split in half.
	const ANSWER = `a\x1b[31mred\x1b[0m b\u009b32mgreen c\u0085nel d\u202eevil\u200bz ${'x'.repeat(215)}😀 end`;
	const raw = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b\u202e]/;

	it('arrive exactly in content, streamed or not, chat or Responses, and no raw control is in the bytes', async () => {
		llm.setResponder(scripted({root: () => repl(`llm_output(${JSON.stringify(ANSWER)})`)}));
		const server = await serve();
		const post = async (path: string, body: object) => (await fetch(`${server.url}/v1/${path}`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(body)})).text();
		type Event = {type?: string; delta?: string; choices?: {delta?: {content?: string}}[]};
		const events = (text: string) => text.split('\n').filter((line) => line.startsWith('data: {')).map((line) => JSON.parse(line.slice(6)) as Event);
		// No unpaired surrogate (String.prototype.isWellFormed, not in this TypeScript lib).
		const wellFormed = (text: string) => !/\p{Surrogate}/u.test(text);

		const chat = await post('chat/completions', {model: 'rlm', messages: ask('q')});
		expect(chat).not.toMatch(raw);
		expect((JSON.parse(chat) as {choices: {message: {content: string}}[]}).choices[0]!.message.content).toBe(ANSWER);

		const chatStream = await post('chat/completions', {model: 'rlm', messages: ask('q'), stream: true});
		expect(chatStream).not.toMatch(raw);
		const deltas = events(chatStream).map((chunk) => chunk.choices?.[0]?.delta?.content ?? '');
		expect(deltas.join('')).toBe(ANSWER);
		for (const delta of deltas) expect(wellFormed(delta)).toBe(true);

		const response = await post('responses', {model: 'rlm', input: 'q'});
		expect(response).not.toMatch(raw);
		expect((JSON.parse(response) as {output: {type: string; content?: {text: string}[]}[]}).output.find((item) => item.type === 'message')!.content![0]!.text).toBe(ANSWER);

		const responseStream = await post('responses', {model: 'rlm', input: 'q', stream: true});
		expect(responseStream).not.toMatch(raw);
		const pieces = events(responseStream).filter((event) => event.type === 'response.output_text.delta').map((event) => event.delta ?? '');
		expect(pieces.join('')).toBe(ANSWER);
		for (const piece of pieces) expect(wellFormed(piece)).toBe(true);

		// And the SDK reads the same text.
		const sdk = await clientFor(server).chat.completions.create({model: 'rlm', messages: ask('q')});
		expect(sdk.choices[0]!.message.content).toBe(ANSWER);
	});
});

