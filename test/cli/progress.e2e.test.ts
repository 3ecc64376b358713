// Headless in a real terminal (tmux): a stderr spinner line with the iteration, elapsed time,
// tokens and cost while the run works; Ctrl+C then prints the best partial answer and exits 130;
// Ctrl+\ quits at once (131), the line cleared.
import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, rootRequests, scripted} from '../support/rlm-script.js';
import {cliPath} from '../support/run-cli.js';

const socket = `rlm-progress-${process.pid}-${Date.now()}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'});
const screen = (session = 'run') => tmux('capture-pane', '-p', '-t', session);
const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

let server: FakeLlmServer;
beforeAll(async () => {
	const probe = spawnSync('tmux', ['-V']);
	if (probe.error || probe.status !== 0) throw new Error('tmux is not installed: this test needs it (apt-get install tmux).');
	server = await startFakeLlmServer({models: ['gpt-4o']});
});
afterAll(async () => {
	spawnSync('tmux', ['-L', socket, 'kill-server']);
	await server?.close();
});

/** Starts a headless run on a terminal, in tmux session `session`; the shell prints its exit code. */
function startRun(session: string): void {
	const dir = mkdtempSync(join(tmpdir(), 'rlm-progress-'));
	// CI=true would (rightly) turn the spinner off: this terminal is interactive.
	const command = [
		'env -u CI',
		`XDG_CONFIG_HOME=${quote(join(dir, 'config'))}`,
		'TERM=xterm-256color',
		quote(process.execPath),
		quote(cliPath),
		`-u ${quote(server.openaiBaseURL)} -m gpt-4o --log-dir ${quote(join(dir, 'logs'))} -p 'a long job';`,
		'echo "EXIT:$?";',
		'sleep 600',
	].join(' ');
	tmux('new-session', '-d', '-x', '120', '-y', '30', '-s', session, '-c', dir, command);
}

async function waitFor(predicate: (text: string) => boolean, what: string, session = 'run'): Promise<string> {
	const deadline = Date.now() + 60_000;
	for (;;) {
		const text = screen(session);
		if (predicate(text)) return text;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the screen:\n${text}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

describe('headless on a terminal', () => {
	it('shows iteration, elapsed time, tokens and cost on stderr; Ctrl+C prints the partial answer', async () => {
		server.requests.length = 0;
		server.setResponder(
			scripted({root: ({turn}) => (turn === 0 ? {...repl('print("looked")', 'Step one: look.'), usage: {inputTokens: 400_000, outputTokens: 1000}} : {hang: true})}),
		);
		startRun('run');
		await expect.poll(() => rootRequests(server.requests).length, {timeout: 60_000}).toBe(2);
		// gpt-4o: 400,000 input tokens at $2.50 per million plus 1,000 output at $10: $1.01.
		const progress = await waitFor((text) => /iter 2\/30 · \d+:\d\d · \d+k tokens · ~\$1\.01/.test(text), 'the spinner line');
		expect(progress).not.toContain('EXIT:');
		tmux('send-keys', '-t', 'run', 'C-c');
		const after = await waitFor((text) => text.includes('EXIT:'), 'the exit');
		expect(after).toContain('EXIT:130');
		// The run's best partial answer: its code's last output (no answer dict was written).
		expect(after).toContain('looked');
		expect(after).toMatch(/rlm-tui: cancelled/);
		expect(after).not.toMatch(/iter 2\/30/);
	});

	it('Ctrl+\\ quits at once with exit code 131, the spinner line cleared from the screen', async () => {
		server.requests.length = 0;
		// The model's reply streams on while the run quits: events keep coming as the process exits.
		server.setResponder(scripted({root: ({turn}) => (turn === 0 ? repl('print("looked")') : {text: 'Thinking it through. '.repeat(400), chunkSize: 4, chunkDelayMs: 20})}));
		startRun('quit');
		await expect.poll(() => rootRequests(server.requests).length, {timeout: 60_000}).toBe(2);
		await waitFor((text) => /iter 2\/30 · \d+:\d\d · \d+ tokens/.test(text), 'the spinner line', 'quit');
		tmux('send-keys', '-t', 'quit', 'C-\\');
		const after = await waitFor((text) => text.includes('EXIT:'), 'the exit', 'quit');
		expect(after).toMatch(/^EXIT:131$/m);
		expect(after).not.toMatch(/iter \d+\/30|tokens/);
	});
});
