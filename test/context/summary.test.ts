// What a loaded context is called where the user sees it: the badge the status line and /context
// alone show, built from a real load.
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {contextBadge, describeBadge, loadContext} from '../../source/context/index.js';

function folder(count: number): string {
	const root = mkdtempSync(join(tmpdir(), 'rlm-summary-'));
	mkdirSync(join(root, 'docs'));
	for (let index = 1; index <= count; index++) writeFileSync(join(root, 'docs', `${String(index).padStart(2, '0')}.md`), `# ${index}`);
	writeFileSync(join(root, 'one.txt'), 'hello');
	return root;
}

describe('describeBadge', () => {
	it('a folder: its shape, size and first five files, then how many more', async () => {
		const root = folder(8);
		const badge = contextBadge(await loadContext(['docs'], {cwd: root}));
		expect(badge.names).toEqual(['01.md', '02.md', '03.md', '04.md', '05.md']);
		expect(describeBadge(badge)).toBe('docs/ (a dict of 8 files, 24 B): 01.md, 02.md, 03.md, 04.md, 05.md and 3 more');
	});

	it('one file: its characters and size, no list', async () => {
		const root = folder(0);
		expect(describeBadge(contextBadge(await loadContext(['one.txt'], {cwd: root})))).toBe('one.txt (5 characters, 5 B)');
	});

	it('a badge without a shape (given by a caller that knows only the counts) says the files', () => {
		expect(describeBadge({label: 'big/', files: 3, bytes: 3 * 1024 * 1024})).toBe('big/ (3 files, 3 MiB)');
	});
});
