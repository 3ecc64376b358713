// --replay without a terminal (text or --json) and SIGQUIT (Ctrl+\ in the terminal a pipeline runs
// in, `rlm-tui --replay log.jsonl | less`): the process quits at once with exit code 131, as the app
// and a headless run do, instead of the signal's default action (killed by it, with a core dump),
// also while its output waits in a pipe nobody reads. The built CLI.
import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {cleanEnv, cliPath} from '../support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rlm-replay-quit-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

/** A log whose answer is 8 MiB: more than a pipe and the reader's buffer hold, so the replay
 * cannot finish while the test does not read its output. */
const log = join(dir, 'big.jsonl');
writeFileSync(
	log,
	[
		JSON.stringify({type: 'metadata', timestamp: 't', root_model: 'm', max_depth: 1, max_iterations: 1, backend: 'openai', backend_kwargs: {}, environment_type: 'local', environment_kwargs: {}}),
		JSON.stringify({type: 'iteration', iteration: 1, timestamp: 't', prompt: [], response: 'r', code_blocks: [], final_answer: `${'all work and no play\n'.repeat(400_000)}`, iteration_time: 1}),
	].join('\n'),
);

describe.each([[[]], [['--json']]] as const)('--replay %j, its output unread, then SIGQUIT', (extra) => {
	it('exits 131 at once (not killed by the signal)', async () => {
		const child = spawn(process.execPath, [cliPath, '--replay', log, ...extra], {env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe']});
		let stderr = '';
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (code, signal) => resolve([code, signal])));
		try {
			// The replay is writing its output: then read no more of it.
			await new Promise((resolve) => child.stdout.once('data', resolve));
			child.stdout.pause();
			child.kill('SIGQUIT');
			expect(await exited).toEqual([131, null]);
		} finally {
			child.kill('SIGKILL');
		}
		expect(stderr).toBe('');
	}, 60_000);
});
