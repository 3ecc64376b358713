// Every input a user names is read with a cap: devices refused, FIFOs and stdin read up to the cap,
// huge files refused by their size before a byte is read, each in one line naming the input,
// the limit and what to do. Devices via /dev/zero, FIFOs via mkfifo, huge files sparse (truncate).
import {execFileSync, spawn} from 'node:child_process';
import {createReadStream, mkdirSync, mkdtempSync, symlinkSync, truncateSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {InputReadError, MAX_INPUT_BYTES, readInputFile, readInputFileSync, type InputSpec} from '../../source/protocol/bounded-read.js';
import {readStdin, StdinError} from '../../source/cli/stdin.js';
import {ContextLoadError, loadContext} from '../../source/context/index.js';
import {readSettingsFile} from '../../source/settings/settings-file.js';
import {nestedTooDeep, parseTrajectoryLog, readTrajectoryLog, sessionFiles, LogReadError} from '../../source/trajectory/read-log.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'rlm-bounded-'));
const spec: InputSpec = {what: 'Test file', limit: 64 * 1024, tooLarge: 'give a smaller one', streams: true};

function fifo(dir: string, name = 'pipe'): string {
	const path = join(dir, name);
	execFileSync('mkfifo', [path]);
	return path;
}

/** Writes `bytes` into the FIFO from another process (as `<(cmd)` does); resolves when it exits. */
function writeInto(path: string, bytes: number): Promise<void> {
	return new Promise((resolve) => {
		const writer = spawn('sh', ['-c', `head -c ${bytes} /dev/zero | tr '\\0' a > "$0"`, path], {stdio: 'ignore'});
		writer.on('close', () => resolve());
	});
}

function oneLine(run: () => unknown): string {
	try {
		run();
	} catch (error) {
		const message = (error as Error).message;
		expect(message.split('\n')).toHaveLength(1);
		return message;
	}
	throw new Error('expected a refusal');
}

async function oneLineAsync(run: () => Promise<unknown>): Promise<string> {
	try {
		await run();
	} catch (error) {
		const message = (error as Error).message;
		expect(message.split('\n')).toHaveLength(1);
		return message;
	}
	throw new Error('expected a refusal');
}

describe('readInputFile', () => {
	it('reads a regular file under the cap, sync and async', async () => {
		const file = join(fresh(), 'a.txt');
		writeFileSync(file, 'hello');
		expect(readInputFileSync(file, spec).toString()).toBe('hello');
		expect((await readInputFile(file, spec)).toString()).toBe('hello');
	});

	it('refuses a device unread, naming it', async () => {
		expect(oneLine(() => readInputFileSync('/dev/zero', spec))).toBe('Test file /dev/zero is a device, not a regular file: give a file');
		await expect(readInputFile('/dev/urandom', spec)).rejects.toThrow(/^Test file \/dev\/urandom is a device/);
	});

	it('refuses a file over the cap by its size, naming the size, the limit and what to do', async () => {
		const file = join(fresh(), 'huge.txt');
		writeFileSync(file, '');
		truncateSync(file, 3 * 1024 ** 3);
		expect(oneLine(() => readInputFileSync(file, {...spec, limit: MAX_INPUT_BYTES}))).toBe(`Test file ${file} is 3 GiB, over the 512 MiB it may hold: give a smaller one`);
		await expect(readInputFile(file, spec)).rejects.toMatchObject({reason: 'too large'});
	});

	it('reads a small FIFO (process substitution) and stops a long one at the cap', async () => {
		const dir = fresh();
		const small = fifo(dir, 'small');
		const [read] = await Promise.all([readInputFile(small, spec), writeInto(small, 1000)]);
		expect(read.toString()).toBe('a'.repeat(1000));
		const long = fifo(dir, 'long');
		const [message] = await Promise.all([oneLineAsync(() => readInputFile(long, spec)), writeInto(long, 1024 * 1024)]);
		expect(message).toBe(`Test file ${long} is over the 64 KiB it may hold: give a smaller one`);
	});

	it('reads as ended, sync, a FIFO nobody writes to, instead of waiting in open()', () => {
		const pipe = fifo(fresh());
		expect(readInputFileSync(pipe, spec).length).toBe(0);
	});

	it('refuses a FIFO unopened when streams are not allowed (no wait for a writer)', () => {
		const pipe = fifo(fresh());
		const error = (() => {
			try {
				readInputFileSync(pipe, {...spec, streams: false});
			} catch (caught) {
				return caught;
			}
		})();
		expect(error).toBeInstanceOf(InputReadError);
		expect((error as Error).message).toBe(`Test file ${pipe} is a pipe (FIFO), not a regular file: give a file`);
	});

	it('says a folder or a missing file in one line', () => {
		const dir = fresh();
		expect(oneLine(() => readInputFileSync(dir, spec))).toBe(`Test file ${dir} is a folder, not a file`);
		expect(oneLine(() => readInputFileSync(join(dir, 'nope'), spec))).toBe(`Test file ${join(dir, 'nope')} was not found`);
	});
});

describe('stdin', () => {
	it('stops an endless stdin at the cap with one line', async () => {
		const endless = createReadStream('/dev/zero') as unknown as NodeJS.ReadStream;
		const input = {what: 'The context on stdin', limit: 1024 * 1024, tooLarge: 'pipe a part of it'};
		const error = await readStdin({optional: false, stdin: endless, input}).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(StdinError);
		expect((error as Error).message).toBe('The context on stdin is over the 1 MiB it may hold: pipe a part of it');
		expect(endless.destroyed).toBe(true);
	});
});

describe('context files and folders', () => {
	it('refuses a device named as a context file', async () => {
		const error = await loadContext(['/dev/zero']).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(ContextLoadError);
		expect((error as Error).message).toBe('Context file /dev/zero is a device, not a regular file: give a file');
	});

	it('reads a small FIFO named with -c', async () => {
		const pipe = fifo(fresh());
		const [loaded] = await Promise.all([loadContext([pipe]), writeInto(pipe, 10)]);
		expect(loaded.context).toBe('a'.repeat(10));
	});

	it('says the same of a huge text file in a folder whatever its size: the cap, never "unreadable"', async () => {
		const messages: string[] = [];
		for (const size of [150 * 1024 ** 2, 20 * 1024 ** 3]) {
			const dir = fresh();
			const file = join(dir, 'big.txt');
			writeFileSync(file, 'a'.repeat(10_000));
			truncateSync(file, size);
			const error = await loadContext([dir]).catch((caught: unknown) => caught);
			expect(error).toBeInstanceOf(ContextLoadError);
			messages.push((error as Error).message.replace(dir, 'DIR'));
		}
		expect(messages[0]).toMatch(/^the folders and globs to load hold more than the 100 MiB cap \(reached at big\.txt\): raise it with --max-context-bytes/);
		expect(messages[1]).toBe(messages[0]);
		// Past the per-file limit when the cap allows it: the limit -c says, not "unreadable".
		const dir = fresh();
		const file = join(dir, 'big.txt');
		writeFileSync(file, 'a'.repeat(10_000));
		truncateSync(file, 20 * 1024 ** 3);
		const error = await loadContext([dir], {maxBytes: 64 * 1024 ** 3}).catch((caught: unknown) => caught);
		expect((error as Error).message).toBe(`Context file ${file} is 20 GiB, over the 512 MiB it may hold: split it into smaller files and pass each with its own -c (Python then gets a dict of name -> text), or pass a part of it`);
	});

	it('reads no rules from a .gitignore that is a FIFO or a link to a device, and loads the folder', async () => {
		const piped = fresh();
		writeFileSync(join(piped, 'a.txt'), 'text');
		fifo(piped, '.gitignore');
		expect((await loadContext([piped])).context).toEqual({'a.txt': 'text'});
		const linked = fresh();
		writeFileSync(join(linked, 'a.txt'), 'text');
		symlinkSync('/dev/zero', join(linked, '.gitignore'));
		expect((await loadContext([linked])).context).toEqual({'a.txt': 'text'});
	});

	it('skips a link to a device or a FIFO in a folder, reading the rest', async () => {
		const dir = fresh();
		writeFileSync(join(dir, 'a.txt'), 'text');
		symlinkSync('/dev/zero', join(dir, 'zero'));
		fifo(dir);
		symlinkSync(join(dir, 'pipe'), join(dir, 'pipe-link'));
		const loaded = await loadContext([dir]);
		expect(loaded.context).toEqual({'a.txt': 'text'});
		// A device lives outside the folder: its link is skipped as one leading out (context/links.ts).
		expect(loaded.skipped.map((skip) => [skip.name, skip.reason]).sort()).toEqual([
			['pipe', 'not a regular file'],
			['pipe-link', 'not a regular file'],
			['zero', 'link leading out of the folder'],
		]);
	});
});

describe('the settings file', () => {
	it('is never read when it is a FIFO or a link to a device: one notice, the defaults, no writes', () => {
		const pipeDir = fresh();
		fifo(pipeDir, 'settings.json');
		const piped = readSettingsFile({cwd: pipeDir});
		expect(piped.writable).toBe(false);
		expect(piped.notice).toBe(`Settings file ${join(pipeDir, 'settings.json')} is a pipe (FIFO), not a regular file: give a file; using defaults for this session (changes made in the app, with /set, /model or /backend, are not saved).`);
		const linkDir = fresh();
		symlinkSync('/dev/zero', join(linkDir, 'settings.json'));
		const linked = readSettingsFile({cwd: linkDir});
		expect(linked.writable).toBe(false);
		expect(linked.notice).toMatch(/settings\.json is a device, not a regular file: give a file; using defaults for this session/);
	});

	it('is not read when it is huge', () => {
		const dir = fresh();
		writeFileSync(join(dir, 'settings.json'), '{}');
		truncateSync(join(dir, 'settings.json'), 1024 ** 3);
		const read = readSettingsFile({cwd: dir});
		expect(read.notice).toBe(`Settings file ${join(dir, 'settings.json')} is 1 GiB, over the 4 MiB it may hold: it is not a settings file; move it away; using defaults for this session (changes made in the app, with /set, /model or /backend, are not saved).`);
	});
});

describe('trajectory files', () => {
	const metadata = JSON.stringify({type: 'metadata', timestamp: 't', root_model: 'm', max_depth: 1, max_iterations: 1, backend: 'openai', backend_kwargs: {}, environment_type: 'local', environment_kwargs: {}});
	const iteration = (response: string) => `{"type":"iteration","iteration":1,"timestamp":"t","prompt":[],"response":${response},"code_blocks":[],"final_answer":"ok","iteration_time":1}`;

	it('refuses one over the limit by its size, naming the limit', () => {
		const file = join(fresh(), 'huge.jsonl');
		writeFileSync(file, `${metadata}\n`);
		truncateSync(file, 3 * 1024 ** 3);
		const error = (() => {
			try {
				readTrajectoryLog(file);
			} catch (caught) {
				return caught;
			}
		})();
		expect(error).toBeInstanceOf(LogReadError);
		expect((error as Error).message).toMatch(/^Trajectory file \S+huge\.jsonl is 3 GiB, over the 512 MiB it may hold: /);
	});

	it('counts a line nested too deep as damaged, as any bad line', () => {
		const deep = '['.repeat(100_000) + ']'.repeat(100_000);
		const log = parseTrajectoryLog([metadata, deep, iteration(deep), iteration('"fine"')].join('\n'), 'x.jsonl');
		expect(log.iterations).toHaveLength(1);
		expect(log.skippedLines).toBe(2);
		expect(nestedTooDeep('["[[[[[[", {"a": [1]}]')).toBe(false);
	});

	it('lists no session for a dangling link named like a log', () => {
		const dir = fresh();
		mkdirSync(join(dir, 'logs'));
		const name = 'rlm_2026-12-02_01-02-45_headless_adcaf2c6_t1_463c04.jsonl';
		writeFileSync(join(dir, 'logs', name), `${metadata}\n`);
		symlinkSync('/nonexistent', join(dir, 'logs', name.replace('_t1_', '_t2_')));
		symlinkSync('/nonexistent', join(dir, 'logs', name.replace('adcaf2c6', 'deadbeef')));
		expect(sessionFiles(join(dir, 'logs'), ['headless'])).toEqual([[join(dir, 'logs', name)]]);
	});
});
