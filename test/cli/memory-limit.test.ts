// --memory-limit from the command line: the built CLI against the fake server and the real sandbox.
// A block past the limit gets a MemoryError that names the flag, the model is told, and the run goes
// on; the settings file's memoryLimitMb holds unless the flag is given; bad values are one line.
import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {fakeLlmServerForFile, rootModelFlags} from '../support/fake-llm-for-file.js';
import {repl, rootRequests, scripted} from '../support/rlm-script.js';
import {cleanEnv, runCli} from '../support/run-cli.js';
import {expectOneLineError} from '../support/one-line-error.js';
import {rlmOptionsFrom} from '../../source/cli/headless.js';
import {mcpOptionsFrom} from '../../source/cli/mcp.js';
import {resolveConfig} from '../../source/settings/resolve.js';
import {parseSettings} from '../../source/settings/schema.js';

const server = fakeLlmServerForFile({models: ['root-model']});

const base = () => rootModelFlags(server());

/** 500 MB in Python: past a 300 MB limit, well within the default 1024. */
const hog = 'hog = [bytearray(10**7) for _ in range(50)]\nprint(len(hog))';

/** The root model allocates, then answers with what its feedback said about the block. */
const allocateThenReport = () =>
	scripted({
		root: ({turn, lastUser}) => {
			if (turn === 0) return repl(hog);
			const said = /MemoryError/.test(lastUser) ? 'refused' : /\b50\b/.test(lastUser) ? 'held' : 'unclear';
			return repl(`llm_output("${said}")`);
		},
	});

/** The feedback the root model got after its first block. */
const feedbackAfterBlock = () => {
	const second = rootRequests(server().requests)[1];
	return second ? ([...second.messages].reverse().find((m) => m.role === 'user')?.content ?? '') : '';
};

describe('--memory-limit', () => {
	it('a block past the limit gets a MemoryError naming --memory-limit, and the run goes on to its answer', async () => {
		server().setResponder(allocateThenReport());
		server().requests.splice(0);
		const result = await runCli([...base(), '--memory-limit', '300', '-p', 'allocate']);
		expect(result.stderr).toBe('');
		expect(result.code).toBe(0);
		expect(result.stdout.trim()).toBe('refused');
		const feedback = feedbackAfterBlock();
		expect(feedback).toContain('MemoryError');
		expect(feedback).toContain("The REPL's memory limit is 300 MB (--memory-limit)");
		expect(feedback).not.toContain('memoryLimitMb');
	});

	it('the settings file sets it; the flag wins over it', async () => {
		const env = cleanEnv();
		mkdirSync(join(env.XDG_CONFIG_HOME!, 'rlm-tui'), {recursive: true});
		writeFileSync(join(env.XDG_CONFIG_HOME!, 'rlm-tui', 'settings.json'), JSON.stringify({memoryLimitMb: 300}));
		server().setResponder(allocateThenReport());
		server().requests.splice(0);
		const fromSettings = await runCli([...base(), '-p', 'allocate'], {env});
		expect(fromSettings.stdout.trim()).toBe('refused');
		expect(feedbackAfterBlock()).toContain("The REPL's memory limit is 300 MB (--memory-limit)");
		server().requests.splice(0);
		const fromFlag = await runCli([...base(), '--memory-limit', '1024', '-p', 'allocate'], {env});
		expect(fromFlag.code).toBe(0);
		expect(fromFlag.stdout.trim()).toBe('held');
		expect(feedbackAfterBlock()).not.toContain('MemoryError');
	});

	it('a bad value is one clear line naming the flag and the range, and nothing runs', async () => {
		server().requests.splice(0);
		for (const [args, pattern] of [
			[['--memory-limit', '100'], /Invalid --memory-limit "100": expected a whole number of MB from 256 to 4096/],
			[['--memory-limit', '5000'], /Invalid --memory-limit "5000": expected a whole number of MB from 256 to 4096/],
			[['--memory-limit', '512.5'], /Invalid --memory-limit "512\.5": expected a whole number/],
			[['--memory-limit', '2T'], /--memory-limit needs a number, not "2T"/],
			[['--memory-limit', '8G'], /Invalid --memory-limit "8G" \(8192 MB\): expected a whole number of MB from 256 to 4096/],
			[['--memory-limit'], /--memory-limit needs a number/],
		] as Array<[string[], RegExp]>) {
			const result = await runCli([...base(), ...args, '-p', 'q']);
			expect(result.code).toBe(2);
			expectOneLineError(result.stderr, pattern);
		}
		expect(server().requests).toHaveLength(0);
	});
});

describe('--memory-limit in serve and mcp', () => {
	it("is the server's own: every run's Rlm gets it, with the flag named in the MemoryError; no request field can raise it", async () => {
		const config = resolveConfig({memoryLimit: 600, backend: 'openai', model: 'root-model'}, {}, parseSettings({}));
		// serve builds each request's Rlm from these options (serve.ts), mcp from its `rlm` (runtime.ts).
		expect(rlmOptionsFrom(config)).toMatchObject({memoryLimitMb: 600, memoryLimitName: '--memory-limit'});
		expect(mcpOptionsFrom(config, {}).rlm).toMatchObject({memoryLimitMb: 600, memoryLimitName: '--memory-limit'});
		const {rlmFieldSchema} = await import('../../source/server/request-schema.js');
		// The request's `rlm` caps are strict: a memory field is refused (a 400), not a way past the server's.
		expect(rlmFieldSchema.safeParse({max_iterations: 3}).success).toBe(true);
		expect(rlmFieldSchema.safeParse({memory_limit: 4096}).success).toBe(false);
	});
});
