// /save and /export write only regular files: a device, a named pipe, a socket or a link to
// nothing is refused in one line that does not offer --force; a link is written through.
import {execFileSync} from 'node:child_process';
import {lstatSync, mkdtempSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import type {CommandContext} from '../../source/ui/commands/command.js';
import {writeSessionFile} from '../../source/ui/commands/write-file.js';

function context(cwd: string) {
	const lines: Array<{kind: string; text: string}> = [];
	const said = {cwd, say: (kind: string, text: string) => lines.push({kind, text})} as unknown as CommandContext;
	return {said, lines};
}

async function write(path: string, force: boolean) {
	const dir = mkdtempSync(join(tmpdir(), 'rlm-write-file-'));
	const {said, lines} = context(dir);
	await writeSessionFile({content: 'new content', format: 'md', path, force}, said);
	expect(lines).toHaveLength(1);
	return lines[0]!;
}

describe('/save and /export over what is not a regular file', () => {
	for (const force of [false, true]) {
		it(`a device is refused${force ? ', --force too' : ''}, in a line that does not offer --force`, async () => {
			const line = await write('/dev/null', force);
			expect(line).toEqual({kind: 'error', text: 'Not saved: /dev/null is a device, not a regular file: name a file.'});
			expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
		});
	}

	it('a named pipe is refused with --force, and stays a pipe', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'rlm-write-file-'));
		const fifo = join(dir, 'pipe.md');
		execFileSync('mkfifo', [fifo]);
		const line = await write(fifo, true);
		expect(line.text).toBe(`Not saved: ${fifo} is a named pipe, not a regular file: name a file.`);
		expect(lstatSync(fifo).isFIFO()).toBe(true);
	});

	it('a socket is refused with --force, and stays a socket', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'rlm-write-file-'));
		const socket = join(dir, 'sock.md');
		const server = createServer();
		await new Promise<void>((resolve) => server.listen(socket, resolve));
		try {
			const line = await write(socket, true);
			expect(line.text).toBe(`Not saved: ${socket} is a socket, not a regular file: name a file.`);
			expect(lstatSync(socket).isSocket()).toBe(true);
		} finally {
			await new Promise((resolve) => server.close(resolve));
		}
	});

	it('a link is written through with --force: the file it points to is replaced (0600), the link stays', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'rlm-write-file-'));
		const target = join(dir, 'kept.md');
		const link = join(dir, 'latest.md');
		writeFileSync(target, 'old', {mode: 0o644});
		symlinkSync(target, link);
		const refused = await write(link, false);
		expect(refused.text).toContain('exists.');
		expect(readFileSync(target, 'utf8')).toBe('old');
		const line = await write(link, true);
		expect(line).toEqual({kind: 'info', text: `Saved the transcript to ${link}`});
		expect(lstatSync(link).isSymbolicLink()).toBe(true);
		expect(readlinkSync(link)).toBe(target);
		expect(readFileSync(target, 'utf8')).toBe('new content');
		expect(statSync(target).mode & 0o777).toBe(0o600);
	});

	it('a link to nothing is refused, --force or not, and stays a link', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'rlm-write-file-'));
		const link = join(dir, 'dangling.md');
		symlinkSync(join(dir, 'missing.md'), link);
		for (const force of [false, true]) {
			const line = await write(link, force);
			expect(line.text).toBe(`Not saved: ${link} is a link to a file that does not exist: name a file.`);
		}
		expect(lstatSync(link).isSymbolicLink()).toBe(true);
	});
});
