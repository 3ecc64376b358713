// The app for a terminal that cannot draw it (TERM=dumb: Emacs shell buffers, some CI consoles):
// one question per line, the compact execution log while it runs, then the answer. Ctrl+C cancels
// a running answer (twice, or when idle: quit); /quit or the end of input leaves.
import {createInterface} from 'node:readline';
import type {RlmEvent} from '../protocol/events.js';
import type {UiEngine} from './engine-port.js';
import {parseCommandLine} from './commands/index.js';
import {quitCommand} from './commands/quit.js';
import {safeText} from '../text/safe-text.js';
import {withAdvice} from '../protocol/errors.js';

export interface LineModeOptions {
	rlm: UiEngine;
	stdin: NodeJS.ReadableStream;
	stdout: NodeJS.WritableStream;
	notices?: readonly string[];
}

const first = (text: string) => text.split('\n').find((line) => line.trim())?.trim() ?? '';
const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** One line per step of a run: iterations, code blocks and how they ended. */
function progressLine(event: RlmEvent): string | undefined {
	switch (event.type) {
		case 'iter.start':
			return `── iteration ${event.iteration}`;
		case 'code.start':
			return `   ⚡ ${cut(first(event.code), 60)}`;
		case 'code.done':
			return event.ok ? `   → ✓ ${cut(first(event.stdout + event.stderr), 70) || '(no output)'}` : `   → ✗ ${cut(first((event.error ?? 'failed').split('\n').filter(Boolean).at(-1) ?? ''), 90)}`;
		default:
			return undefined;
	}
}

/** Resolves with the exit code when the user leaves. */
export async function runLineMode({rlm, stdin, stdout, notices = []}: LineModeOptions): Promise<number> {
	const say = (text: string) => stdout.write(`${text}\n`);
	for (const notice of notices) say(`! ${notice}`);
	say(`rlm-tui (line mode: this terminal cannot show the full-screen app) · ${rlm.options.backend ?? 'openai'} · ${rlm.options.model ?? ''}`);
	say('Type a question and press Enter. Ctrl+C cancels a running answer; /quit or Ctrl+D leaves.');
	const onEvent = (event: RlmEvent) => {
		const line = progressLine(event);
		if (line !== undefined) say(safeText(line));
	};
	rlm.on('event', onEvent);
	const lines = createInterface({input: stdin, output: stdout, terminal: false, prompt: '> '});
	let running = null as AbortController | null;
	let lastInterrupt = -Infinity;
	let code = 0;
	const done = new Promise<void>((resolve) => {
		lines.on('close', () => resolve());
	});
	lines.on('SIGINT', () => {
		const now = performance.now();
		if (running && now - lastInterrupt > 2000) {
			running.abort();
			say('(cancelling; Ctrl+C again quits)');
			lastInterrupt = now;
			return;
		}
		code = 130;
		lines.close();
	});
	lines.prompt();
	lines.on('line', (line) => {
		const question = line.trim();
		if (!question) {
			lines.prompt();
			return;
		}
		const command = parseCommandLine(question);
		if (command && 'command' in command && command.command === quitCommand) {
			lines.close();
			return;
		}
		if (running) {
			say('(still working on the last question)');
			return;
		}
		const controller = new AbortController();
		running = controller;
		void rlm.completion(question, {signal: controller.signal}).then(
			(result) => {
				say('');
				// Only /quit works here: the advice is the command line's (flags for the next start).
				say(result.status === 'failed' ? `✗ ${safeText(withAdvice({message: result.error ?? 'the completion failed', ...(result.errorAdvice ? {advice: result.errorAdvice} : {})}))}` : safeText(result.response || '(no answer)'));
				say('');
			},
			(error: unknown) => say(`✗ ${safeText(error instanceof Error ? error.message : String(error))}`),
		).finally(() => {
			running = null;
			lines.prompt();
		});
	});
	await done;
	running?.abort();
	rlm.off('event', onEvent);
	return code;
}
