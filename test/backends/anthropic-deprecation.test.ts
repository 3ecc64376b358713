// @anthropic-ai/sdk writes "The model 'x' is deprecated…" with console.warn on every request: raw
// lines on stderr in a headless run. The backend keeps them off the console and tells it once per
// model, as a notice.
import {afterAll, beforeAll, expect, it, vi} from 'vitest';
import {AnthropicBackend} from '../../source/backends/anthropic.js';
import type {StreamChunk} from '../../source/backends/types.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({responder: () => ({text: 'fine'})});
});
afterAll(async () => {
	await server.close();
});

async function notices(backend: AnthropicBackend, model: string): Promise<Array<Extract<StreamChunk, {type: 'notice'}>>> {
	const found: Array<Extract<StreamChunk, {type: 'notice'}>> = [];
	let text = '';
	for await (const chunk of backend.stream([{role: 'user', content: 'hi'}], {model})) {
		if (chunk.type === 'notice') found.push(chunk);
		if (chunk.type === 'text') text += chunk.text;
	}
	expect(text).toBe('fine');
	return found;
}

it('a deprecated model: nothing on the console, one warning notice for the first request only', async () => {
	const warn = vi.spyOn(console, 'warn');
	const error = vi.spyOn(console, 'error');
	try {
		const backend = new AnthropicBackend({baseURL: server.anthropicBaseURL, apiKey: 'sk-ant-test'});
		const first = await notices(backend, 'claude-sonnet-4-5');
		expect(first).toEqual([
			{
				type: 'notice',
				code: 'model_deprecated',
				level: 'warn',
				message: expect.stringMatching(/^Anthropic has deprecated the model 'claude-sonnet-4-5' \(end of life: [^)]+\d{4}\): choose a newer model; see https:\/\/\S+$/),
			},
		]);
		expect(await notices(backend, 'claude-sonnet-4-5')).toEqual([]);
		const viaComplete: string[] = [];
		await backend.complete([{role: 'user', content: 'hi'}], {model: 'claude-sonnet-4-5', onNotice: (notice) => viaComplete.push(notice.code)});
		expect(viaComplete).toEqual([]);
		// A model that is not deprecated: no notice.
		expect(await notices(backend, 'claude-sonnet-4-6')).toEqual([]);
		expect(warn).not.toHaveBeenCalled();
		expect(error).not.toHaveBeenCalled();
	} finally {
		warn.mockRestore();
		error.mockRestore();
	}
});

it('complete(): the deprecation goes to onNotice, and console.warn is the same function after', async () => {
	const before = console.warn;
	const backend = new AnthropicBackend({baseURL: server.anthropicBaseURL, apiKey: 'sk-ant-test'});
	const told: string[] = [];
	const reply = await backend.complete([{role: 'user', content: 'hi'}], {model: 'claude-opus-4-5', onNotice: (notice) => told.push(notice.message)});
	expect(reply.text).toBe('fine');
	expect(told).toEqual([expect.stringContaining("deprecated the model 'claude-opus-4-5'")]);
	expect(console.warn).toBe(before);
});
