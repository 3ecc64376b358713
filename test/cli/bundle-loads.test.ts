// What the bundled command line (dist/cli.js and its chunks in dist/bin) loads in a headless run:
// the chunks a real `-p` run reads (seen by a module loader hook) are mapped back to the sources they
// hold by rebuilding the bundle in memory with esbuild's metafile (the same options, so the same
// chunk names). A mode must not load what only another mode needs: the TUI (Ink, React), serve and
// mcp, conf (only the app writes settings), the SDK of a backend not in use, zod's translations.
import {mkdtempSync, readFileSync, readdirSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {pathToFileURL} from 'node:url';
import {build, type Metafile} from 'esbuild';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, scripted} from '../support/rlm-script.js';
import {cleanEnv, runCli} from '../support/run-cli.js';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'rlm-bundle-loads-'));
let server: FakeLlmServer;
let metafile: Metafile;

beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model']});
	const {bundleOptions} = (await import(pathToFileURL(join(root, 'scripts', 'bundle-options.mjs')).href)) as {bundleOptions: Parameters<typeof build>[0]};
	const result = await build({...bundleOptions, absWorkingDir: root, write: false, metafile: true, logLevel: 'silent'});
	metafile = result.metafile;
});
afterAll(async () => {
	await server?.close();
});

/** The dist files a CLI run loads, in order, recorded by a loader hook given through NODE_OPTIONS;
 * `beforeHostSpawn`: those it loaded before it spawned the sandbox's host (null: it spawned none). */
async function loadedBy(
	args: string[],
	env: Record<string, string> = {},
): Promise<{files: string[]; beforeHostSpawn: string[] | null; code: number | null; stdout: string; stderr: string}> {
	const record = join(dir, `loaded-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`);
	writeFileSync(record, '');
	const hooks = join(dir, 'hooks.mjs');
	const register = join(dir, 'register.mjs');
	writeFileSync(
		hooks,
		`import {appendFileSync} from 'node:fs';\nexport async function load(url, context, next) {\n\tif (url.startsWith('file:')) appendFileSync(process.env.RLM_TEST_LOADED, url + '\\n');\n\treturn next(url, context);\n}\n`,
	);
	// The record also shows when the sandbox's host is spawned, among the loads (in the order they happen).
	writeFileSync(
		register,
		`import {register} from 'node:module';\nimport {appendFileSync} from 'node:fs';\nimport {ChildProcess} from 'node:child_process';\n` +
			`const spawn = ChildProcess.prototype.spawn;\n` +
			`ChildProcess.prototype.spawn = function (options) {\n\tif (options.args.some((arg) => arg.endsWith('host.js'))) appendFileSync(process.env.RLM_TEST_LOADED, 'spawn host\\n');\n\treturn spawn.call(this, options);\n};\n` +
			`register(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
	);
	const result = await runCli(args, {env: cleanEnv({...env, NODE_OPTIONS: `--import=${pathToFileURL(register).href}`, RLM_TEST_LOADED: record})});
	const dist = pathToFileURL(join(root, 'dist')).href + '/';
	const lines = readFileSync(record, 'utf8').split('\n');
	const bundleFiles = (urls: string[]) =>
		urls
			.filter((url) => url.startsWith(dist))
			.map((url) => `dist/${url.slice(dist.length)}`)
			// The bundle's files (dist/sandbox is the host's, read by another process).
			.filter((file) => file === 'dist/cli.js' || file.startsWith('dist/bin/'));
	const spawnAt = lines.indexOf('spawn host');
	return {...result, files: bundleFiles(lines), beforeHostSpawn: spawnAt === -1 ? null : bundleFiles(lines.slice(0, spawnAt))};
}

/** The source files (inputs) bundled into the given outputs. */
function inputsOf(files: string[]): string[] {
	return files.flatMap((file) => {
		const output = metafile.outputs[file];
		if (!output) throw new Error(`${file} is not in the bundle the sources build: dist/ is stale (npm run build)`);
		return Object.keys(output.inputs);
	});
}

describe('the bundle', () => {
	it('is the one the sources build (the chunk names agree)', () => {
		const built = Object.keys(metafile.outputs).filter((file) => file.startsWith('dist/bin/') && file.endsWith('.js'));
		const onDisk = readdirSync(join(root, 'dist', 'bin')).map((name) => `dist/bin/${name}`);
		expect(onDisk.sort()).toEqual(built.sort());
	});

	it('a headless -p run loads the engine and the OpenAI SDK, and nothing of the TUI, serve, mcp, conf, the Anthropic SDK or zod’s translations', async () => {
		server.setResponder(scripted({root: () => repl('llm_output(str(len(context)))')}));
		const run = await loadedBy(['-u', server.openaiBaseURL, '-m', 'root-model', '-p', 'twelve chars']);
		expect(run.stderr).toBe('');
		expect(run.stdout.trim()).toBe('12');
		expect(run.code).toBe(0);
		const inputs = inputsOf(run.files);
		// The mapping sees what the run needs: without these the checks below would prove nothing.
		for (const needed of ['source/cli/headless.ts', 'source/engine/rlm.ts', 'node_modules/openai/', 'node_modules/meow/', 'node_modules/zod/'])
			expect(inputs.some((input) => input.startsWith(needed))).toBe(true);
		const unwanted = [
			/^source\/ui\//,
			/^source\/(server|mcp)\//,
			/node_modules\/(ink|react|react-reconciler|ink-text-input|yoga-layout|cli-highlight)\//,
			/node_modules\/@modelcontextprotocol\//,
			/node_modules\/(conf|ajv|ajv-formats|semver)\//,
			/node_modules\/@anthropic-ai\/sdk\//,
			/node_modules\/zod\/v4\/locales\/(?!en\.js)/,
		];
		const found = inputs.filter((input) => unwanted.some((pattern) => pattern.test(input)));
		expect(found).toEqual([]);
	});

	it('a headless run spawns the sandbox host before it loads the sandbox’s own code, the flags’ parser or the engine', async () => {
		server.setResponder(scripted({root: () => repl('llm_output(str(len(context)))')}));
		const run = await loadedBy(['-u', server.openaiBaseURL, '-m', 'root-model', '-p', 'five!']);
		expect(run.stderr).toBe('');
		expect(run.stdout.trim()).toBe('5');
		expect(run.beforeHostSpawn).not.toBeNull();
		const before = inputsOf(run.beforeHostSpawn!);
		const after = inputsOf(run.files);
		const late = ['source/sandbox/sandbox.ts', 'source/cli/main.ts', 'source/engine/rlm.ts', 'node_modules/meow/', 'node_modules/zod/', 'node_modules/openai/'];
		// All of them load in the run, and none before the host is spawned.
		for (const input of late) expect(after.some((loaded) => loaded.startsWith(input))).toBe(true);
		expect(before.filter((loaded) => late.some((input) => loaded.startsWith(input)))).toEqual([]);
		expect(before).toContain('source/sandbox/early-host.ts');
	});

	it('a run on the Anthropic API loads its SDK and not the OpenAI one', async () => {
		server.setResponder(scripted({root: () => repl('llm_output(str(len(context)))')}));
		const run = await loadedBy(['-b', 'anthropic', '-u', server.anthropicBaseURL, '-m', 'sonnet', '-p', 'nine char'], {ANTHROPIC_API_KEY: 'test-key'});
		expect(run.stderr).toBe('');
		expect(run.stdout.trim()).toBe('9');
		const inputs = inputsOf(run.files);
		expect(inputs.some((input) => input.startsWith('node_modules/@anthropic-ai/sdk/'))).toBe(true);
		expect(inputs.filter((input) => input.startsWith('node_modules/openai/'))).toEqual([]);
	});
});
