// Keys typed while the app starts (cli/typeahead.ts): held in raw mode and handed to the app in
// front of stdin, an Enter typed while the terminal was still in line mode read as Enter, Ctrl+C
// still ending the start. A PassThrough stands in for the terminal's stdin.
import {PassThrough} from 'node:stream';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {holdTypeahead, releaseTypeahead, takeTypeahead} from '../../source/cli/typeahead.js';
import {KeyDecoder, type InputEvent} from '../../source/ui/state/key-decoder.js';

function terminal() {
	const stdin = Object.assign(new PassThrough(), {isTTY: true, modes: [] as boolean[]});
	const setRawMode = vi.fn((on: boolean) => {
		stdin.modes.push(on);
		return stdin;
	});
	Object.assign(stdin, {setRawMode});
	const stdout = {isTTY: true} as unknown as NodeJS.WriteStream;
	return {stdin, stdout, asStdin: stdin as unknown as NodeJS.ReadStream};
}

/** Lets the stream deliver what was written ('data' comes on a later tick). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const keysOf = (events: readonly InputEvent[]) => events.map((event) => (event.type === 'key' ? (event.press.key.return ? '⏎' : event.press.key.ctrl ? `^${event.press.input}` : event.press.input) : event.type));

afterEach(() => releaseTypeahead());

describe('typeahead', () => {
	it('holds what is typed before the app reads stdin and puts it back in front, an Enter from line mode as Enter', async () => {
		const {stdin, stdout, asStdin} = terminal();
		const raise = vi.fn();
		holdTypeahead(['-m', 'some-model'], {stdin: asStdin, stdout, env: {TERM: 'xterm'}, raise});
		expect(stdin.modes).toEqual([true]);
		// What the terminal held in line mode (Enter became a line feed), then a key typed in raw mode.
		stdin.write('what is six times seven\n');
		await settle();
		stdin.write('x');
		await settle();
		takeTypeahead();
		// Raw mode stays on for the app; what was held comes first.
		expect(stdin.modes).toEqual([true]);
		stdin.write('y');
		const chunks: string[] = [];
		let chunk: Buffer | null;
		while ((chunk = stdin.read() as Buffer | null) !== null) chunks.push(chunk.toString('utf8'));
		expect(chunks.join('')).toBe('what is six times seven\rxy');
		expect(raise).not.toHaveBeenCalled();
	});

	it('hands over a question typed with its Enter as keys that send it', async () => {
		const {stdin, stdout, asStdin} = terminal();
		holdTypeahead([], {stdin: asStdin, stdout, env: {}, raise: vi.fn()});
		stdin.write('what is six times seven\n');
		await settle();
		takeTypeahead();
		const typed = (stdin.read() as Buffer).toString('utf8');
		expect(keysOf(new KeyDecoder().push(typed, 0)).join('')).toBe('what is six times seven⏎');
	});

	it('keeps a line feed typed in raw mode as Ctrl+J', async () => {
		const {stdin, stdout, asStdin} = terminal();
		holdTypeahead([], {stdin: asStdin, stdout, env: {}, raise: vi.fn()});
		stdin.write('a');
		await settle();
		stdin.write('\n');
		await settle();
		takeTypeahead();
		expect(keysOf(new KeyDecoder().push((stdin.read() as Buffer).toString('utf8'), 0))).toEqual(['a', '^j']);
	});

	it('ends the start on Ctrl+C or Ctrl+\\ as the signals would, with the terminal back in line mode', async () => {
		for (const [key, signal] of [
			['\x03', 'SIGINT'],
			['\x1c', 'SIGQUIT'],
		] as const) {
			const {stdin, stdout, asStdin} = terminal();
			const raise = vi.fn();
			holdTypeahead([], {stdin: asStdin, stdout, env: {}, raise});
			stdin.write(`half a question${key}`);
			await settle();
			expect(raise).toHaveBeenCalledWith(signal);
			expect(stdin.modes).toEqual([true, false]);
			// Nothing is held for an app any more.
			takeTypeahead();
			expect(stdin.read()).toBeNull();
		}
	});

	it('leaves the terminal alone for modes that read no keys, and without a terminal', () => {
		const cases: Array<[string[], boolean, boolean, NodeJS.ProcessEnv]> = [
			[['-p', 'question'], true, true, {}],
			[['--prompt=question'], true, true, {}],
			[['serve'], true, true, {}],
			[['mcp'], true, true, {}],
			[['--replay', 'run.jsonl'], true, true, {}],
			[[], false, true, {}],
			[[], true, false, {}],
			[[], true, true, {TERM: 'dumb'}],
		];
		for (const [words, stdinIsTty, stdoutIsTty, env] of cases) {
			const {stdin, asStdin} = terminal();
			stdin.isTTY = stdinIsTty;
			holdTypeahead(words, {stdin: asStdin, stdout: {isTTY: stdoutIsTty} as unknown as NodeJS.WriteStream, env, raise: vi.fn()});
			expect(stdin.modes, JSON.stringify({words, stdinIsTty, stdoutIsTty, env})).toEqual([]);
		}
	});

	it('gives the terminal back in line mode when another mode runs after all', async () => {
		const {stdin, stdout, asStdin} = terminal();
		holdTypeahead(['-ep', 'question'], {stdin: asStdin, stdout, env: {}, raise: vi.fn()});
		stdin.write('typed');
		await settle();
		releaseTypeahead();
		expect(stdin.modes).toEqual([true, false]);
		expect(stdin.read()).toBeNull();
	});
});
