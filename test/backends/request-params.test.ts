// Reading a refusal: which sent parameter a server's 400 names, in the words real servers use.
import {describe, expect, it} from 'vitest';
import {isReasoningFamily, ParamMemory, refusedParameter, refusesStreaming, refusesSystemRole} from '../../source/backends/request-params.js';
import {messageFromText} from '../../source/backends/response-body.js';

const sent = ['model', 'messages', 'temperature', 'max_tokens', 'stream', 'stream_options'];

describe('refusedParameter', () => {
	it.each([
		["Unsupported value: 'temperature' does not support 0.7 with this model. Only the default (1) value is supported.", {param: 'temperature'}],
		["Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", {param: 'max_tokens', replacement: 'max_completion_tokens'}],
		['Unrecognized request argument supplied: stream_options', {param: 'stream_options'}],
		['stream_options: Extra inputs are not permitted', {param: 'stream_options'}],
		['Invalid parameter: stream_options is only supported when stream is true', {param: 'stream_options'}],
		["property 'temperature' is unsupported", {param: 'temperature'}],
		// Databricks' Go decoder; an AWS Bedrock front naming the key inside stream_options; Azure AI Foundry.
		['Bad request: json: unknown field "stream_options"', {param: 'stream_options'}],
		['Malformed input request: #: extraneous key [include_usage] is not permitted, please reformat your input and try again.', {param: 'stream_options'}],
		["Extra parameters ['stream_options'] are not allowed when extra-parameters is not set or set to be 'error'.", {param: 'stream_options'}],
		["Unsupported parameter: 'temperature' is not supported with this model.", {param: 'temperature'}],
	])('%s', (message, expected) => {
		expect(refusedParameter({message}, sent)).toEqual(expected);
	});

	it('takes OpenAI’s param field first, when the error refuses the parameter itself', () => {
		expect(refusedParameter({message: 'bad value', param: 'temperature', code: 'unsupported_value'}, sent)).toEqual({param: 'temperature'});
		expect(refusedParameter({message: 'Unrecognized request argument supplied', param: 'stream_options.include_usage'}, sent)).toEqual({param: 'stream_options'});
		// Too large is a value to fix, not a parameter to drop.
		expect(refusedParameter({message: 'max_tokens is too large: 100000. This model supports at most 16384 completion tokens', param: 'max_tokens', code: null}, sent)).toBeUndefined();
	});

	it('names nothing for a refusal about something else, or a parameter that was not sent', () => {
		expect(refusedParameter({message: 'messages: too many images'}, sent)).toBeUndefined();
		expect(refusedParameter({message: "Unsupported parameter: 'top_p'"}, sent)).toBeUndefined();
		expect(refusedParameter({message: 'temperature is fine, the model is not found'}, sent)).toBeUndefined();
	});

	it('does not rename back to a name already tried', () => {
		const message = "Unsupported parameter: 'max_completion_tokens'";
		expect(refusedParameter({message}, ['max_completion_tokens'])).toEqual({param: 'max_completion_tokens', replacement: 'max_tokens'});
		expect(refusedParameter({message}, ['max_completion_tokens'], new Set(['max_tokens']))).toEqual({param: 'max_completion_tokens'});
	});
});

describe('refusals of how the request is made', () => {
	it('streaming: OpenAI’s verification demand and the o1 family’s stream refusal, not a refusal of stream_options', () => {
		expect(refusesStreaming({message: 'Your organization must be verified to stream this model. Please go to: ...', param: 'stream'})).toBe(true);
		expect(refusesStreaming({message: "Unsupported value: 'stream' does not support true with this model. Supported values are: false."})).toBe(true);
		expect(refusesStreaming({message: 'Unrecognized request argument supplied: stream_options', param: 'stream_options'})).toBe(false);
		expect(refusesStreaming({message: 'Invalid parameter: stream_options is only supported when stream is true'})).toBe(false);
	});

	it('the system role: o1-mini’s words with its param, not another role or field', () => {
		expect(refusesSystemRole({message: "Unsupported value: 'messages[0].role' does not support 'system' with this model.", param: 'messages[0].role'})).toBe(true);
		expect(refusesSystemRole({message: "Unsupported value: 'messages[0].role' does not support 'developer' with this model.", param: 'messages[0].role'})).toBe(false);
		expect(refusesSystemRole({message: "Unsupported value: 'temperature' does not support 'system'", param: 'temperature'})).toBe(false);
	});
});

describe('ParamMemory', () => {
	it('learns once per base URL and model, and applies renames before drops', () => {
		const memory = new ParamMemory();
		expect(memory.learn('u', 'm', {param: 'max_tokens', replacement: 'max_completion_tokens'})).toBe(true);
		expect(memory.learn('u', 'm', {param: 'max_tokens', replacement: 'max_completion_tokens'})).toBe(false);
		expect(memory.learn('u', 'm', {param: 'temperature'})).toBe(true);
		expect(memory.apply('u', 'm', {temperature: 0.7, max_tokens: 5, model: 'm'})).toEqual({max_completion_tokens: 5, model: 'm'});
		expect(memory.apply('u', 'other', {temperature: 0.7})).toEqual({temperature: 0.7});
		expect(memory.apply('v', 'm', {temperature: 0.7})).toEqual({temperature: 0.7});
	});
});

describe('isReasoningFamily', () => {
	it.each(['gpt-5', 'gpt-5-mini', 'gpt-5.1-codex', 'o1', 'o3-mini', 'o4-mini-2025-04-16', 'openai/gpt-5', 'openai/o3'])('%s takes no temperature', (model) => {
		expect(isReasoningFamily(model)).toBe(true);
	});
	it.each(['gpt-4o', 'gpt-4.1-mini', 'gpt-oss:20b', 'qwen3:8b', 'llama-3.3-70b', 'claude-sonnet-4-5', 'omni-x'])('%s is sampled as usual', (model) => {
		expect(isReasoningFamily(model)).toBe(false);
	});
});

describe('messageFromText', () => {
	it.each([
		['{"error": {"message": "bad key", "type": "invalid_request_error"}}', 'bad key'],
		['{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}', 'Overloaded'],
		['{"error_code": "BAD_REQUEST", "message": "field stream_options not allowed"}', 'field stream_options not allowed'],
		['{"Message": "User is not authorized"}', 'User is not authorized'],
		['{"detail": [{"loc": ["body", "stream_options"], "msg": "Extra inputs are not permitted"}]}', 'stream_options: Extra inputs are not permitted'],
		['{"error": "model not loaded"}', 'model not loaded'],
		['upstream connect error', 'upstream connect error'],
		['<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>', '502 Bad Gateway'],
	])('%s', (body, expected) => {
		expect(messageFromText(body)).toBe(expected);
	});
});
