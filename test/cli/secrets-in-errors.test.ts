// No error the command line prints echoes a secret the user gave: each says what was wrong, on
// one line, with the secret shown as [redacted] (protocol/redact.ts).
import {describe, expect, it} from 'vitest';
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
