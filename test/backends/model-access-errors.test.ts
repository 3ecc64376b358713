// A 403 that refuses the model, not the key (OpenAI's "Project `proj_…` does not have access to model
// `gpt-5`", code model_not_found): said as no access to that model, not "Authentication failed …
// Check the key" (the key works).
import {afterAll, beforeAll, expect, it} from 'vitest';
import {OpenAIBackend} from '../../source/backends/openai.js';
import {ParamMemory} from '../../source/backends/request-params.js';
import type {StreamChunk} from '../../source/backends/types.js';
import {caughtBackendError} from '../support/backend-error.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer();
});
afterAll(async () => {
	await server.close();
});

const openai = () => new OpenAIBackend({baseURL: server.openaiBaseURL, apiKey: 'sk-test', maxRetries: 2, paramMemory: new ParamMemory()});

async function drain(stream: AsyncIterable<StreamChunk>): Promise<void> {
	for await (const chunk of stream) void chunk;
}

const NO_ACCESS = 'Project `proj_abc123` does not have access to model `gpt-5`';

it.each([
	['with code model_not_found', {status: 403, message: NO_ACCESS, type: 'invalid_request_error', code: 'model_not_found'}],
	['by its words alone', {status: 403, message: NO_ACCESS, type: 'invalid_request_error'}],
] as const)('a 403 that refuses the model (%s): not_found, no access to the model, and nothing about checking the key', async (_how, reply) => {
	server.setResponder(() => reply);
	const error = await caughtBackendError(drain(openai().stream([{role: 'user', content: 'hi'}], {model: 'gpt-5'})));
	expect(error.code).toBe('not_found');
	expect(error.status).toBe(403);
	expect(error.message).toBe(`No access to model 'gpt-5' at ${server.openaiBaseURL} (403): ${NO_ACCESS}.`);
	expect(error.advice).toMatch(/may not use this model: choose another \(-m\)/);
	expect(`${error.message} ${error.advice}`).not.toMatch(/Authentication|Check the key/);
});

it('a plain 403 is still an authentication failure', async () => {
	server.setResponder(() => ({status: 403, message: 'Invalid API key for this organization', type: 'permission_error'}));
	const error = await caughtBackendError(drain(openai().stream([{role: 'user', content: 'hi'}], {model: 'gpt-5'})));
	expect(error.code).toBe('auth');
	expect(error.advice).toMatch(/^Check the key/);
});

it('Anthropic’s 403 permission_error: the key lacks permission for the resource, not an authentication failure', async () => {
	const {AnthropicBackend} = await import('../../source/backends/anthropic.js');
	const said = 'Your API key does not have permission to use the specified resource.';
	server.setResponder(() => ({status: 403, message: said, type: 'permission_error'}));
	const anthropic = new AnthropicBackend({baseURL: server.anthropicBaseURL, apiKey: 'sk-ant-test', maxRetries: 2});
	const error = await caughtBackendError(drain(anthropic.stream([{role: 'user', content: 'hi'}], {model: 'claude-opus-4-1'})));
	expect(error.code).toBe('not_found');
	expect(error.status).toBe(403);
	expect(error.message).toBe(`No permission for model 'claude-opus-4-1' at ${server.anthropicBaseURL} (403): ${said}`);
	expect(error.advice).toMatch(/^The key works but may not use this model or resource: choose another \(-m\)/);
	expect(`${error.message} ${error.advice}`).not.toMatch(/Authentication|Check the key/);
});

it('xAI’s 403 for a model the key may not use (its code the gRPC PERMISSION_DENIED words): not_found, as the others’ model refusals', async () => {
	// The body as xAI sends it (braytonstafford/grok_conversation#9): `code` is the generic words, `error` says which model.
	const said = 'The API key xai-…Bc9 cannot be used to make requests against grok-2-1212 because it lacks the permissions to do so. Please log into console.x.ai, edit the API key, and add the permissions.';
	server.setResponder(() => ({status: 403, message: said, body: {code: 'The caller does not have permission to execute the specified operation', error: said}}));
	const error = await caughtBackendError(drain(openai().stream([{role: 'user', content: 'hi'}], {model: 'grok-2-1212'})));
	expect(error.code).toBe('not_found');
	expect(error.status).toBe(403);
	expect(error.message).toBe(`No permission for model 'grok-2-1212' at ${server.openaiBaseURL} (403): ${said}`);
	expect(`${error.message} ${error.advice}`).not.toMatch(/Authentication|Check the key/);
});
