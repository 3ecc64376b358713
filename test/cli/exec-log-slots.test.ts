// The -e log names the batch slot a child RLM answers, as the tree's row does
// (rlm_query_batched[1]): child runs side by side interleave their lines, and the slot tells which
// prompt each one works on. The built CLI, the fake LLM server and the real sandbox.
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, scripted} from '../support/rlm-script.js';
import {runCli} from '../support/run-cli.js';

let llm: FakeLlmServer;
beforeAll(async () => {
	llm = await startFakeLlmServer({models: ['m']});
});
afterAll(async () => {
	await llm?.close();
});

describe('-e and child RLMs of a batch', () => {
	it('names each child run by its slot, on its first line and its last', async () => {
		llm.setResponder(
			scripted({
				root: ({system, lastUser}) => {
					// The root (depth 0 of 2) may start child RLMs; each child answers for the prompt it got.
					if (system.includes('child RLM with its own REPL')) return repl('r = rlm_query_batched(["slot A", "slot B", "slot C"])\nllm_output(" | ".join(r))');
					const slot = /slot [ABC]/.exec(lastUser)?.[0] ?? 'unknown';
					return repl(`llm_output("${slot} done")`);
				},
			}),
		);
		const result = await runCli(['-u', llm.openaiBaseURL, '-m', 'm', '--max-depth', '2', '--log-dir', mkdtempSync(join(tmpdir(), 'rlm-exec-slots-')), '-e', '-p', 'fan out'], {timeoutMs: 120_000});
		expect(result.stdout.trim()).toBe('slot A done | slot B done | slot C done');
		const lines = result.stderr.split('\n');
		for (const [index, slot] of ['slot A', 'slot B', 'slot C'].entries()) {
			const opened = lines.find((line) => line.includes(`┌ child RLM of rlm_query_batched[${index}] (depth 1, m)`));
			expect(opened, `the first line of slot ${index}'s child`).toBeDefined();
			const id = /\[(\w{4})\] ┌/.exec(opened!)![1]!;
			// The child's own lines carry its id: its code works on that slot's prompt.
			expect(lines).toContainEqual(expect.stringMatching(new RegExp(`\\[${id}\\] ⚡ llm_output\\("${slot} done"\\)`)));
			expect(lines).toContainEqual(expect.stringMatching(new RegExp(`\\[${id}\\] └ rlm_query_batched\\[${index}\\] answered after 1 iteration`)));
		}
	});
});
