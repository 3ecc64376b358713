// A relative XDG base directory variable is ignored (the spec calls it invalid): no cache, log
// or settings folder appears under the folder a run starts in.
import {existsSync, mkdtempSync, readdirSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {dropRelativeXdgPaths} from '../../source/cli/xdg-env.js';
import {cleanEnv, runCli} from '../support/run-cli.js';

describe('XDG base directory variables', () => {
	it('a relative value is dropped, an absolute one kept', () => {
		const env: NodeJS.ProcessEnv = {XDG_CACHE_HOME: 'relcache', XDG_CONFIG_HOME: '/abs/config', XDG_STATE_HOME: './state', XDG_RUNTIME_DIR: 'run', HOME: 'relhome'};
		dropRelativeXdgPaths(env);
		expect(env).toEqual({XDG_CONFIG_HOME: '/abs/config', HOME: 'relhome'});
	});

	it('a headless run with relative XDG_CACHE_HOME and XDG_STATE_HOME writes nothing under its working folder', async () => {
		const cwd = mkdtempSync(join(tmpdir(), 'rlm-xdg-cwd-'));
		const home = mkdtempSync(join(tmpdir(), 'rlm-xdg-home-'));
		const result = await runCli(['-b', 'demo', '-p', 'The cat sat on the mat.'], {cwd, env: cleanEnv({HOME: home, XDG_CACHE_HOME: 'relcache', XDG_STATE_HOME: 'relstate'})});
		expect(result.code).toBe(0);
		expect(readdirSync(cwd)).toEqual([]);
		expect(existsSync(join(home, '.cache', 'rlm-tui'))).toBe(true);
	});
});
