// Headless in a real terminal (tmux): a stderr spinner line with the iteration, elapsed time,
// tokens and cost while the run works; Ctrl+C then prints the best partial answer and exits 130.
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
const screen = () => tmux('capture-pane', '-p', '-t', 'run');
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

async function waitFor(predicate: (text: string) => boolean, what: string): Promise<string> {
	const deadline = Date.now() + 60_000;
	for (;;) {
		const text = screen();
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
		tmux('new-session', '-d', '-x', '120', '-y', '30', '-s', 'run', '-c', dir, command);
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
});
