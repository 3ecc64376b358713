// Rlm.modelForServer, the engine's check after /backend, through the real openai client and the
// fake server: a model the server lists stays; one it does not is replaced by its first on a
// server someone runs, and kept (said) on a hosted API, whose first listed model may be no chat model.
import {afterEach, describe, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import {fakeLlmServerForFile} from '../support/fake-llm-for-file.js';

const fake = fakeLlmServerForFile({models: ['served-a', 'served-b', 'llama3:latest']});
let rlm: Rlm | undefined;
afterEach(async () => {
	await rlm?.dispose();
	rlm = undefined;
	fake().modelsError = undefined;
});

const engine = (backend: 'openai' | 'groq', model: string) => (rlm = new Rlm({backend, model, baseURL: fake().openaiBaseURL, apiKey: 'test-key', logDir: false}));

describe('Rlm.modelForServer', () => {
	it('keeps a model the server lists, also as its :latest tag', async () => {
		expect(await engine('openai', 'served-b').modelForServer()).toEqual({status: 'kept', model: 'served-b'});
		expect(await engine('openai', 'llama3').modelForServer()).toEqual({status: 'kept', model: 'llama3'});
	});

	it("takes the server's first for a model it does not list, and the next question's model is it", async () => {
		const choice = await engine('openai', 'cogito:14b').modelForServer();
		expect(choice).toEqual({status: 'chosen', model: 'served-a', replaced: 'cogito:14b', listed: 3});
		expect(rlm!.options.model).toBe('served-a');
		expect(rlm!.sessionModel('openai')).toBe('served-a');
	});

	it('keeps the model on a hosted API (a preset that needs a key), and says it is not listed', async () => {
		expect(await engine('groq', 'ghost').modelForServer()).toEqual({status: 'unlisted', model: 'ghost', listed: 3});
		expect(rlm!.options.model).toBe('ghost');
	});

	it('keeps the model when the list cannot be read, with the error', async () => {
		fake().modelsError = {status: 404, message: 'no such route'};
		const choice = await engine('openai', 'cogito:14b').modelForServer();
		expect(choice).toMatchObject({status: 'unchecked', model: 'cogito:14b'});
		expect(String((choice as {error: unknown}).error)).toContain('404');
	});
});
