// --keep-warm: when the process exits, leave a warm sandbox for the next run
// (sandbox/warm-spare.ts), unless the directory it would listen in is not private (one line says
// so, and nothing is left). And a run that claimed a warm host (cli/early-sandbox.ts claims one
// before the flags are read) but ends before it knows its own keep-warm setting, on a usage or
// input error (exit 2), or on a signal (Ctrl+C) before its mode took over, leaves things as it found
// them: a new spare with the claimed one's idle time. Else `rlm-tui frob`, or a Ctrl+C the moment
// the app was started, would use up the spare and leave none.
import fs from 'node:fs';
import {printable} from '../text/printable.js';
import {listenToAppSignals, SIGNAL_EXIT_CODES} from './own-signals.js';
import {tell} from './tell.js';

/** Set once the run has read its keep-warm setting (main.ts, after the flags and settings). */
let settingKnown = false;
/** Set once the chosen mode has taken over (the app shows; a headless run, serve or mcp starts). */
let modeStarted = false;
/** A signal no mode handled ended the process before its mode took over. */
let endedEarly = false;
let left = false;
let claimedIdleMs: () => number | null = () => null;
let claimSettled: () => Promise<void> = () => Promise.resolve();

/** Resolves once a warm claim under way has ended: an exit now would use up the host without
 * learning its idle time (so without leaving one in its place). main.ts awaits it before an error exit. */
export function warmClaimSettled(): Promise<void> {
	return claimSettled();
}

/** The run's keep-warm setting is known: from now on it decides, unless the run ends with exit 2
 * or on a signal before its mode took over. */
export function keepWarmSettingKnown(): void {
	settingKnown = true;
}

/** The mode has taken over (main.ts: the app shows, the run or the server starts): a signal now
 * ends a run that was under way, which its keep-warm setting decides about. */
export function modeTookOver(): void {
	modeStarted = true;
}

/** The idle time (ms) of the spare to leave in place of the one this run claimed, or null. */
function restoredIdleMs(code: number): number | null {
	const idleMs = claimedIdleMs();
	return idleMs !== null && (!settingKnown || code === 2 || endedEarly) ? idleMs : null;
}

/**
 * Arranges for a new spare, with the same idle time, in place of a warm host this process claims,
 * if it ends before its keep-warm setting is known, with exit code 2, or on a signal before its
 * mode took over (see above). Until a mode handles the signals, one ends the process through
 * process.exit (128 + the signal's number) once a claim under way has settled: a signal's default
 * action would skip the 'exit' handlers, so the spare a Ctrl+C at start used up was never replaced.
 * Called by early-sandbox.ts before the early sandbox claims a warm host.
 */
export async function restoreClaimedSpareAtExit(): Promise<void> {
	const [{leaveWarmSpare}, {defaultCacheDir}, {claimedWarmIdleMs, warmClaimSettled}] = await Promise.all([
		import('../sandbox/warm-spare.js'),
		import('../sandbox/paths.js'),
		import('../sandbox/warm-link.js'),
	]);
	claimedIdleMs = claimedWarmIdleMs;
	claimSettled = warmClaimSettled;
	listenToAppSignals((signal) => {
		// A mode's own listener is there: the signal is the mode's (it cancels, quits, restores the terminal).
		if (process.listenerCount(signal) > 1) return;
		if (!modeStarted) endedEarly = true;
		void warmClaimSettled().then(() => process.exit(SIGNAL_EXIT_CODES[signal] ?? 1));
	});
	process.once('exit', (code) => {
		const idleMs = restoredIdleMs(code);
		if (idleMs === null || left) return;
		left = true;
		// Silent: the run asked for nothing, and a directory refused now was fine when the claimed one was left.
		leaveWarmSpare({idleMs, cacheDir: defaultCacheDir()});
	});
}

/** For tests only: a shorter idle time for the spare, in ms. It can only shorten the time the
 * user chose, never lengthen it, so it gives no way to keep a host around longer. */
const IDLE_ENV = 'RLM_TUI_WARM_IDLE_MS';

/**
 * Arranges for a warm sandbox to be left at exit when `minutes()` (read then: /set may change it)
 * is above 0. It starts from the snapshot in the user's cache dir.
 */
export async function keepWarmAtExit(minutes: () => number | undefined, stderr: NodeJS.WritableStream): Promise<void> {
	const {leaveWarmSpare, warmDirProblem} = await import('../sandbox/warm-spare.js');
	const {defaultCacheDir} = await import('../sandbox/paths.js');
	if (!minutes()) return registerLater();

	const problem = warmDirProblem();
	if (problem) {
		tell(stderr, `rlm-tui: ${problem}`);
		return;
	}
	registerLater();

	function registerLater(): void {
		process.once('exit', (code) => {
			const chosen = minutes();
			if (!chosen || left || restoredIdleMs(code) !== null) return;
			left = true;
			const shorter = Number(process.env[IDLE_ENV]);
			const idleMs = Number.isFinite(shorter) && shorter > 0 ? Math.min(shorter, chosen * 60_000) : chosen * 60_000;
			const outcome = leaveWarmSpare({idleMs, cacheDir: defaultCacheDir()});
			if (!outcome.left && outcome.problem) {
				try {
					fs.writeSync(2, `${printable(`rlm-tui: ${outcome.problem}`)}\n`);
				} catch {
					// stderr is gone
				}
			}
		});
	}
}
