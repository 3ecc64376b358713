// Symbolic links in a folder or glob given to -c, through the built CLI, the fake server and the
// real sandbox: a link leading out of the folder (a cloned repository's notes.txt -> credentials)
// is skipped and counted in the one stderr line, links inside are read, linked folders are not
// walked (no loops, nothing outside), and a link the user names is read.
import {mkdirSync, mkdtempSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, scripted} from '../support/rlm-script.js';
import {runCli} from '../support/run-cli.js';
import {expectOneLineError} from '../support/one-line-error.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model']});
});
afterAll(async () => {
	await server?.close();
});

function tree(files: Record<string, string>): string {
	const root = mkdtempSync(join(tmpdir(), 'rlm-cli-links-'));
	for (const [path, content] of Object.entries(files)) {
		mkdirSync(dirname(join(root, path)), {recursive: true});
		writeFileSync(join(root, path), content);
	}
	return root;
}

const secret = 'aws_secret_access_key = SECRET-FROM-OUTSIDE';
const model = () => ['-u', server.openaiBaseURL, '-m', 'root-model'];
/** The answer is the context as JSON, whatever its shape. */
const echoContext = () => server.setResponder(scripted({root: () => repl('import json\nllm_output(json.dumps(context))')}));
const sentSecret = () => JSON.stringify(server.requests).includes('SECRET-FROM-OUTSIDE');

/** A repository in `work` with links out (a file and a folder), a link inside, and a loop. */
function linkedRepository() {
	const home = tree({'.aws/credentials': secret, 'notes/a.txt': 'outside note'});
	const work = tree({'repo/readme.md': 'hello', 'repo/docs/guide.txt': 'guide'});
	const repo = join(work, 'repo');
	symlinkSync(join(home, '.aws/credentials'), join(repo, 'notes.txt'));
	symlinkSync(join(home, 'notes'), join(repo, 'outdir'));
	symlinkSync('docs/guide.txt', join(repo, 'alias.txt'));
	symlinkSync('.', join(repo, 'loop'));
	return {work, repo};
}

describe('-c and symbolic links', () => {
	it('-c FOLDER skips links leading out of it, counted in the one stderr line; links inside are read; no loop', async () => {
		const {repo} = linkedRepository();
		server.requests.length = 0;
		echoContext();
		const result = await runCli([...model(), '-c', repo, '-p', 'what is in it?']);
		expect(result.code).toBe(0);
		expect(JSON.parse(result.stdout)).toEqual({'alias.txt': 'guide', 'docs/guide.txt': 'guide', 'readme.md': 'hello'});
		expectOneLineError(result.stderr, /^rlm-tui: context: skipped 3 files: 1 link to a folder \(loop\), 2 links leading out of the folder \(notes\.txt, outdir\)$/);
		expect(sentSecret()).toBe(false);
	});

	it('a glob lists links to files inside its folder like files and skips links out with the reason', async () => {
		const {work} = linkedRepository();
		echoContext();
		const txt = await runCli([...model(), '-c', 'repo/*.txt', '-p', 'q'], {cwd: work});
		expect(JSON.parse(txt.stdout)).toEqual({'repo/alias.txt': 'guide'});
		expectOneLineError(txt.stderr, /^rlm-tui: context: skipped 1 file: 1 link leading out of the folder \(repo\/notes\.txt\)$/);
		// ** does not walk into linked folders: not outside (outdir/a.txt), not round the loop.
		server.requests.length = 0;
		const deep = await runCli([...model(), '-c', 'repo/**/*.txt', '-p', 'q'], {cwd: work});
		expect(JSON.parse(deep.stdout)).toEqual({'repo/alias.txt': 'guide', 'repo/docs/guide.txt': 'guide'});
		expect(JSON.stringify(server.requests)).not.toContain('outside note');
		expect(sentSecret()).toBe(false);
	});

	it('a glob whose only matches are links: read when inside, one line saying why when they lead out', async () => {
		const home = tree({'credentials.txt': secret});
		const work = tree({'inside/real/x.md': 'x', 'outside/README.md': 'r'});
		symlinkSync(join(work, 'inside/real/x.md'), join(work, 'inside/x.txt'));
		symlinkSync(join(home, 'credentials.txt'), join(work, 'outside/notes.txt'));
		echoContext();
		expect(JSON.parse((await runCli([...model(), '-c', 'inside/*.txt', '-p', 'q'], {cwd: work})).stdout)).toEqual({'inside/x.txt': 'x'});
		server.requests.length = 0;
		const out = await runCli([...model(), '-c', 'outside/*.txt', '-p', 'q'], {cwd: work});
		expect(out.code).toBe(2);
		expectOneLineError(out.stderr, /glob outside\/\*\.txt has nothing to load: skipped 1 file: 1 link leading out of the folder \(outside\/notes\.txt\) \(name a linked file itself to read it\)$/);
		expect(server.requests).toHaveLength(0);
	});

	it('a glob that matches a broken link names it in the one skipped line; one whose only match is broken says so and sends nothing', async () => {
		const work = tree({'docs/a.md': 'A', 'docs/sub/b.md': 'B'});
		symlinkSync('moved-away.md', join(work, 'docs/old.md'));
		symlinkSync('gone.txt', join(work, 'docs/notes.txt'));
		echoContext();
		const result = await runCli([...model(), '-c', 'docs/**/*.md', '-p', 'q'], {cwd: work});
		expect(result.code).toBe(0);
		expect(JSON.parse(result.stdout)).toEqual({'docs/a.md': 'A', 'docs/sub/b.md': 'B'});
		expectOneLineError(result.stderr, /^rlm-tui: context: skipped 1 file: 1 broken link \(docs\/old\.md\)$/);
		server.requests.length = 0;
		const only = await runCli([...model(), '-c', 'docs/*.txt', '-p', 'q'], {cwd: work});
		expect(only.code).toBe(2);
		expectOneLineError(only.stderr, /glob docs\/\*\.txt has nothing to load: skipped 1 file: 1 broken link \(docs\/notes\.txt\)$/);
		expect(server.requests).toHaveLength(0);
	});

	it('a link the user names is read wherever it leads', async () => {
		const {repo} = linkedRepository();
		echoContext();
		const named = await runCli([...model(), '-c', join(repo, 'notes.txt'), '-p', 'q']);
		expect(named.stderr).toBe('');
		expect(JSON.parse(named.stdout)).toBe(secret);
	});
});
