// --replay given a file our own commands wrote that is no trajectory (/save's session JSON, the
// result -p --json prints, /export's transcript): one line saying what the file is and what
// --replay takes instead, and nothing else happens.
import {randomBytes} from 'node:crypto';
import {mkdtempSync, rmSync, truncateSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import type {RlmEvent} from '../../source/protocol/events.js';
import {reduceAll} from '../../source/trajectory/tree.js';
import {sessionFileJson, transcriptMarkdown} from '../../source/ui/transcript.js';
import type {ChatEntry} from '../../source/ui/state/types.js';
import {runCli} from '../support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rlm-replay-other-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

const chat = [
	{kind: 'user', text: 'how many words?'},
	{kind: 'answer', text: 'Four.'},
] as unknown as ChatEntry[];
const events: RlmEvent[] = [
	{type: 'run.start', runId: 'r', depth: 0, model: 'm', backend: 'demo', question: 'how many words?', context: {type: 'none', chars: 0}, maxIterations: 30, t: 1},
	{type: 'run.done', runId: 'r', answer: 'Four.', status: 'answered', usage: {inputTokens: 1, outputTokens: 1}, ms: 5, iterations: 1, t: 2},
];
const traj = reduceAll(events);

async function replayError(name: string, content: string): Promise<string> {
	const file = join(dir, name);
	writeFileSync(file, content);
	const result = await runCli(['--replay', file]);
	expect(result.code).toBe(2);
	expect(result.stdout).toBe('');
	const lines = result.stderr.trim().split('\n');
	expect(lines).toHaveLength(1);
	expect(lines[0]).toContain(file);
	expect(lines[0]).toMatch(/--replay takes a trajectory log \(\.jsonl\): every run writes one to .*trajectories \(or --log-dir\), and --resume reopens the last session from there\.$/);
	return lines[0]!;
}

describe('--replay on a file that is no trajectory', () => {
	it('names a session saved by /save', async () => {
		const line = await replayError('session.json', sessionFileJson(chat, {model: 'm', backend: 'demo'}, traj));
		expect(line).toContain('is a session saved by /save (its chat and tree as JSON), to read or process: it cannot be replayed or resumed.');
	});

	it('names a transcript written by /export', async () => {
		const line = await replayError('chat.md', transcriptMarkdown(chat, {model: 'm', backend: 'demo', date: new Date()}));
		expect(line).toContain('is a transcript written by /export (Markdown, to read): it holds no trajectory to replay.');
	});

	it('names the result -p --json prints, and other JSON or text as not a trajectory', async () => {
		const made = await runCli(['-b', 'demo', '-p', 'count words: a b', '--json', '--log-dir', join(dir, 'logs')]);
		expect(made.code).toBe(0);
		expect(await replayError('result.json', made.stdout)).toContain('is a result printed by -p --json');
		expect(await replayError('other.json', '{"a": 1}')).toContain('is JSON but not an RLM trajectory');
		expect(await replayError('notes.txt', 'just some notes\n')).toContain('is not an RLM trajectory');
		const folder = await runCli(['--replay', join(dir, 'logs')]);
		expect(folder.code).toBe(2);
		expect(folder.stderr.trim()).toBe(`rlm-tui: ${join(dir, 'logs')} is a directory, not a trajectory file: --replay takes one of the .jsonl logs in it`);
	});

	it('refuses a device at once (/dev/zero never ends: it filled memory without bound)', async () => {
		const zero = await runCli(['--replay', '/dev/zero'], {timeoutMs: 30_000});
		expect(zero.code).toBe(2);
		expect(zero.stderr.trim()).toBe('rlm-tui: /dev/zero is not a regular file, so not a trajectory: give one of the .jsonl logs rlm-tui writes');
	});

	it('refuses a big file from its start, without reading it whole: binary, text, JSON lines of another shape, one long line', async () => {
		// 1 GiB files, sparse: read whole, each would be more text than one JavaScript string holds
		// (the error would then be "Cannot read"); refused from its first bytes, the refusal is the usual line.
		const starts: Array<[string, Buffer | string]> = [
			['junk.bin', randomBytes(64 * 1024)],
			['server.log', 'INFO started\nINFO listening\n'],
			['rows.jsonl', '{"foo": 1}\n{"foo": 2}\n'],
			['one-line.json', `{"data": "${'x'.repeat(100_000)}`],
		];
		for (const [name, start] of starts) {
			const file = join(dir, name);
			writeFileSync(file, start);
			truncateSync(file, 1024 ** 3);
			const result = await runCli(['--replay', file]);
			expect(result.code).toBe(2);
			expect(result.stdout).toBe('');
			const lines = result.stderr.trim().split('\n');
			expect(lines).toHaveLength(1);
			expect(lines[0]).toBe(`rlm-tui: ${file} is not an RLM trajectory (no metadata or iteration lines). ${lines[0]!.slice(lines[0]!.indexOf('--replay takes'))}`);
			expect(lines[0]).toMatch(/--replay takes a trajectory log \(\.jsonl\): every run writes one to .*trajectories \(or --log-dir\), and --resume reopens the last session from there\.$/);
			rmSync(file);
		}
	});
});
