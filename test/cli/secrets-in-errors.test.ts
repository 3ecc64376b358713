// No error the command line prints echoes a secret the user gave: each says what was wrong, on
// one line, with the secret shown as [redacted] (protocol/redact.ts).
import {describe, expect, it} from 'vitest';
import {knownSecrets} from '../../source/cli/known-secrets.js';
import {cleanEnv, runCli} from '../support/run-cli.js';

/** A key without a provider's prefix: only knowing it (or where it stands) finds it. */
const KEY = 'plainkey-4f9c2e7a1b';

/** stderr is one `rlm-tui:` line saying `what`, without the key; exit code 2 (a usage error). */
function refusedWithout(result: {code: number | null; stdout: string; stderr: string}, what: RegExp, secret = KEY) {
	expect(result.code).toBe(2);
	const lines = result.stderr.trim().split('\n');
	expect(lines).toHaveLength(1);
	expect(lines[0]).toMatch(/^rlm-tui: /);
	expect(lines[0]).toMatch(what);
	expect(result.stderr + result.stdout).not.toContain(secret);
}

describe('a malformed --header', () => {
	it.each([
		['Authorization without its colon', `Authorization Bearer ${KEY}`, /Invalid --header "Authorization \[redacted\]": expected 'Name: value'/],
		['x-api-key with a line break', `x-api-key: ${KEY}\r\nX-Evil: 1`, /Invalid --header "x-api-key: \[redacted\]": a header's value must be one line/],
		['a gateway key named with "key"', `X-Portkey-Api-Key ${KEY}`, /Invalid --header "X-Portkey-Api-Key \[redacted\]"/],
	])('%s: the name is shown, the value is not', async (_, header, what) => {
		refusedWithout(await runCli(['-u', 'http://127.0.0.1:9/v1', '-m', 'm', '--header', header, '-p', 'q']), what);
	});
});

describe('a value that carries credentials', () => {
	it.each([
		['-u with userinfo', ['-u', `http://alice:${KEY}@127.0.0.1:99999/v1`, '-m', 'm', '-p', 'q'], /^rlm-tui: Invalid --backend-url "http:\/\/\[redacted\]@127\.0\.0\.1:99999\/v1": expected a URL/],
		['-u with ?api_key=', ['-u', `http://127.0.0.1:99999/v1?api_key=${KEY}`, '-m', 'm', '-p', 'q'], /^rlm-tui: Invalid --backend-url "http:\/\/127\.0\.0\.1:99999\/v1\?api_key=\[redacted\]": expected a URL/],
		['--sub-url with userinfo', ['-b', 'demo', '--sub-url', `https://bob:${KEY}@[bad/v1`, '-p', 'q'], /^rlm-tui: Invalid --sub-url "https:\/\/\[redacted\]@\[bad\/v1": expected a URL/],
		['serve --cors with userinfo', ['serve', '-b', 'demo', '--port', '0', '--cors', `http://u:${KEY}@localhost:3000/app`], /^rlm-tui: Invalid --cors "http:\/\/\[redacted\]@localhost:3000\/app": expected an origin/],
	])('%s is named without them', async (_, args, what) => {
		refusedWithout(await runCli(args), what);
	});

	it('a key given where a backend name goes (-b and -k swapped) is not echoed', async () => {
		refusedWithout(await runCli(['-b', KEY, '-k', 'openai', '-p', 'q'], {env: cleanEnv({OPENAI_API_KEY: KEY})}), /^rlm-tui: Unknown backend "\[redacted\]" \(--backend\): use one of /);
		refusedWithout(await runCli(['-p', 'q'], {env: cleanEnv({RLM_BACKEND: KEY, OPENAI_API_KEY: KEY})}), /^rlm-tui: Unknown backend "\[redacted\]" \(RLM_BACKEND\)/);
	});

	it('a -k key or a key in the environment is redacted from any usage error that quotes it', async () => {
		refusedWithout(await runCli([KEY, '-b', 'demo'], {env: cleanEnv({OPENAI_API_KEY: KEY})}), /^rlm-tui: unknown command "\[redacted\]"/);
		refusedWithout(await runCli(['-b', 'demo', '-k', KEY, '--max-depth', KEY, '-p', 'q']), /^rlm-tui: --max-depth needs a number, not "\[redacted\]"/);
	});
});

describe('knownSecrets', () => {
	it('finds a key however its flag is spelled, URL credentials, secret headers and key-like variables', () => {
		const argv = ['--backend-key=key-one-11', '-kkey-two-22', '--token', 'tok-three-33', '-u', 'http://u:pw-four-44@h/v1', '--header', 'X-Api-Key: hk-five-55', '--header', 'X-Trace: 123456', '-m', 'model-six-66'];
		const found = knownSecrets(argv, {OPENAI_API_KEY: 'env-seven-77', OPENAI_BASE_URL: 'http://h/v1?key=env-eight-88', HOME: '/home/someone'});
		expect(found.sort()).toEqual(['env-eight-88', 'env-seven-77', 'hk-five-55', 'key-one-11', 'key-two-22', 'pw-four-44', 'tok-three-33']);
	});

	it('takes a backend name given to -k (meant as -b) for no key: the list of backends in its error keeps the word', async () => {
		expect(knownSecrets(['-k', 'openai', '--backend-key=Anthropic'], {})).toEqual([]);
		const result = await runCli(['-k', 'openai', '-b', 'nonsense', '-p', 'q'], {env: cleanEnv()});
		expect(result.stderr.trim().split('\n')).toHaveLength(1);
		expect(result.stderr).toMatch(/\bopenai\b/);
		expect(result.stderr).not.toContain('[redacted]');
	});
});
