// Context from where users keep it, through the built CLI, the fake server and the real sandbox:
// folders with .gitignore, binaries skipped and reported, the size cap, quoted globs, `-c -`,
// JSON and JSON Lines as parsed values in Python, and resume with a JSON context.
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, rootRequests, scripted} from '../support/rlm-script.js';
import {runCli} from '../support/run-cli.js';
import {expectOneLineError} from '../support/one-line-error.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model']});
});
afterAll(async () => {
	await server?.close();
});

function tree(files: Record<string, string | Buffer>): string {
	const root = mkdtempSync(join(tmpdir(), 'rlm-cli-context-'));
	for (const [path, content] of Object.entries(files)) {
		mkdirSync(dirname(join(root, path)), {recursive: true});
		writeFileSync(join(root, path), content);
	}
	return root;
}

const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1]);
const model = () => ['-u', server.openaiBaseURL, '-m', 'root-model'];
/** The answer is what Python computes from `context`. */
const answerWith = (code: string) => scripted({root: () => repl(`import json\nllm_output(${code})`)});
const firstUserMessage = () => rootRequests(server.requests)[0]!.messages.find((m) => m.role === 'user')!.content;

/** The root model runs `code` when the question says `word`, else `otherwise`. */
const byQuestion = (word: string, code: string, otherwise: string) =>
	scripted({root: ({request}) => repl(request.messages.some((m) => m.content.includes(word)) ? code : otherwise)});

/** Logs in `logDir` a session whose one turn measured the context `file` (in `root`) into Python
 * variables `n` and `head`; the next turns answer `n:head` (None where they are missing). */
async function logMeasured(root: string, file: string, logDir: string): Promise<void> {
	server.setResponder(byQuestion('measure', 'n = len(context)\nhead = context[:4]\nllm_output("noted")', 'llm_output(f"{globals().get(\'n\')}:{globals().get(\'head\')}")'));
	expect((await runCli([...model(), '-c', file, '--log-dir', logDir, '-p', 'measure it'], {cwd: root})).stdout.trim()).toBe('noted');
}

describe('-c with folders, globs and stdin', () => {
	it('-c DIR gives Python a dict of relative path -> text, honouring nested .gitignore files; skipped binaries are one stderr line', async () => {
		const root = tree({
			'.gitignore': 'dist/\n*.log\n',
			'README.md': 'readme',
			'debug.log': 'noise',
			'dist/bundle.js': 'bundle',
			'src/index.ts': 'index',
			'src/.gitignore': 'fixtures/\n',
			'src/fixtures/big.txt': 'fixture',
			'src/logo.png': binary,
			'node_modules/dep/index.js': 'dep',
		});
		server.requests.length = 0;
		server.setResponder(answerWith('json.dumps({k: len(v) for k, v in context.items()})'));
		const result = await runCli([...model(), '-c', root, '-p', 'list the files']);
		expect(result.code).toBe(0);
		expect(JSON.parse(result.stdout)).toEqual({'.gitignore': 12, 'README.md': 6, 'src/.gitignore': 10, 'src/index.ts': 5});
		expectOneLineError(result.stderr, /^rlm-tui: context: skipped 1 file: 1 binary \(src\/logo\.png\)$/);
		expect(firstUserMessage()).toContain('Your context is a dict of 4 documents (33 characters in all), keyed by ".gitignore", "README.md", "src/.gitignore", "src/index.ts".');
	});

	it('a folder over --max-context-bytes is one line naming the cap and the flag, before any model call', async () => {
		const root = tree({'a.txt': 'x'.repeat(2000), 'b.txt': 'y'.repeat(2000)});
		server.requests.length = 0;
		const over = await runCli([...model(), '-c', root, '--max-context-bytes', '3K', '-p', 'q']);
		expect(over.code).toBe(2);
		expectOneLineError(over.stderr, /more than the 3 KiB cap .*raise it with --max-context-bytes/);
		expect(server.requests).toHaveLength(0);
		server.setResponder(answerWith('str(sum(map(len, context.values())))'));
		const raised = await runCli([...model(), '-c', root, '--max-context-bytes', '4K', '-p', 'q']);
		expect(raised.stdout.trim()).toBe('4000');
		expectOneLineError((await runCli([...model(), '-c', root, '--max-context-bytes', 'big', '-p', 'q'])).stderr, /--max-context-bytes needs a size in bytes, e\.g\. 200M or 2G, not "big"/);
	});

	it('a quoted glob loads what it matches; one the shell expanded gets a hint', async () => {
		const root = tree({'docs/a.md': 'A', 'docs/guide/b.md': 'BB', 'docs/c.txt': 'C'});
		server.setResponder(answerWith('json.dumps(context)'));
		const result = await runCli([...model(), '-c', 'docs/**/*.md', '-p', 'q'], {cwd: root});
		expect(result.stderr).toBe('');
		expect(JSON.parse(result.stdout)).toEqual({'docs/a.md': 'A', 'docs/guide/b.md': 'BB'});
		const none = await runCli([...model(), '-c', 'docs/*.rst', '-p', 'q'], {cwd: root});
		expectOneLineError(none.stderr, /glob docs\/\*\.rst matched no files/);
		// What the shell makes of an unquoted docs/*.md: the second file is a stray word.
		const expanded = await runCli([...model(), '-c', 'docs/a.md', 'docs/guide/b.md', '-p', 'q'], {cwd: root});
		expect(expanded.code).toBe(2);
		expectOneLineError(expanded.stderr, /"docs\/guide\/b\.md" is a path, not a command: .*Quote the glob \(-c 'docs\/\*\.md'\)/);
	});

	it('-c - reads the context from stdin; the question is -p', async () => {
		server.setResponder(answerWith('f"{type(context).__name__}:{context.count(chr(10))}:{context.splitlines()[-1]}"'));
		const text = Array.from({length: 5000}, (_, i) => `line ${i}`).join('\n');
		const result = await runCli([...model(), '-c', '-', '-p', 'how many lines?'], {input: text});
		expect(result.stderr).toBe('');
		expect(result.stdout.trim()).toBe('str:4999:line 4999');
		expectOneLineError((await runCli([...model(), '-c', '-'], {input: 'text'})).stderr, /-c - takes the context from stdin, so the question goes in -p/);
		expectOneLineError((await runCli([...model(), '-c', '-', '-p', 'q'], {input: ''})).stderr, /nothing came/);
		expectOneLineError((await runCli([...model(), '-c', '-', '-c', '-', '-p', 'q'], {input: 'text'})).stderr, /-c - can be given once: stdin is read once/);
	});

	it('text piped in beside -c FILE and -p is in the context too, as "stdin", with a note; nothing piped changes nothing', async () => {
		const root = tree({'notes.txt': 'from the file'});
		server.setResponder(answerWith('json.dumps(context if isinstance(context, dict) else {"str": context}, sort_keys=True)'));
		const both = await runCli([...model(), '-c', 'notes.txt', '-p', 'q'], {cwd: root, input: 'from the pipe\n'});
		expect(JSON.parse(both.stdout)).toEqual({'notes.txt': 'from the file', stdin: 'from the pipe\n'});
		expectOneLineError(both.stderr, /note: the piped stdin is in the context too, as "stdin"/);
		const none = await runCli([...model(), '-c', 'notes.txt', '-p', 'q'], {cwd: root, input: ''});
		expect(JSON.parse(none.stdout)).toEqual({str: 'from the file'});
		expect(none.stderr).toBe('');
	});
});

describe('--context-format json', () => {
	it('JSON and JSON Lines files are parsed values in Python; the model is told their type', async () => {
		const root = tree({'data.json': '{"total": 3, "ratio": 0.5, "ok": true, "missing": null, "tags": ["a", "b"]}', 'rows.jsonl': '{"n": 1}\n{"n": 2}\n\n{"n": 3}\n'});
		server.setResponder(answerWith('json.dumps({k: type(v).__name__ for k, v in context.items()}) + " " + json.dumps({k: type(v).__name__ for k, v in context["data.json"].items()}) + " " + str(sum(r["n"] for r in context["rows.jsonl"]))'));
		const both = await runCli([...model(), '-c', 'data.json', '-c', 'rows.jsonl', '--context-format', 'json', '-p', 'q'], {cwd: root});
		expect(both.stderr).toBe('');
		expect(both.stdout.trim()).toBe(
			'{"data.json": "dict", "rows.jsonl": "list"} {"total": "int", "ratio": "float", "ok": "bool", "missing": "NoneType", "tags": "list"} 6',
		);
		server.requests.length = 0;
		server.setResponder(answerWith('f"{type(context).__name__} {len(context)} {context[2][\'n\']}"'));
		const rows = await runCli([...model(), '-c', 'rows.jsonl', '--context-format', 'json', '-p', 'q'], {cwd: root});
		expect(rows.stdout.trim()).toBe('list 3 3');
		expect(firstUserMessage()).toMatch(/Your context is a list of 3 items parsed from JSON/);
		server.setResponder(answerWith('type(context).__name__'));
		const piped = await runCli([...model(), '-c', '-', '--context-format', 'json', '-p', 'q'], {input: '[1, 2]'});
		expect(piped.stdout.trim()).toBe('list');
		const text = await runCli([...model(), '-c', 'data.json', '-p', 'q'], {cwd: root});
		expect(text.stdout.trim()).toBe('str');
	});

	it('invalid JSON and an unknown format are one line each', async () => {
		const root = tree({'bad.jsonl': '{"n": 1}\n{"n": \n'});
		expectOneLineError((await runCli([...model(), '-c', 'bad.jsonl', '--context-format', 'json', '-p', 'q'], {cwd: root})).stderr, /bad\.jsonl line 2 is not valid JSON/);
		expectOneLineError((await runCli([...model(), '-c', 'bad.jsonl', '--context-format', 'yaml', '-p', 'q'], {cwd: root})).stderr, /--context-format needs text or json, not "yaml"/);
	});

	it('a JSON context is logged and comes back with --resume', async () => {
		const root = tree({'rows.jsonl': '{"n": 1}\n{"n": 2}\n'});
		const logDir = join(root, 'logs');
		server.setResponder(byQuestion('remember', 'total = sum(r["n"] for r in context)\nllm_output("noted")', 'llm_output(f"{type(context).__name__}:{total}:{context[-1][\'n\']}")'));
		const first = await runCli([...model(), '-c', 'rows.jsonl', '--context-format', 'json', '--log-dir', logDir, '-p', 'remember the total'], {cwd: root});
		expect(first.stdout.trim()).toBe('noted');
		const second = await runCli([...model(), '--resume', '--log-dir', logDir, '-p', 'what was it?'], {cwd: root});
		expect(second.code).toBe(0);
		expect(second.stdout.trim()).toBe('list:3:2');
	});

	it('a context too big to log comes back from -c on --resume only when it matches the logged type, size and fingerprint; else its code is not re-run and the user is told', async () => {
		// Over the 1,000,000 characters a log keeps (trajectory/jsonl-log.ts maxLoggedContextChars).
		const big = `${'word '.repeat(250_001)}end`;
		// Another text of the same type and size: only the fingerprint tells them apart.
		const root = tree({'big.txt': big, 'other.txt': `${big}!`, 'same-size.txt': `${'wore '.repeat(250_001)}end`});
		const logDir = join(root, 'logs');
		await logMeasured(root, 'big.txt', logDir);

		const same = await runCli([...model(), '--resume', '-c', 'big.txt', '--log-dir', logDir, '-p', 'what was it?'], {cwd: root});
		expect(same.code).toBe(0);
		expect(same.stdout.trim()).toBe(`${big.length}:word`);
		expect(same.stderr).toMatch(/1 turn\(s\) had a context too big to log: their code was re-run against the context given now/);

		// Without it, or with another text, nothing stands in for it: no variable made from the question.
		for (const args of [[], ['-c', 'other.txt'], ['-c', 'same-size.txt']]) {
			const missing = await runCli([...model(), '--resume', ...args, '--log-dir', logDir, '-p', 'what was it?'], {cwd: root});
			expect(missing.stdout.trim()).toBe('None:None');
			// Every turn so far had that context (the resumed ones log into the same session).
			const why = args.length ? 'the context given now does not match its logged type, size and fingerprint' : 'no context was given now';
			expect(missing.stderr).toContain(`turn(s) had a context too big to log, and ${why}: their code was not re-run`);
			expect(missing.stderr).not.toMatch(/re-run against the context given now/);
		}
	});

	it('a log from before code points were counted (a size in UTF-16 units, no unit named) matches a context with emoji on --resume; a log that names its unit is held to it', async () => {
		// Over the 1,000,000 characters a log keeps; each emoji is 2 UTF-16 units and 1 code point.
		const big = `${'😀 '.repeat(500_001)}end`;
		const codePoints = [...big].length;
		expect(codePoints).toBeLessThan(big.length);
		const root = tree({'emoji.txt': big});
		const logDir = join(root, 'logs');
		await logMeasured(root, 'emoji.txt', logDir);
		const [name, ...others] = readdirSync(logDir).filter((file) => file.endsWith('.jsonl'));
		expect(others).toEqual([]);
		const [metadataLine, ...rest] = readFileSync(join(logDir, name), 'utf8').split('\n');
		const metadata = JSON.parse(metadataLine) as {rlm_tui: {context: {chars: number}; context_char_unit?: string; context_text?: unknown}};
		// A new log counts code points and says so; the context is too big to be kept in it.
		expect(metadata.rlm_tui).toMatchObject({context: {type: 'str', chars: codePoints}, context_char_unit: 'code_point'});
		expect(metadata.rlm_tui.context_text).toBeUndefined();

		/** The session's log, its metadata changed, alone in a folder of its own. */
		const logWith = (change: (rlmTui: typeof metadata.rlm_tui) => void): string => {
			const dir = mkdtempSync(join(root, 'logs-'));
			const changed = structuredClone(metadata);
			change(changed.rlm_tui);
			writeFileSync(join(dir, name), [JSON.stringify(changed), ...rest].join('\n'));
			return dir;
		};
		const resume = (dir: string) => runCli([...model(), '--resume', '-c', 'emoji.txt', '--log-dir', dir, '-p', 'what was it?'], {cwd: root});

		// As logs before 2026-12-02 have it: the size in UTF-16 units, and no unit named.
		const old = await resume(
			logWith((rlmTui) => {
				rlmTui.context.chars = big.length;
				delete rlmTui.context_char_unit;
			}),
		);
		expect(old.code).toBe(0);
		expect(old.stdout.trim()).toBe(`${codePoints}:😀 😀`);
		expect(old.stderr).toMatch(/1 turn\(s\) had a context too big to log: their code was re-run against the context given now/);

		// Code points with no unit named (logs of 2026-12-02) match too.
		const unnamed = await resume(logWith((rlmTui) => delete rlmTui.context_char_unit));
		expect(unnamed.stdout.trim()).toBe(`${codePoints}:😀 😀`);

		// A log that says it counts code points is not matched by the UTF-16 count.
		const named = await resume(logWith((rlmTui) => void (rlmTui.context.chars = big.length)));
		expect(named.stdout.trim()).toBe('None:None');
		expect(named.stderr).toContain('turn(s) had a context too big to log, and the context given now does not match its logged type, size and fingerprint: their code was not re-run');
	});
});
