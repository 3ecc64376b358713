// The full-screen lifecycle with stand-in streams: every way out restores the terminal and runs the
// cleanup (the end of input, a signal, a crash), and the terminal modes go on and off again.
import {EventEmitter} from 'node:events';
import {describe, expect, it} from 'vitest';
import {runFullScreen} from '../../source/ui/fullscreen.js';

// Ink decides at import whether it runs in CI (where it draws nothing until the end); the app
// imports it only after runFullScreen has set that aside, so the test imports it the same way.
async function app() {
	const {Text} = await import('ink');
	return <Text>inside the app</Text>;
}

function streams() {
	const written: string[] = [];
	const stdout = Object.assign(new EventEmitter(), {
		isTTY: true,
		columns: 0,
		rows: 0,
		writable: true,
		destroyed: false,
		write(data: string) {
			written.push(String(data));
			return true;
		},
	});
	const raw: boolean[] = [];
	const stdin = Object.assign(new EventEmitter(), {
		isTTY: true,
		setRawMode(on: boolean) {
			raw.push(on);
		},
		setEncoding() {},
		ref() {},
		unref() {},
		resume() {},
		pause() {},
		read: () => null,
	});
	return {stdout, stdin, written, raw, text: () => written.join('')};
}

async function mounted(s: ReturnType<typeof streams>) {
	const deadline = Date.now() + 10_000;
	while (!s.text().includes('inside the app')) {
		if (Date.now() > deadline) throw new Error(`the app did not draw; written: ${JSON.stringify(s.text())}`);
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}

describe('runFullScreen', () => {
	it('leaves when the input ends (the terminal is gone), restores the terminal and cleans up', async () => {
		const s = streams();
		let cleaned = false;
		const done = runFullScreen(app, {
			stdin: s.stdin as unknown as NodeJS.ReadStream,
			stdout: s.stdout as unknown as NodeJS.WriteStream,
			env: {TERM: 'xterm-256color'},
			cleanup: async () => {
				cleaned = true;
			},
		});
		await mounted(s);
		// Raw mode came first, before anything was drawn.
		expect(s.raw[0]).toBe(true);
		// A 0x0 terminal is drawn as 80x24.
		expect(s.stdout.columns).toBe(80);
		expect(s.stdout.rows).toBe(24);
		expect(s.text()).toContain('\x1b[?1049h');
		expect(s.text()).toContain('\x1b[?2004h');
		s.stdin.emit('end');
		expect(await done).toBe(129);
		expect(cleaned).toBe(true);
		const after = s.text().slice(s.text().lastIndexOf('inside the app'));
		expect(after).toContain('\x1b[?2004l');
		expect(after).toContain('\x1b[?1000l');
		expect(after).toContain('\x1b[?25h');
		expect(after).toContain('\x1b[?1049l');
		expect(s.raw.at(-1)).toBe(false);
	});

	it('leaves on SIGTERM and SIGQUIT with 128 + the signal number', async () => {
		for (const [signal, code] of [
			['SIGTERM', 143],
			['SIGQUIT', 131],
		] as const) {
			const s = streams();
			const listeners = process.listenerCount(signal);
			const done = runFullScreen(app, {
				stdin: s.stdin as unknown as NodeJS.ReadStream,
				stdout: s.stdout as unknown as NodeJS.WriteStream,
				env: {TERM: 'xterm-256color'},
			});
			await mounted(s);
			process.emit(signal, signal);
			expect(await done).toBe(code);
			expect(s.text().endsWith('\x1b[?1049l')).toBe(true);
			expect(process.listenerCount(signal)).toBe(listeners);
		}
	});

	it('does not take over a TERM=dumb terminal: it says what to do instead', async () => {
		const s = streams();
		const stderr: string[] = [];
		// eslint-disable-next-line @typescript-eslint/unbound-method -- put back on process.stderr as it was
		const write = process.stderr.write;
		process.stderr.write = ((data: string) => stderr.push(String(data)) > 0);
		try {
			const code = await runFullScreen(app, {
				stdin: s.stdin as unknown as NodeJS.ReadStream,
				stdout: s.stdout as unknown as NodeJS.WriteStream,
				env: {TERM: 'dumb'},
			});
			expect(code).toBe(2);
		} finally {
			process.stderr.write = write;
		}
		expect(s.text()).toBe('');
		expect(stderr.join('')).toContain('-p "question"');
	});
});
