// `-c` on a FIFO (a named pipe, a shell's <(cmd)) through the built CLI: read as its writer writes,
// and while no writer has come, the user can still stop the run (opening a FIFO waited for a writer
// where no signal reached, and the process then ignored SIGINT and SIGTERM until SIGKILL).
import {execFileSync, spawn} from 'node:child_process';
import {mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {fakeLlmServerForFile, rootModelFlags} from '../support/fake-llm-for-file.js';
import {repl, scripted} from '../support/rlm-script.js';
import {cleanEnv, cliPath} from '../support/run-cli.js';

const fake = fakeLlmServerForFile();
const dir = mkdtempSync(join(tmpdir(), 'rlm-fifo-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

function fifo(name: string): string {
	const path = join(dir, name);
	execFileSync('mkfifo', [path]);
	return path;
}

/** Whether process `pid` has `path` open (its /proc fd links). */
function holds(pid: number, path: string): boolean {
	try {
		return readdirSync(`/proc/${pid}/fd`).some((fd) => {
			try {
				return readlinkSync(`/proc/${pid}/fd/${fd}`) === path;
			} catch {
				return false;
			}
		});
	} catch {
		return false;
	}
}

function startCli(args: string[]) {
	const child = spawn(process.execPath, [cliPath, ...args], {env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe']});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk) => (stdout += chunk));
	child.stderr.on('data', (chunk) => (stderr += chunk));
	const closed = new Promise<{code: number | null; stdout: string; stderr: string}>((resolve) => child.on('close', (code) => resolve({code, stdout, stderr})));
	return {child, closed};
}

describe('-c FIFO', () => {
	it.each(['SIGTERM', 'SIGINT'] as const)('while no writer has come, %s stops the run', async (signal) => {
		const pipe = fifo(`nobody-${signal}`);
		const {child, closed} = startCli([...rootModelFlags(fake()), '-c', pipe, '-p', 'q']);
		await expect.poll(() => holds(child.pid!, pipe), {timeout: 30_000}).toBe(true);
		child.kill(signal);
		const result = await closed;
		expect(result.code).toBe(signal === 'SIGTERM' ? 143 : 130);
	});

	it('reads what a writer writes once it comes', async () => {
		fake().setResponder(scripted({root: () => repl('import json\nllm_output(json.dumps(context))')}));
		const pipe = fifo('later');
		const {child, closed} = startCli([...rootModelFlags(fake()), '-c', pipe, '-p', 'q']);
		await expect.poll(() => holds(child.pid!, pipe), {timeout: 30_000}).toBe(true);
		writeFileSync(pipe, 'written later\n');
		const result = await closed;
		expect(result.stderr).toBe('');
		expect(result.code).toBe(0);
		expect(JSON.parse(result.stdout)).toBe('written later\n');
	});
});
