// Which `rlm:<model>` serve runs, through the real openai SDK: with --allow-models only the root
// model, the sub-model and those; else the backend's models when it lists them, else any name (the
// upstream answers for it). Every refusal comes before anything is sent upstream.
import OpenAI from 'openai';
import {describe, expect, it} from 'vitest';
import {servedModels, unaskableModelName} from '../../source/server/served-models.js';
import type {RlmServer} from '../../source/server/server.js';
import {rlmServerForFile} from '../support/rlm-server-for-file.js';
import {repl, rootRequests, scripted} from '../support/rlm-script.js';

const {llm, serve} = rlmServerForFile();

const clientFor = (server: RlmServer) => new OpenAI({baseURL: `${server.url}/v1`, apiKey: 'unused'});
const ask = (content: string) => [{role: 'user' as const, content}];

/** The fake backend lists `models` and answers every root call with "ok"; its requests so far are forgotten. */
function backendWith(models: string[], options: {listFails?: boolean} = {}) {
	const upstream = llm();
	upstream.models.splice(0, upstream.models.length, ...models);
	upstream.modelsError = options.listFails ? {status: 500, message: 'no list here'} : undefined;
	upstream.requests.length = 0;
	upstream.setResponder(scripted({root: () => repl('llm_output("ok")')}));
	return upstream;
}

/** What a call through the SDK was refused with. */
async function refusal(call: Promise<unknown>) {
	const error = await call.then(
		() => undefined,
		(caught: unknown) => caught,
	);
	expect(error).toBeInstanceOf(OpenAI.APIError);
	return error as InstanceType<typeof OpenAI.APIError>;
}

/** Each way a client names a model for a run: chat (plain and streamed), Responses, and GET /v1/models/{id}. */
const everyCall = (client: OpenAI, model: string): Array<() => Promise<unknown>> => [
	() => client.chat.completions.create({model, messages: ask('q')}),
	() => client.chat.completions.create({model, messages: ask('q'), stream: true}),
	() => client.responses.create({model, input: 'q'}),
	() => client.models.retrieve(model),
];

const ids = async (client: OpenAI) => (await client.models.list()).data.map((model) => model.id);

describe('without --allow-models', () => {
	it('rlm:<model> for each model the backend lists, and any other is a 404 naming them, with nothing sent upstream', async () => {
		const upstream = backendWith(['root-model', 'other-model']);
		const client = clientFor(await serve());
		expect(await ids(client)).toEqual(['rlm', 'rlm:root-model', 'rlm:other-model']);
		for (const call of everyCall(client, 'rlm:most-expensive-model')) {
			const error = await refusal(call());
			expect(error.status).toBe(404);
			expect(error.code).toBe('model_not_found');
			expect(error.headers?.get('x-should-retry')).toBe('false');
			expect(error.message).toContain('The backend has no model "most-expensive-model": use one of "rlm", "rlm:root-model", "rlm:other-model" (see GET /v1/models).');
		}
		expect(upstream.requests).toHaveLength(0);
		const completion = await client.chat.completions.create({model: 'rlm:other-model', messages: ask('q')});
		expect(completion.choices[0]!.message.content).toBe('ok');
		expect(rootRequests(upstream.requests).map((request) => request.model)).toEqual(['other-model']);
	});

	it('a long list is named in part, the rest left to GET /v1/models', async () => {
		backendWith(Array.from({length: 20}, (_, index) => `model-${index}`));
		const error = await refusal(clientFor(await serve()).chat.completions.create({model: 'rlm:model-99', messages: ask('q')}));
		expect(error.message).toContain('"rlm:model-6" and 13 more (see GET /v1/models)');
		expect(error.message).not.toContain('model-7"');
	});

	it('an untagged name is the :latest the backend lists (Ollama\'s reading)', async () => {
		const upstream = backendWith(['root-model', 'qwen3:latest', 'qwen3:8b']);
		const client = clientFor(await serve());
		await client.chat.completions.create({model: 'rlm:qwen3', messages: ask('q')});
		expect(rootRequests(upstream.requests).map((request) => request.model)).toEqual(['qwen3']);
		expect((await refusal(client.chat.completions.create({model: 'rlm:qwen3:4b', messages: ask('q')}))).status).toBe(404);
		expect(rootRequests(upstream.requests)).toHaveLength(1);
	});

	it('the root model is served even when the backend does not list it', async () => {
		const upstream = backendWith(['other-model']);
		const client = clientFor(await serve());
		await client.chat.completions.create({model: 'rlm:root-model', messages: ask('q')});
		expect(rootRequests(upstream.requests).map((request) => request.model)).toEqual(['root-model']);
	});

	it('when the backend gives no list, any rlm:<model> is sent on as before and only the root model is listed', async () => {
		const upstream = backendWith(['root-model'], {listFails: true});
		const client = clientFor(await serve());
		expect(await ids(client)).toEqual(['rlm', 'rlm:root-model']);
		const completion = await client.chat.completions.create({model: 'rlm:unlisted-model', messages: ask('q')});
		expect(completion.choices[0]!.message.content).toBe('ok');
		expect(rootRequests(upstream.requests).map((request) => request.model)).toEqual(['unlisted-model']);
	});
});

describe('with --allow-models', () => {
	const allowing = () => serve({rlm: {model: 'root-model', subModel: 'sub-model', allowModels: ['gpt-4o-mini'], maxIterations: 3}});

	it('lists and runs only the root model, the sub-model and those; any other is a 404 naming them, with nothing sent upstream', async () => {
		const upstream = backendWith(['root-model', 'sub-model', 'gpt-4o-mini', 'most-expensive-model']);
		const client = clientFor(await allowing());
		expect(await ids(client)).toEqual(['rlm', 'rlm:root-model', 'rlm:sub-model', 'rlm:gpt-4o-mini']);
		for (const call of everyCall(client, 'rlm:most-expensive-model')) {
			const error = await refusal(call());
			expect(error.status).toBe(404);
			expect(error.code).toBe('model_not_found');
			expect(error.headers?.get('x-should-retry')).toBe('false');
			expect(error.message).toContain('Model "rlm:most-expensive-model" is not one this server runs: use one of "rlm", "rlm:root-model", "rlm:sub-model", "rlm:gpt-4o-mini" (see GET /v1/models).');
		}
		expect(upstream.requests).toHaveLength(0);
		// An alias names the model it stands for: 4o-mini is gpt-4o-mini (allowed), 4o is gpt-4o (not).
		await client.chat.completions.create({model: 'rlm:4o-mini', messages: ask('q')});
		await client.chat.completions.create({model: 'rlm:sub-model', messages: ask('q')});
		await client.chat.completions.create({model: 'rlm', messages: ask('q')});
		expect(rootRequests(upstream.requests).map((request) => request.model)).toEqual(['gpt-4o-mini', 'sub-model', 'root-model']);
		expect((await refusal(client.chat.completions.create({model: 'rlm:4o', messages: ask('q')}))).status).toBe(404);
		expect(rootRequests(upstream.requests)).toHaveLength(3);
	});

	it('the list is the allowed one, whatever the backend lists or fails to', async () => {
		const upstream = backendWith([], {listFails: true});
		const client = clientFor(await allowing());
		expect(await ids(client)).toEqual(['rlm', 'rlm:root-model', 'rlm:sub-model', 'rlm:gpt-4o-mini']);
		expect((await refusal(client.chat.completions.create({model: 'rlm:unlisted-model', messages: ask('q')}))).status).toBe(404);
		expect(upstream.requests).toHaveLength(0);
	});
});

describe('a model name that holds control characters', () => {
	it('is a 400 quoting it escaped, never sent upstream, whether the backend lists models or not', async () => {
		for (const listFails of [false, true]) {
			const upstream = backendWith(['root-model'], {listFails});
			const client = clientFor(await serve());
			for (const [model, shown] of [
				['rlm:x\u001b]0;pwned\u0007', String.raw`"rlm:x\u001b]0;pwned\u0007"`],
				['rlm:a\nb', String.raw`"rlm:a\nb"`],
				['rlm:evil\u202egpj', String.raw`"rlm:evil\u202egpj"`],
				['rlm:x\u009b2J', String.raw`"rlm:x\u009b2J"`],
			] as const) {
				for (const call of everyCall(client, model)) {
					const error = await refusal(call());
					expect(error.status).toBe(400);
					expect(error.code).toBe('invalid_value');
					expect(error.headers?.get('x-should-retry')).toBe('false');
					expect(error.message).toContain(`Invalid model name ${shown}: a model name holds no control or formatting characters.`);
				}
			}
			expect(upstream.requests).toHaveLength(0);
		}
	});

	it('one the operator allowed (--allow-models) is refused at start, naming its position, quoted escaped', () => {
		const names = ['gpt-4o-mini', 'x\u001b]0;pwned\u0007', 'evil\u202egpj'];
		expect(unaskableModelName(names)).toBe(
			String.raw`Invalid --allow-models: model name 2 of 3, "x\u001b]0;pwned\u0007", holds a control or formatting character, so no client could ask for it: give the names as the backend lists them.`,
		);
		expect(unaskableModelName(['a', 'b\tc'])).toMatch(/^Invalid --allow-models: model name 2 of 2, "b\\tc",/);
		expect(unaskableModelName(['gpt-4o-mini', 'llama3:8b', 'anthropic/claude-x'])).toBeUndefined();
		const options = {rootModel: 'root-model', modelId: (name: string) => name, backendModels: async () => undefined};
		expect(() => servedModels({...options, allowModels: names})).toThrow(/^Invalid allowModels: model name 2 of 3,/);
		expect(() => servedModels({...options, allowModels: ['gpt-4o-mini']})).not.toThrow();
	});

	it('a backend model whose name holds them is not listed', async () => {
		backendWith(['root-model', 'bad\u001b[2Jname']);
		expect(await ids(clientFor(await serve()))).toEqual(['rlm', 'rlm:root-model']);
	});
});

describe('GET /v1/models/{id}', () => {
	it('a model id in the path that is not UTF-8 is a 400, not a server error', async () => {
		const response = await fetch(`${(await serve()).url}/v1/models/rlm:%E0%A4`);
		expect(response.status).toBe(400);
		expect(((await response.json()) as {error: {message: string}}).error.message).toBe('Invalid model id "rlm:%E0%A4" in the path: it is not percent-encoded UTF-8.');
	});
});

describe('a path serve has no route for', () => {
	it('is quoted in the 404, without a key in it and cut to one short line', async () => {
		const client = clientFor(await serve());
		const key = 'sk-proj-abcdefghijklmnop1234567890';
		const error = await refusal(client.get(`/nothing/${key}`));
		expect(error.status).toBe(404);
		expect(error.message).toContain('No route for GET "/v1/nothing/[redacted]". Try POST /v1/chat/completions');
		expect(error.message).not.toContain('abcdefghijklmnop');
		const long = await refusal(client.get(`/${'p'.repeat(500)}`));
		expect(long.message).toContain(`No route for GET "/v1/${'p'.repeat(56)}…". Try`);
	});

	it('a route asked with another method is a 405 naming the one it takes (Allow), not a 404', async () => {
		const {url} = await serve();
		const get = await fetch(`${url}/v1/chat/completions`);
		expect(get.status).toBe(405);
		expect(get.headers.get('allow')).toBe('POST');
		expect(get.headers.get('x-should-retry')).toBe('false');
		expect(((await get.json()) as {error: {message: string; code: string}}).error).toMatchObject({code: 'method_not_allowed', message: '/v1/chat/completions takes POST, not "GET".'});
		const del = await fetch(`${url}/v1/models`, {method: 'DELETE'});
		expect(del.status).toBe(405);
		expect(del.headers.get('allow')).toBe('GET');
	});
});
