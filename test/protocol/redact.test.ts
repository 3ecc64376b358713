// Secrets out of text: what a server or a URL can carry, and ordinary text left alone.
import {describe, expect, it} from 'vitest';
import {isSecretHeaderName, isSecretName, looksSecret, REDACTED, redactHeader, redactSecrets, secretsOfHeaders, secretsOfURL} from '../../source/protocol/redact.js';

describe('redactSecrets', () => {
	it.each([
		['userinfo', 'Cannot reach http://alice:hunter2pass@gw.example/v1: refused', 'http://[redacted]@gw.example/v1'],
		['a token as userinfo', 'at https://ghp_abc@host/v1.', 'https://[redacted]@host/v1.'],
		['key= in a query', 'Not found at https://gw.example/v1?key=AbC123xyz (404)', 'https://gw.example/v1?key=[redacted] (404)'],
		['api_key among others', 'at http://h/v1?api-version=2024-10-21&api_key=s3cr3t&x=1.', 'api-version=2024-10-21&api_key=[redacted]&x=1.'],
		['access_token', 'https://h/x?access_token=abc.def', 'access_token=[redacted]'],
		['a signed URL', 'https://b.s3/x?X-Amz-Signature=deadbeef', 'X-Amz-Signature=[redacted]'],
		['Authorization echoed as text', 'Invalid header Authorization: Bearer tok_12345678\nnext', 'Authorization: [redacted]\nnext'],
		['Authorization echoed as JSON', '{"headers": {"authorization": "Bearer abc123def", "host": "x"}}', '"authorization": "[redacted]", "host": "x"'],
		['x-api-key echoed as JSON in a string', '{"message": "bad header {\\"x-api-key\\": \\"my-private-key-1\\"}"}', '\\"x-api-key\\": \\"[redacted]\\"'],
		['api-key header', "received api-key='azure0123456789'", "api-key='[redacted]'"],
		['a bare bearer token', 'token Bearer eyAbc.12345 rejected', 'Bearer [redacted] rejected'],
		['an OpenAI key', 'Incorrect API key provided: sk-proj-abcdefghijklmnop1234.', 'provided: [redacted].'],
		['an Anthropic key', 'key sk-ant-api03-abcdefghijklmnopqrstuv is invalid', 'key [redacted] is invalid'],
		['a Groq key', 'gsk_abcdefghijklmnopqrstuvwxyz', REDACTED],
	])('removes %s', (_what, text, expected) => {
		const out = redactSecrets(text);
		expect(out).toContain(expected);
		expect(redactSecrets(out)).toBe(out);
	});

	it('removes known secrets wherever they are, also URL-encoded', () => {
		const key = 'plain+key/with=odd';
		const out = redactSecrets(`echo: ${key} and ${encodeURIComponent(key)} and the key`, [key, 'abc']);
		expect(out).toBe(`echo: ${REDACTED} and ${REDACTED} and the key`);
	});

	it.each([
		'Request rejected by http://localhost:11434/v1 (400): max_tokens is too large.',
		'https://h/v1?api-version=2024-10-21&max_tokens=5',
		'Basic authentication is required. Bearer token missing.',
		'Authorization failed (401).',
		'Contact user@example.com about sk-learn.',
		'model qwen3:8b not found',
	])('leaves ordinary text alone: %s', (text) => {
		expect(redactSecrets(text)).toBe(text);
		expect(looksSecret(text)).toBe(false);
	});
});

describe('names and sources of secrets', () => {
	it.each(['key', 'api_key', 'apiKey', 'X-Api-Key', 'access_token', 'X-Amz-Signature', 'Authorization', 'password', 'AWSAccessKeyId'])('%s names a secret', (name) => {
		expect(isSecretName(name)).toBe(true);
	});
	it.each(['max_tokens', 'api-version', 'model', 'x-portkey-provider', 'keyword', 'tokens'])('%s does not', (name) => {
		expect(isSecretName(name)).toBe(false);
	});
	it('finds the secrets a URL carries', () => {
		expect(secretsOfURL('https://alice:hunter2pass@h/v1?key=AbC123xyz&api-version=2024-10-21')).toEqual(['hunter2pass', 'AbC123xyz']);
		expect(secretsOfURL('not a url')).toEqual([]);
	});
	it('finds secrets among headers, a bearer value also alone', () => {
		expect(secretsOfHeaders({'x-portkey-provider': 'openai', Authorization: 'Bearer tok123456', 'x-api-key': 'k1234567'})).toEqual(['Bearer tok123456', 'tok123456', 'k1234567']);
	});
});

describe('redactHeader', () => {
	it.each([
		['a secret name with its colon', 'Authorization: Bearer sk-live-123', 'Authorization: [redacted]'],
		['any name holding key, token, secret, auth or cookie', 'X-Csrftoken: abcdef', 'X-Csrftoken: [redacted]'],
		['a secret name, its value on two lines', 'x-api-key: k1\r\nEvil: 1', 'x-api-key: [redacted]'],
		['a secret name without its colon', 'Authorization Bearer sk-live-123', 'Authorization [redacted]'],
		['a key typed after an ordinary name without its colon', 'X-Gateway plainkey-4f9c2e7a1b', 'X-Gateway [redacted]'],
		['a lone key', 'sk-live-123', REDACTED],
		['Proxy-Authorization with =', 'Proxy-Authorization=Basic YWxhZGRpbjpvcGVu', 'Proxy-Authorization [redacted]'],
	])('%s', (_, text, shown) => {
		expect(redactHeader(text)).toBe(shown);
		expect(redactHeader(text)).not.toMatch(/sk-live|plainkey|abcdef|k1|YWxh/);
	});

	it.each(['X-Portkey-Provider: openai', 'X-A: b\r\nEvil: 1', 'no colon here', 'nonsense', 'Bad Name: x'])('leaves %j as typed', (text) => {
		expect(redactHeader(text)).toBe(text);
	});

	it('names a header secret by any of those words, in any case', () => {
		for (const name of ['Authorization', 'PROXY-AUTHORIZATION', 'x-api-key', 'api-key', 'X-Apikey', 'Private-Token', 'X-Client-Secret', 'Authentication', 'Cookie', 'x-session-id']) expect(isSecretHeaderName(name), name).toBe(true);
		for (const name of ['X-Portkey-Provider', 'Content-Type', 'X-Trace', 'OpenAI-Organization']) expect(isSecretHeaderName(name), name).toBe(false);
	});
});

describe('a known secret cut short', () => {
	it('is redacted where a message was cut in the middle of it', () => {
		expect(redactSecrets('Received API Key = plainke…', ['plainkey-4f9c2e7a1b'])).toBe('Received API Key = [redacted]…');
		expect(redactSecrets('headers: {"x-csrftoken":"plainkey-4f9…', ['plainkey-4f9c2e7a1b'])).toBe('headers: {"x-csrftoken":"[redacted]…');
		expect(redactSecrets('(400): key=pla… Check the key.', ['plainkey-4f9c2e7a1b'])).toBe('(400): key=[redacted]… Check the key.');
	});

	it('leaves a cut word alone when it is not the start of one', () => {
		expect(redactSecrets('Received API Key = other…', ['plainkey-4f9c2e7a1b'])).toBe('Received API Key = other…');
		expect(redactSecrets('ends in pl…', ['plainkey-4f9c2e7a1b'])).toBe('ends in pl…');
	});
});
