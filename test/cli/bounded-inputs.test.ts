// The command line as a user runs it, with inputs that never end or are too big: each is refused
// in one line naming it, the limit and what to do, with exit 2 and no stack trace.
import {mkdtempSync, readdirSync, symlinkSync, truncateSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {runCli} from '../support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rlm-bounded-cli-'));

function expectOneLine(result: {code: number | null; stdout: string; stderr: string}, pattern: RegExp): void {
	expect(result.code).toBe(2);
	expect(result.stdout).toBe('');
	const lines = result.stderr.trim().split('\n');
	expect(lines).toHaveLength(1);
	expect(lines[0]).toMatch(pattern);
}

describe('inputs that never end', () => {
	it.each([
		[['-c', '/dev/zero'], /^rlm-tui: Context file \/dev\/zero is a device, not a regular file: give a file$/],
		[['-c', '/dev/urandom'], /^rlm-tui: Context file \/dev\/urandom is a device/],
		[['-k', '@/dev/zero'], /^rlm-tui: The key file for -k @\/dev\/zero is a device, not a regular file: give a file\.$/],
		[['--tools', '/dev/zero'], /^rlm-tui: --tools \/dev\/zero is a device, not a regular file: give a file$/],
		[['--system-file', '/dev/zero'], /^rlm-tui: --system-file \/dev\/zero is a device, not a regular file: give a file$/],
	])('%j is refused unread', async (flags, pattern) => {
		expectOneLine(await runCli(['-u', 'http://127.0.0.1:9/v1', '-m', 'm', ...flags, '-p', 'q']), pattern);
	});
});

describe('inputs too big for what they are', () => {
	it('stdin past 512 MiB, as the context or as the question: one line, never a stack trace', async () => {
		// 700 MB on stdin ended in ERR_STRING_TOO_LONG; `yes |` grew to 10 GB.
		const input = Buffer.alloc(520 * 1024 * 1024, 'a');
		expectOneLine(await runCli(['-b', 'demo', '-c', '-', '-p', 'q'], {input}), /^rlm-tui: The context on stdin is over the 512 MiB it may hold: give it as files with -c/);
		expectOneLine(await runCli(['-b', 'demo'], {input}), /^rlm-tui: The question on stdin is over the 512 MiB it may hold: put the text in a file, pass it with -c FILE/);
	});

	it('a --tools or --system-file file over 8 MiB', async () => {
		const file = join(dir, 'tools.py');
		writeFileSync(file, '# tools\n');
		truncateSync(file, 9 * 1024 * 1024);
		expectOneLine(await runCli(['-b', 'demo', '--tools', file, '-p', 'q']), /^rlm-tui: --tools \S+tools\.py is 9 MiB, over the 8 MiB it may hold: give --tools a smaller file$/);
		expectOneLine(await runCli(['-b', 'demo', '--system-file', file, '-p', 'q']), /^rlm-tui: --system-file \S+tools\.py is 9 MiB, over the 8 MiB it may hold/);
	});

	it('a key file over 64 KiB', async () => {
		const file = join(dir, 'key');
		writeFileSync(file, 'sk-1234');
		truncateSync(file, 1024 * 1024);
		expectOneLine(await runCli(['-u', 'http://127.0.0.1:9/v1', '-m', 'm', '-k', `@${file}`, '-p', 'q']), /^rlm-tui: The key file for -k @\S+key is 1 MiB, over the 64 KiB it may hold: it should hold one key on one line\.$/);
	});

	it('a --replay log over 512 MiB, refused by its size before it is read', async () => {
		// A log's start, then 3 GiB of nothing: it looks like a log until its size is judged.
		const file = join(dir, 'huge.jsonl');
		writeFileSync(file, `${JSON.stringify({type: 'metadata', timestamp: 't', root_model: 'm', max_depth: 1, max_iterations: 1, backend: 'openai', backend_kwargs: {}, environment_type: 'local', environment_kwargs: {}})}\n`);
		truncateSync(file, 3 * 1024 ** 3);
		expectOneLine(await runCli(['--replay', file]), /^rlm-tui: Trajectory file \S+huge\.jsonl is 3 GiB, over the 512 MiB it may hold: /);
	});
});

describe('damaged logs', () => {
	it('--replay counts a line nested 100k deep as damaged and shows the rest', async () => {
		const file = join(dir, 'deep.jsonl');
		const metadata = JSON.stringify({type: 'metadata', timestamp: 't', root_model: 'm', max_depth: 1, max_iterations: 1, backend: 'openai', backend_kwargs: {}, environment_type: 'local', environment_kwargs: {}});
		const iteration = '{"type":"iteration","iteration":1,"timestamp":"t","prompt":[],"response":"r","code_blocks":[],"final_answer":"the answer","iteration_time":1}';
		writeFileSync(file, [metadata, '['.repeat(100_000) + ']'.repeat(100_000), iteration].join('\n'));
		const result = await runCli(['--replay', file]);
		expect(result.stderr).not.toMatch(/call stack|unexpected error/);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('the answer');
	});

	it('--resume passes over a dangling link named like a session log', async () => {
		const logDir = join(dir, 'logs');
		const first = await runCli(['-b', 'demo', '--log-dir', logDir, '-p', 'the cat']);
		expect(first.code).toBe(0);
		const [name] = readdirSync(logDir);
		symlinkSync('/nonexistent', join(logDir, name.replace('_t1_', '_t2_')));
		const resumed = await runCli(['-b', 'demo', '--log-dir', logDir, '--resume', '-p', 'the dog']);
		expect(resumed.stderr).not.toMatch(/unexpected error|ENOENT/);
		expect(resumed.code).toBe(0);
		expect(resumed.stderr).toMatch(/resumed 1 turn/);
	});
});
