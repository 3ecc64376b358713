// `rlm-tui mcp` on the command line: its help, and one clear line for a flag it cannot use.
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {runCli} from '../support/run-cli.js';

const oneLine = (stderr: string) => {
	const lines = stderr.trim().split('\n');
	expect(lines).toHaveLength(1);
	expect(lines[0]).toMatch(/^rlm-tui: /);
	return lines[0]!;
};

describe('rlm-tui mcp on the command line', () => {
	it('`rlm-tui mcp --help` and `rlm-tui help mcp` print its help and start no server', async () => {
		for (const args of [['mcp', '--help'], ['help', 'mcp'], ['mcp', '--http', '-h']]) {
			const result = await runCli(args, {timeoutMs: 20_000});
			expect(result.code, args.join(' ')).toBe(0);
			expect(result.stdout).toContain('rlm-tui mcp: the RLM as an MCP tool');
			for (const flag of ['--http', '--allow-dir', '--max-budget', '--total-tokens', 'claude mcp add']) expect(result.stdout).toContain(flag);
			expect(result.stderr).toBe('');
		}
		expect((await runCli(['--help'])).stdout).toContain('rlm-tui mcp [--http]');
	});

	it('its flags elsewhere, a folder that is not one, and a bad cap are one line each', async () => {
		const file = join(mkdtempSync(join(tmpdir(), 'rlm-mcp-cli-')), 'notes.txt');
		writeFileSync(file, 'x');
		const cases: Array<[string[], RegExp]> = [
			[['--allow-dir', '.', '-p', 'q'], /^rlm-tui: --allow-dir is an option of rlm-tui mcp \(see rlm-tui mcp --help\)$/],
			[['--http'], /^rlm-tui: --http is an option of rlm-tui mcp/],
			// Each mode refuses the flags of the others, rather than start and ignore them.
			[['mcp', '--port', '9999'], /^rlm-tui: --port has no use with rlm-tui mcp: it is an option of rlm-tui mcp --http and rlm-tui serve \(see rlm-tui mcp --help\)$/],
			[['mcp', '--cors', 'http://a.example'], /^rlm-tui: --cors has no use with rlm-tui mcp: it is an option of rlm-tui serve \(see rlm-tui serve --help\)$/],
			[['mcp', '--http', '-p', 'q'], /^rlm-tui: -p\/--prompt has no use with rlm-tui mcp --http: it is an option of rlm-tui without a command \(see rlm-tui --help\)$/],
			[['serve', '-p', 'x'], /^rlm-tui: -p\/--prompt has no use with rlm-tui serve: it is an option of rlm-tui without a command/],
			[['serve', '--http'], /^rlm-tui: --http has no use with rlm-tui serve: it is an option of rlm-tui mcp \(see rlm-tui mcp --help\)$/],
			// Each mode named once: "rlm-tui mcp" says "rlm-tui mcp --http" too.
			[['serve', '--max-context-bytes', '1M'], /^rlm-tui: --max-context-bytes has no use with rlm-tui serve: it is an option of rlm-tui without a command and rlm-tui mcp \(see rlm-tui --help\)$/],
			[['serve', '--json', '-v'], /^rlm-tui: -v\/--verbose has no use with rlm-tui serve/],
			[['serve', '--allow-dir', '.'], /^rlm-tui: --allow-dir has no use with rlm-tui serve/],
			[['mcp', '--allow-dir', file], /--allow-dir .*notes\.txt: not a folder/],
			[['mcp', '--max-budget', '-1'], /Invalid --max-budget "-1": expected a number above 0/],
			[['mcp', '--total-tokens', '2.5'], /Invalid --total-tokens "2\.5": expected a whole number/],
			[['mcp', '--max-tokens', 'lots'], /--max-tokens needs a number, not "lots"/],
		];
		for (const [args, pattern] of cases) {
			const result = await runCli(args, {timeoutMs: 30_000});
			expect(result.code, args.join(' ')).toBe(2);
			expect(oneLine(result.stderr)).toMatch(pattern);
			expect(result.stdout).toBe('');
		}
	});
});
