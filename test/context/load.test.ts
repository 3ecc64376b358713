// Loading contexts from real files and folders: .gitignore as git applies it, binaries skipped and
// reported, the size cap, globs, stdin, JSON and JSON Lines, several paths in one dict.
import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {AllowedFolders, ContextLoadError, formatBytes, loadContext, parseByteSize, skippedLine} from '../../source/context/index.js';

/** Writes files (path -> text or bytes) under a fresh folder and returns it. */
function tree(files: Record<string, string | Buffer>): string {
	const root = mkdtempSync(join(tmpdir(), 'rlm-context-'));
	for (const [path, content] of Object.entries(files)) {
		mkdirSync(dirname(join(root, path)), {recursive: true});
		writeFileSync(join(root, path), content);
	}
	return root;
}

const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 1, 2, 3]);

async function loadError(specs: string[], options: Parameters<typeof loadContext>[1]): Promise<string> {
	try {
		await loadContext(specs, options);
	} catch (error) {
		expect(error).toBeInstanceOf(ContextLoadError);
		const message = (error as Error).message;
		expect(message.split('\n')).toHaveLength(1);
		return message;
	}
	throw new Error('expected the load to fail');
}

describe('a folder', () => {
	it('is a dict of relative path -> text, in name order, honouring .gitignore at every level', async () => {
		const root = tree({
			'.gitignore': 'build/\n*.log\n!keep.log\n',
			'README.md': '# readme',
			'app.log': 'noise',
			'keep.log': 'kept',
			'build/out.js': 'compiled',
			'src/main.ts': 'main',
			'src/.gitignore': 'secret.txt\ngenerated/\n',
			'src/secret.txt': 'hidden',
			'src/generated/x.ts': 'gen',
			'src/deep/.gitignore': '!*.log\n',
			'src/deep/trace.log': 'deep log',
			'src/deep/note.md': 'note',
		});
		const loaded = await loadContext([root]);
		expect(loaded.context).toEqual({
			'.gitignore': 'build/\n*.log\n!keep.log\n',
			'README.md': '# readme',
			'keep.log': 'kept',
			'src/.gitignore': 'secret.txt\ngenerated/\n',
			'src/deep/.gitignore': '!*.log\n',
			'src/deep/note.md': 'note',
			// A deeper .gitignore re-includes what a higher one ignored, as in git.
			'src/deep/trace.log': 'deep log',
			'src/main.ts': 'main',
		});
		expect(Object.keys(loaded.context)).toEqual(Object.keys(loaded.context).sort());
		expect(loaded.files).toBe(8);
		expect(loaded.skipped).toEqual([]);
	});

	it('agrees with git itself on which files count', async () => {
		const root = tree({
			'.gitignore': '*.tmp\n/top-only.txt\ndocs/**/draft-*\n',
			'top-only.txt': 'a',
			'sub/top-only.txt': 'b',
			'x.tmp': 'c',
			'docs/a/draft-1.md': 'd',
			'docs/a/final.md': 'e',
			'sub/.gitignore': '!x.tmp\n*.md\n',
			'sub/x.tmp': 'f',
			'sub/y.md': 'g',
		});
		execFileSync('git', ['init', '-q', root]);
		const listed = execFileSync('git', ['ls-files', '--others', '--exclude-standard'], {cwd: root, encoding: 'utf8'}).trim().split('\n').sort();
		const loaded = await loadContext([root]);
		expect(Object.keys(loaded.context).sort()).toEqual(listed);
	});

	it('skips .git/ and node_modules/ wherever they are', async () => {
		const root = tree({'a.txt': 'a', '.git/config': 'cfg', 'node_modules/pkg/index.js': 'x', 'sub/node_modules/y.js': 'y', 'sub/b.txt': 'b'});
		expect(Object.keys((await loadContext([root])).context)).toEqual(['a.txt', 'sub/b.txt']);
	});

	it('applies the repository\'s .gitignore above it, unless that ignores the folder named', async () => {
		const root = tree({'.git/HEAD': 'ref', '.gitignore': '*.log\nbuild/\n', 'pkg/a.txt': 'a', 'pkg/b.log': 'b', 'build/out.txt': 'o', 'build/trace.log': 't'});
		expect(Object.keys((await loadContext([join(root, 'pkg')])).context)).toEqual(['a.txt']);
		// build/ is ignored, but the user named it: its files load (and nothing else applies).
		expect(Object.keys((await loadContext([join(root, 'build')])).context)).toEqual(['out.txt', 'trace.log']);
	});

	it('skips binaries, links to folders and pipes, and reports them with a few names', async () => {
		const root = tree({'a.txt': 'text', 'img1.png': binary, 'img2.png': binary, 'img3.png': binary, 'img4.png': binary, 'target/x.txt': 'x'});
		symlinkSync(join(root, 'target'), join(root, 'link'));
		symlinkSync(join(root, 'a.txt'), join(root, 'a-link.txt'));
		execFileSync('mkfifo', [join(root, 'pipe')]);
		const loaded = await loadContext([root]);
		expect(Object.keys(loaded.context)).toEqual(['a-link.txt', 'a.txt', 'target/x.txt']);
		expect(loaded.skipped).toHaveLength(6);
		const line = skippedLine(loaded.skipped);
		expect(line).toBe('skipped 6 files: 1 link to a folder (link), 1 not a regular file (pipe), 4 binary (img1.png, img2.png, img3.png, +1 more)');
	});

	it('stops at the size cap with one line naming the cap and the flag, before reading past it', async () => {
		const root = tree({'a.txt': 'a'.repeat(600), 'b.txt': 'b'.repeat(600), 'c.png': Buffer.concat([binary, Buffer.alloc(5000)])});
		const message = await loadError([root], {maxBytes: 1000});
		expect(message).toMatch(/more than the 1000 B cap/);
		expect(message).toMatch(/--max-context-bytes/);
		// Binaries do not count: under the cap the text loads.
		expect(Object.keys((await loadContext([root], {maxBytes: 1200})).context)).toEqual(['a.txt', 'b.txt']);
	});

	it('says when it holds nothing to load', async () => {
		const root = tree({'.gitignore': '*\n', 'a.txt': 'a'});
		expect(await loadError([root], {})).toMatch(/has no files \(after \.gitignore/);
		const binaries = tree({'a.bin': binary});
		expect(await loadError([binaries], {})).toMatch(/has no text files \(1 skipped/);
	});
});

describe('a glob', () => {
	it('matches what the shell would not expand, keyed as the pattern spells it, honouring .gitignore', async () => {
		const root = tree({'.gitignore': 'docs/private/\n', 'docs/a.md': 'A', 'docs/sub/b.md': 'B', 'docs/c.txt': 'C', 'docs/private/p.md': 'P', 'docs/.hidden.md': 'H', 'node_modules/m.md': 'M'});
		const loaded = await loadContext(['docs/**/*.md'], {cwd: root});
		expect(loaded.context).toEqual({'docs/a.md': 'A', 'docs/sub/b.md': 'B'});
		expect(loaded.label).toBe('docs/**/*.md');
		expect(Object.keys((await loadContext(['**/*.md'], {cwd: root})).context)).toEqual(['docs/a.md', 'docs/sub/b.md']);
		expect(Object.keys((await loadContext(['node_modules/*.md'], {cwd: root})).context)).toEqual(['node_modules/m.md']);
		expect(Object.keys((await loadContext([`${root}/docs/*.md`])).context)).toEqual([`${root}/docs/a.md`]);
	});

	it('reports a broken link it matches in the skipped line, as a folder walk does; one it does not match is not named', async () => {
		const root = tree({'docs/a.md': 'A', 'docs/sub/b.md': 'B'});
		symlinkSync('gone.md', join(root, 'docs/old.md'));
		symlinkSync('../nowhere.md', join(root, 'docs/sub/moved.md'));
		symlinkSync('loop.md', join(root, 'docs/loop.md'));
		symlinkSync('gone.txt', join(root, 'docs/notes.txt'));
		const loaded = await loadContext(['docs/**/*.md'], {cwd: root});
		expect(loaded.context).toEqual({'docs/a.md': 'A', 'docs/sub/b.md': 'B'});
		expect(skippedLine(loaded.skipped)).toBe('skipped 3 files: 3 broken links (docs/loop.md, docs/old.md, docs/sub/moved.md)');
		expect(skippedLine((await loadContext(['docs'], {cwd: root})).skipped)).toBe('skipped 4 files: 4 broken links (loop.md, notes.txt, old.md, +1 more)');
		expect(await loadError(['docs/*.txt'], {cwd: root})).toBe('glob docs/*.txt has nothing to load: skipped 1 file: 1 broken link (docs/notes.txt)');
	});

	it('that matches nothing is an error; a file whose name looks like a glob is just a file', async () => {
		const root = tree({'a[1].txt': 'one'});
		expect(await loadError(['*.md'], {cwd: root})).toMatch(/glob \*\.md matched no files/);
		expect((await loadContext(['a[1].txt'], {cwd: root})).context).toBe('one');
	});
});

describe('files, stdin and several paths', () => {
	it('one file is a str; a missing or binary one is a one-line error', async () => {
		const root = tree({'notes.txt': 'some notes', 'blob.bin': binary});
		const loaded = await loadContext(['notes.txt'], {cwd: root});
		expect(loaded).toMatchObject({context: 'some notes', label: 'notes.txt', files: 1, bytes: 10});
		expect(await loadError(['missing.txt'], {cwd: root})).toBe('Context file not found: missing.txt');
		expect(await loadError(['blob.bin'], {cwd: root})).toMatch(/looks binary/);
	});

	it('- reads stdin through the reader it is given, and says when nothing came', async () => {
		expect((await loadContext(['-'], {readStdin: async () => 'piped text'})).context).toBe('piped text');
		expect(await loadError(['-'], {readStdin: async () => undefined})).toMatch(/nothing came/);
		expect(await loadError(['-'], {})).toMatch(/stdin, which is not available here/);
	});

	it('several paths give one dict: files by name, folders by their path, globs as matched, stdin as "stdin"', async () => {
		const root = tree({'notes.txt': 'n', 'other/notes.txt': 'm', 'src/a.ts': 'a', 'docs/x.md': 'x', 'docs/y.md': 'y'});
		const loaded = await loadContext(['notes.txt', 'other/notes.txt', 'src/', 'docs/*.md', '-', 'src/a.ts'], {cwd: root, readStdin: async () => 'in'});
		expect(loaded.context).toEqual({'notes.txt': 'n', 'other/notes.txt': 'm', 'src/a.ts': 'a', 'docs/x.md': 'x', 'docs/y.md': 'y', stdin: 'in'});
		expect(loaded.label).toBe('6 files');
		expect(loaded.files).toBe(6);
	});

	it('never drops a file whose key another would take: files sharing a base name are keyed by path', async () => {
		const root = tree({'README.md': 'top', 'docs2/README.md': 'nested', 'docs3/README.md': 'third', 'docs/a.md': 'a', 'notes/README.md': 'in folder'});
		const keysOf = async (specs: string[]) => (await loadContext(specs, {cwd: root, readStdin: async () => 'in'})).context;
		// The tryout's case: the nested file first, then the top-level one whose path is the first's base name.
		expect(await keysOf(['docs2/README.md', 'README.md'])).toEqual({'docs2/README.md': 'nested', 'README.md': 'top'});
		expect(await keysOf(['README.md', 'docs2/README.md'])).toEqual({'README.md': 'top', 'docs2/README.md': 'nested'});
		expect(await keysOf(['docs2/README.md', 'docs3/README.md', 'README.md'])).toEqual({'docs2/README.md': 'nested', 'docs3/README.md': 'third', 'README.md': 'top'});
		// A glob's match and a file of the same base name, either order.
		expect(await keysOf(['*.md', 'docs2/README.md'])).toEqual({'README.md': 'top', 'docs2/README.md': 'nested'});
		expect(await keysOf(['docs2/README.md', '*.md'])).toEqual({'docs2/README.md': 'nested', 'README.md': 'top'});
		// A folder and a file.
		expect(await keysOf(['notes/', 'docs2/README.md', 'README.md'])).toEqual({'notes/README.md': 'in folder', 'docs2/README.md': 'nested', 'README.md': 'top'});
		// A file named like stdin's key.
		writeFileSync(join(root, 'stdin'), 'file');
		expect(await keysOf(['-', 'stdin'])).toEqual({'<stdin>': 'in', stdin: 'file'});
		// Every file read is in the dict.
		for (const specs of [['docs2/README.md', 'README.md'], ['docs2/README.md', '*.md', 'docs3/README.md'], ['notes/', 'README.md', 'docs2/README.md']]) {
			const loaded = await loadContext(specs, {cwd: root});
			expect(Object.keys(loaded.context as object)).toHaveLength(loaded.files);
		}
	});
});

describe('--context-format json', () => {
	it('parses a .json file, a .jsonl file as a list, and stdin as either', async () => {
		const root = tree({'data.json': '{"a": [1, 2.5, null, true], "b": "x"}', 'rows.jsonl': '{"n": 1}\n\n{"n": 2}\n', 'other.txt': '[3, 4]'});
		expect((await loadContext(['data.json'], {cwd: root, format: 'json'})).context).toEqual({a: [1, 2.5, null, true], b: 'x'});
		expect((await loadContext(['rows.jsonl'], {cwd: root, format: 'json'})).context).toEqual([{n: 1}, {n: 2}]);
		expect((await loadContext(['other.txt'], {cwd: root, format: 'json'})).context).toEqual([3, 4]);
		expect((await loadContext(['-'], {format: 'json', readStdin: async () => '{"k": 1}'})).context).toEqual({k: 1});
		expect((await loadContext(['-'], {format: 'json', readStdin: async () => '{"k": 1}\n{"k": 2}\n'})).context).toEqual([{k: 1}, {k: 2}]);
		// Without the flag, JSON files are text.
		expect((await loadContext(['data.json'], {cwd: root})).context).toBe('{"a": [1, 2.5, null, true], "b": "x"}');
	});

	it('in a folder parses the JSON files and keeps the rest as text', async () => {
		const root = tree({'a.json': '{"x": 1}', 'b.ndjson': '1\n2\n', 'c.md': '# c'});
		expect((await loadContext([root], {format: 'json'})).context).toEqual({'a.json': {x: 1}, 'b.ndjson': [1, 2], 'c.md': '# c'});
	});

	it('names the file and line of invalid JSON, and refuses a bare null', async () => {
		const root = tree({'bad.json': '{"a": }', 'bad.jsonl': '{"ok": 1}\n{"broken": \n', 'null.json': 'null'});
		expect(await loadError(['bad.json'], {cwd: root, format: 'json'})).toMatch(/^bad\.json is not valid JSON: /);
		expect(await loadError(['bad.jsonl'], {cwd: root, format: 'json'})).toMatch(/^bad\.jsonl line 2 is not valid JSON: /);
		expect(await loadError(['null.json'], {cwd: root, format: 'json'})).toMatch(/holds JSON null/);
	});
});

describe('sizes', () => {
	it('reads the sizes people write, and refuses the rest naming the flag', () => {
		expect(parseByteSize('1048576')).toBe(1048576);
		expect(parseByteSize('200M')).toBe(200 * 1024 * 1024);
		expect(parseByteSize('1.5G')).toBe(1.5 * 1024 ** 3);
		expect(parseByteSize('64KiB')).toBe(65536);
		for (const bad of ['', 'lots', '-5', '0', '10x']) expect(() => parseByteSize(bad)).toThrow(/--max-context-bytes needs a size in bytes/);
		expect([formatBytes(10), formatBytes(1536), formatBytes(100 * 1024 * 1024)]).toEqual(['10 B', '1.5 KiB', '100 MiB']);
	});
});

describe('only inside allowed folders (links resolved)', () => {
	const setup = async () => {
		const outside = tree({'secret.txt': 'the secret', 'notes/a.md': 'outside a'});
		const root = tree({'inside.txt': 'inside text', 'docs/guide.md': '# guide'});
		symlinkSync(join(outside, 'secret.txt'), join(root, 'docs/link.txt'));
		symlinkSync(join(outside, 'secret.txt'), join(root, 'leak.txt'));
		symlinkSync(join(outside, 'notes'), join(root, 'notes-link'));
		return {outside, root, within: await AllowedFolders.of([root])};
	};

	it('reads files, folders and globs inside, and skips a folder member that links outside', async () => {
		const {root, within} = await setup();
		expect((await loadContext(['inside.txt'], {cwd: root, within})).context).toBe('inside text');
		const docs = await loadContext(['docs'], {cwd: root, within});
		expect(docs.context).toEqual({'guide.md': '# guide'});
		expect(skippedLine(docs.skipped)).toBe('skipped 1 file: 1 outside the allowed folders (link.txt)');
		const globbed = await loadContext(['docs/*'], {cwd: root, within});
		expect(globbed.context).toEqual({'docs/guide.md': '# guide'});
		expect(JSON.stringify(globbed)).not.toContain('the secret');
	});

	it('refuses a path outside, relative or absolute, a link leading out, and a glob that starts outside', async () => {
		const {outside, root, within} = await setup();
		for (const spec of [join(outside, 'secret.txt'), '../' + outside.split('/').at(-1) + '/secret.txt', 'leak.txt', 'notes-link', join(outside, 'notes'), `${outside}/**/*.md`, '../*/secret.txt'])
			expect(await loadError([spec], {cwd: root, within})).toMatch(/is outside the folders this server may read \(.+\): name a path inside them$/);
		// Without the option, the same paths load (the CLI reads what its user names).
		expect((await loadContext(['leak.txt'], {cwd: root})).context).toBe('the secret');
	});

	it('says "not found" only for a missing name inside, so nothing outside is probed', async () => {
		const {outside, root, within} = await setup();
		expect(await loadError(['missing.txt'], {cwd: root, within})).toMatch(/not found/);
		expect(await loadError([join(outside, 'missing.txt')], {cwd: root, within})).toMatch(/is outside the folders/);
	});

	it('takes an allowed folder given through a link as the folder it leads to', async () => {
		const {root} = await setup();
		const alias = join(mkdtempSync(join(tmpdir(), 'rlm-alias-')), 'project');
		symlinkSync(root, alias);
		const within = await AllowedFolders.of([alias, join(root, 'does-not-exist')]);
		expect(within.folders).toHaveLength(1);
		expect((await loadContext(['inside.txt'], {cwd: root, within})).context).toBe('inside text');
		expect((await loadContext([join(alias, 'inside.txt')], {within})).context).toBe('inside text');
	});
});
