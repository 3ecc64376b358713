// Packaging, as a user meets it: a clean clone's `npm install` leaves a runnable dist/ (the
// prepare script builds it), `npm pack` makes a tarball with only what the package needs, and
// that tarball installed into a temporary prefix gives a working `rlm-tui`: --version and a demo
// answer (the sandbox included). Slow (a clone, two installs, a build): CI runs it with the rest.
import {spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'rlm-pack-'));
const {version} = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {version: string};

// Two installs' node_modules: removing them takes a while on a loaded machine.
afterAll(() => rmSync(work, {recursive: true, force: true}), 300_000);

/** Runs a command; on failure the error carries its output. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
	const result = spawnSync(command, args, {cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024});
	if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
	return result.stdout;
}

describe('the package', () => {
	it('builds on install in a clean clone, packs only what it needs, and installs a working CLI', () => {
		const clone = join(work, 'clone');
		run('git', ['clone', '--quiet', '--no-hardlinks', root, clone], work);
		run('npm', ['install', '--no-audit', '--no-fund'], clone);
		expect(existsSync(join(clone, 'dist', 'cli.js'))).toBe(true);
		expect(run(process.execPath, ['dist/cli.js', '--version'], clone).trim()).toBe(version);

		const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], clone)) as Array<{filename: string; files: Array<{path: string}>}>;
		const files = packed[0]!.files.map((file) => file.path);
		expect(files).toContain('dist/cli.js');
		expect(files).toContain('dist/index.js');
		expect(files).toContain('dist/index.d.ts');
		expect(files).toContain('dist/sandbox/host.js');
		expect(files).toContain('dist/sandbox/prelude.py');
		expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
		expect(files.filter((file) => file.startsWith('source/') || file.startsWith('test/') || file.endsWith('.tsbuildinfo'))).toEqual([]);

		const prefix = join(work, 'prefix');
		run('npm', ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', join(work, packed[0]!.filename)], work);
		const bin = join(prefix, 'bin', 'rlm-tui');
		const env = {...process.env, XDG_CONFIG_HOME: join(work, 'config'), RLM_DEMO_DELAY_MS: '0'};
		expect(run(bin, ['--version'], work, env).trim()).toBe(version);
		const answer = run(bin, ['-b', 'demo', '--log-dir', join(work, 'logs'), '-p', 'The cat sat on the mat. The dog sat too.'], work, env);
		expect(answer).toContain('Demo answer');
		expect(answer).toMatch(/\*\*10 words\*\*/);
		// The library: an ES module import works; require() works where Node can require ES modules
		// (20.19+, through the `default` condition) and otherwise gets Node's clear ES-module error.
		const installed = join(prefix, 'lib', 'node_modules', 'rlm-tui');
		expect(run(process.execPath, ['--input-type=module', '-e', `import {Rlm} from ${JSON.stringify(installed + '/dist/index.js')}; console.log(typeof Rlm)`], work).trim()).toBe('function');
		const required = spawnSync(process.execPath, ['-e', 'console.log(typeof require("rlm-tui").Rlm)'], {cwd: join(prefix, 'lib'), encoding: 'utf8'});
		if (required.status === 0) expect(required.stdout.trim()).toBe('function');
		else expect(required.stderr).toMatch(/ERR_REQUIRE_ESM/);
	}, 900_000);
});
