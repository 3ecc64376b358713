// A failing stdout or stderr: stderr failing never stops the run or its answer; stdout failing
// ends the run with one line on stderr and a non-zero exit, quietly for a reader that went away.
// Never a stack trace.
import {spawn} from 'node:child_process';
import {closeSync, openSync} from 'node:fs';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {cleanEnv, cliPath, type CliResult} from '../support/run-cli.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['m'], responder: () => ({text: 'FINAL(the answer)'})});
});
afterAll(async () => {
	await server?.close();
});

type Target = 'pipe' | 'closed pipe' | 'full device';

/** Runs a headless question with stdout and stderr each a pipe, a pipe nobody reads (its reader
 * closed at once) or /dev/full (every write fails with ENOSPC). */
function run(stdout: Target, stderr: Target, ...extra: string[]): Promise<CliResult> {
	const full = openSync('/dev/full', 'w');
	const stdio = (target: Target) => (target === 'full device' ? full : 'pipe');
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [cliPath, '-u', server.openaiBaseURL, '-m', 'm', '-p', 'q', ...extra], {env: cleanEnv(), stdio: ['ignore', stdio(stdout), stdio(stderr)]});
		closeSync(full);
		const result = {stdout: '', stderr: ''};
		for (const [name, target] of [['stdout', stdout], ['stderr', stderr]] as const) {
			const stream = child[name];
			if (!stream) continue;
			if (target === 'closed pipe') stream.destroy();
			else stream.on('data', (chunk) => (result[name] += chunk));
		}
		child.on('error', reject);
		child.on('close', (code) => resolve({code, ...result}));
	});
}

const stackTrace = /^\s+at |Error:/m;

describe('a failing stderr', () => {
	it('full: the run goes on and its answer reaches stdout', async () => {
		const result = await run('pipe', 'full device', '-e');
		expect(result.stdout).toBe('the answer\n');
		expect(result.code).toBe(0);
	});

	it('closed by its reader: the run goes on and its answer reaches stdout', async () => {
		const result = await run('pipe', 'closed pipe', '-e');
		expect(result.stdout).toBe('the answer\n');
		expect(result.code).toBe(0);
	});
});

describe('a failing stdout', () => {
	it('full: one line on stderr, exit 1, no stack trace', async () => {
		const result = await run('full device', 'pipe');
		expect(result.stderr).toBe('rlm-tui: stopped: the output cannot be written to stdout (ENOSPC: no space left on device)\n');
		expect(result.code).toBe(1);
	});

	it('full, and stderr full too: exit 1', async () => {
		const result = await run('full device', 'full device');
		expect(result.code).toBe(1);
	});

	it('closed by its reader (`| head -1`): exits quietly, 141 as for SIGPIPE', async () => {
		const result = await run('closed pipe', 'pipe');
		expect(result.stderr).not.toMatch(stackTrace);
		expect(result.code).toBe(141);
	});

	it('--json to a full device: the same one line', async () => {
		const result = await run('full device', 'pipe', '--json');
		expect(result.stderr).not.toMatch(stackTrace);
		expect(result.stderr).toContain('cannot be written to stdout (ENOSPC');
		expect(result.code).toBe(1);
	});
});
