// The app for a terminal that cannot draw it (TERM=dumb: Emacs shell buffers, some CI consoles):
// one question per line, the compact execution log while it runs, then the answer. Ctrl+C cancels
// a running answer (at the prompt it asks again; a second press quits); /quit or the end of input leaves.
import {createInterface} from 'node:readline';
import type {RlmEvent} from '../protocol/events.js';
import type {UiEngine} from './engine-port.js';
import type {CompletionResult} from '../engine/types.js';
import {parseCommandLine} from './commands/index.js';
import {quitCommand} from './commands/quit.js';
import {safeText} from '../text/safe-text.js';
import {EMPTY_ANSWER_LINE} from '../text/empty-answer.js';
import {blockErrorLine} from '../text/block-error.js';
import {withAdvice} from '../protocol/errors.js';

export interface LineModeOptions {
	rlm: UiEngine;
	stdin: NodeJS.ReadableStream;
	stdout: NodeJS.WritableStream;
	notices?: readonly string[];
}

/** Lines closer together than this on a terminal are one paste (ms). */
const PASTE_GAP_MS = 30;

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
			if (event.ok && event.answerRefused) return `   → ! ${EMPTY_ANSWER_LINE}`;
			return event.ok ? `   → ✓ ${cut(first(event.stdout + event.stderr), 70) || '(no output)'}` : `   → ✗ ${cut(blockErrorLine(event.error ?? '') || 'failed', 90)}`;
		default:
			return undefined;
	}
}

/** A question taken in by the engine: it starts once `start` is called (its turn has come). */
interface TakenQuestion {
	controller: AbortController;
	start: () => void;
	result: Promise<CompletionResult>;
}

/** A line waiting its turn: a question (taken in already) or a command. */
interface Waiting {
	line: string;
	question?: TakenQuestion;
}

/** Resolves with the exit code when the user leaves. Lines are taken in order: a question typed
 * (or piped) while one runs waits its turn, and the end of input leaves once all are answered. */
export async function runLineMode({rlm, stdin, stdout, notices = []}: LineModeOptions): Promise<number> {
	// Every line goes out through here, made printable: model names (settings, the command line),
	// notices, answers, errors and the commands typed can all hold escape sequences.
	const say = (text: string) => stdout.write(`${safeText(text)}\n`);
	for (const notice of notices) say(`! ${notice}`);
	say(`rlm-tui (line mode: this terminal cannot show the full-screen app) · ${rlm.options.backend ?? 'openai'} · ${rlm.options.model ?? ''}`);
	say('Type a question and press Enter. Ctrl+C cancels a running answer; /quit or Ctrl+D leaves once the questions typed are answered.');
	const onEvent = (event: RlmEvent) => {
		const line = progressLine(event);
		if (line !== undefined) say(line);
	};
	rlm.on('event', onEvent);
	const lines = createInterface({input: stdin, output: stdout, terminal: false, prompt: '> '});
	const waiting: Waiting[] = [];
	let running = null as AbortController | null;
	let draining = false;
	let inputEnded = false;
	let quit = false;
	let lastInterrupt = -Infinity;
	let code = 0;
	let leave!: () => void;
	const left = new Promise<void>((resolve) => {
		leave = resolve;
	});
	const quitNow = (exitCode: number) => {
		quit = true;
		code = exitCode;
		// Questions still waiting were taken in (they are in the log): they end as cancelled.
		for (const entry of waiting.splice(0)) entry.question?.controller.abort();
		running?.abort();
		lines.close();
		leave();
	};

	const answer = async ({controller, start, result: answered}: TakenQuestion) => {
		running = controller;
		start();
		try {
			const result = await answered;
			say('');
			// Only /quit works here: the advice is the command line's (flags for the next start).
			say(resultLines(result));
			say('');
		} catch (error) {
			say(`✗ ${error instanceof Error ? error.message : String(error)}`);
		} finally {
			running = null;
		}
	};

	/** Takes the waiting lines one at a time until none is left; then leaves if the input ended. */
	const drain = async () => {
		draining = true;
		let queued = false;
		while (!quit && waiting.length > 0) {
			const {line, question} = waiting.shift()!;
			// A question that waited is shown again as it starts, so its answer has its question above it.
			if (queued) say(`> ${cut(first(line), 100)}`);
			queued = true;
			if (question) {
				await answer(question);
				continue;
			}
			const command = parseCommandLine(line);
			if (command && 'command' in command && command.command === quitCommand) {
				quitNow(0);
				return;
			}
			if (command) say(`(${'command' in command ? `/${command.command.name}` : command.unknown} does not work in line mode: only /quit does)`);
		}
		draining = false;
		if (quit) return;
		if (inputEnded) leave();
		else lines.prompt();
	};

	// With terminal: false the terminal stays cooked, so Ctrl+C arrives as the process's SIGINT.
	const onInterrupt = () => {
		const now = performance.now();
		if (running && now - lastInterrupt > 2000) {
			running.abort();
			say(waiting.length > 0 ? `(cancelling; ${waiting.length} question(s) still wait; Ctrl+C again quits)` : '(cancelling; Ctrl+C again quits)');
			lastInterrupt = now;
			return;
		}
		if (!running && now - lastInterrupt > 2000) {
			// At the prompt: the typed line (in the terminal's buffer) is dropped; a second press quits.
			say('\n(Ctrl+C again to quit, or /quit)');
			lastInterrupt = now;
			lines.prompt();
			return;
		}
		quitNow(130);
	};
	lines.on('SIGINT', onInterrupt);
	process.on('SIGINT', onInterrupt);
	// A question is handed to the engine the moment it is typed, so it is in the log (queued) while
	// it waits its turn; it starts when the lines before it are done (a /quit before it cancels it).
	const takeIn = (line: string): Waiting => {
		if (parseCommandLine(line)) return {line};
		const controller = new AbortController();
		let start!: () => void;
		const reached = new Promise<void>((resolve) => (start = resolve));
		const result = rlm.completion(line, {signal: controller.signal, after: reached});
		result.catch(() => undefined);
		return {line, question: {controller, start, result}};
	};
	const take = (line: string) => {
		const question = line.trim();
		if (!question) {
			if (!running) lines.prompt();
			return;
		}
		waiting.push(takeIn(question));
		if (!draining) void drain();
		else if (running) say(`(queued: runs after the current answer${waiting.length > 1 ? `, ${waiting.length} waiting` : ''})`);
	};
	// On a terminal, lines that come in a burst were pasted, not typed: they are one question (as the
	// full-screen app takes a paste), never one paid run per line. A cooked terminal hands over one
	// line per read, so a burst is lines that follow each other within PASTE_GAP_MS; typing a line
	// and Enter takes far longer. Piped input (headless) never comes here.
	const interactive = (stdin as NodeJS.ReadStream).isTTY === true;
	let burst: string[] = [];
	let burstTimer: NodeJS.Timeout | undefined;
	const flushBurst = () => {
		clearTimeout(burstTimer);
		burstTimer = undefined;
		const lines = burst;
		burst = [];
		if (lines.length > 1) say(`(pasted ${lines.length} lines: one question)`);
		if (lines.length > 0) take(lines.join('\n'));
	};
	lines.on('line', (line) => {
		if (!interactive) {
			take(line);
			return;
		}
		burst.push(line);
		clearTimeout(burstTimer);
		burstTimer = setTimeout(flushBurst, PASTE_GAP_MS);
	});
	lines.on('close', () => {
		flushBurst();
		inputEnded = true;
		if (!draining) leave();
	});
	lines.prompt();
	await left;
	process.off('SIGINT', onInterrupt);
	running?.abort();
	rlm.off('event', onEvent);
	return code;
}

/** What a finished question prints: its answer, its failure, or, stopped early, one note (with the
 * best answer so far under it when there is one: "no answer" under "the best answer so far" would
 * contradict it). */
export function resultLines(result: {status: string; response: string; error?: string; errorAdvice?: string}): string {
	if (result.status === 'failed') return `✗ ${safeText(withAdvice({message: result.error ?? 'the completion failed', ...(result.errorAdvice ? {advice: result.errorAdvice} : {})}))}`;
	const stopped = result.status === 'cancelled' ? 'cancelled' : result.status === 'limited' ? 'stopped by a limit' : undefined;
	if (stopped === undefined) return safeText(result.response || '(no answer)');
	return result.response ? `(${stopped}: the best answer so far, not a final answer)\n${safeText(result.response)}` : `(${stopped} before any answer)`;
}
