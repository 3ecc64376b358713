// --replay FILE: a logged trajectory, in the TUI when there is a terminal, else as text or JSON.
import {logToEvents} from '../trajectory/log-to-events.js';
import {readTrajectoryLog} from '../trajectory/read-log.js';
import {reduceAll, toNested} from '../trajectory/tree.js';
import {execLogWriter} from './exec-log.js';
import {SIGNAL_EXIT_CODES} from './own-signals.js';
import {safeText} from '../text/safe-text.js';
import {stdinSends} from './stdin.js';
import {tell} from './tell.js';
import {jsonText} from '../text/json-text.js';

/** How long a replay, once shown, still looks for piped stdin's first byte, in ms. */
const pipedGraceMs = 200;

export async function runReplay(path: string, options: {json: boolean; interactive: boolean; verbose: boolean}): Promise<number> {
	// A question or context piped in has no use here (-p and -c are refused with --replay): say so,
	// without holding the replay up for a stdin held open and silent.
	const piped = process.stdin.isTTY ? null : stdinSends();
	const notePiped = async () => {
		if (piped && (await Promise.race([piped, new Promise<false>((resolve) => setTimeout(resolve, pipedGraceMs, false))])))
			tell(process.stderr, 'rlm-tui: note: the piped stdin is ignored: --replay shows a logged run and runs nothing (--resume continues a log)');
	};
	if (!options.interactive) quitAtOnceOnSigquit();
	const log = readTrajectoryLog(path);
	const events = logToEvents(log);
	if (log.skippedLines > 0) tell(process.stderr, `rlm-tui: skipped ${log.skippedLines} unreadable line(s) in ${path}`);
	if (options.json) {
		process.stdout.write(`${jsonText({metadata: log.metadata, runs: toNested(reduceAll(events))}, 2)}\n`);
		await notePiped();
		return 0;
	}
	if (options.interactive) {
		const {runReplayTui} = await import('../ui/replay-tui.js');
		return runReplayTui({events, title: path});
	}
	const write = execLogWriter((line) => process.stdout.write(`${line}\n`), {verbose: options.verbose});
	for (const event of events) write(event);
	const done = events.at(-1);
	if (done?.type === 'run.done' && done.answer) process.stdout.write(`\n${safeText(done.answer)}\n`);
	await notePiped();
	return 0;
}

/**
 * Ctrl+\ (SIGQUIT) quits at once, as in the app and a headless run: exit code 131, not the signal's
 * default action (a core dump). A replay's output may sit unread in a pipe (`| less`), and the
 * process waits for it to drain before it exits (exit.ts): quitting does not wait for it. Kept until
 * the process ends, which is after that wait.
 */
function quitAtOnceOnSigquit(): void {
	process.on('SIGQUIT', () => process.exit(SIGNAL_EXIT_CODES.SIGQUIT ?? 131));
}
