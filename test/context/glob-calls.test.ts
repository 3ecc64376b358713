// How much file-system work a glob does per match, counted (not timed): the walk's folder listings
// already say which entries are files and which are links, so a plain file costs no lstat of its
// own; only a broken link (listed with its own stats so that it can be reported) is lstat'ed.
import {mkdirSync, mkdtempSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {beforeEach, describe, expect, it, vi} from 'vitest';

const calls = vi.hoisted(() => ({lstat: 0}));

vi.mock('node:fs', async (importOriginal) => {
	const fs = await importOriginal<typeof import('node:fs')>();
	const lstat = ((...args: Parameters<typeof fs.lstat>) => {
		calls.lstat++;
		return (fs.lstat as (...rest: unknown[]) => void)(...args);
	}) as typeof fs.lstat;
	return {...fs, default: {...fs, lstat}, lstat};
});
vi.mock('node:fs/promises', async (importOriginal) => {
	const fs = await importOriginal<typeof import('node:fs/promises')>();
	const lstat = ((...args: Parameters<typeof fs.lstat>) => {
		calls.lstat++;
		return fs.lstat(...args);
	}) as typeof fs.lstat;
	return {...fs, default: {...fs, lstat}, lstat};
});

const {expandGlob} = await import('../../source/context/glob.js');

beforeEach(() => {
	calls.lstat = 0;
});

function docs(count: number): string {
	const root = mkdtempSync(join(tmpdir(), 'rlm-glob-calls-'));
	mkdirSync(join(root, 'docs/sub'), {recursive: true});
	for (let index = 0; index < count; index++) writeFileSync(join(root, index % 2 ? 'docs/sub' : 'docs', `${index}.md`), `# ${index}`);
	return root;
}

describe('lstat calls of a glob', () => {
	it('none for 40 plain files and a link inside (the walk knows their types)', async () => {
		const root = docs(40);
		symlinkSync('0.md', join(root, 'docs/alias.md'));
		const found = await expandGlob('docs/**/*.md', root);
		expect(found.files).toHaveLength(41);
		expect(found.skipped).toEqual([]);
		expect(calls.lstat).toBe(0);
	});

	it('one for a broken link, which is reported', async () => {
		const root = docs(10);
		symlinkSync('gone.md', join(root, 'docs/old.md'));
		const found = await expandGlob('docs/**/*.md', root);
		expect(found.files).toHaveLength(10);
		expect(found.skipped).toEqual([{name: 'docs/old.md', reason: 'broken link'}]);
		expect(calls.lstat).toBe(1);
	});
});
