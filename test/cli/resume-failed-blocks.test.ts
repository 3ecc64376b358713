// --resume rebuilds the REPL the live session had: a block that raised part-way is re-run (what it
// set before raising is back), a block its timeout stopped is not (it is named on stderr).
// The built CLI, the fake LLM server and the real sandbox.
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {fakeLlmServerForFile, rootModelFlags} from '../support/fake-llm-for-file.js';
import {repl, scripted} from '../support/rlm-script.js';
import {runCli} from '../support/run-cli.js';

const llm = fakeLlmServerForFile({models: ['root-model']});

const model = () => rootModelFlags(llm());

describe('--resume and blocks that did not finish', () => {
	it('brings back what a raising block set, and says which stopped blocks it did not re-run', async () => {
		const logDir = mkdtempSync(join(tmpdir(), 'rlm-resume-failed-'));
		llm().setResponder(
			scripted({
				root: ({turn}) =>
					turn === 0 ? repl('a = 5\nprint("a set")\n1/0') : turn === 1 ? repl('b = 1\nwhile True:\n    pass') : repl('llm_output("done")'),
			}),
		);
		const first = await runCli([...model(), '--log-dir', logDir, '--timeout', '2', '-p', 'q1']);
		expect(first.stdout.trim()).toBe('done');

		llm().setResponder(scripted({root: () => repl('llm_output(f"a={globals().get(\'a\')} b={globals().get(\'b\')}")')}));
		const result = await runCli([...model(), '--resume', '--log-dir', logDir, '-p', 'q2']);
		expect(result.code).toBe(0);
		expect(result.stdout.trim()).toBe('a=5 b=None');
		expect(result.stderr).toMatch(/rlm-tui: resumed 1 turn\(s\) of the session of \d{4}-\d\d-\d\d \d\d:\d\d UTC \(last asked: "q1"\), re-ran 2 block\(s\); variables: a/);
		expect(result.stderr).toContain('rlm-tui: 1 block(s) were not re-run (1 timed out)');
		expect(result.stderr).not.toContain('another error than logged');
	});
});
