// --keep-warm: when the process exits, leave a warm sandbox for the next run
// (sandbox/warm-spare.ts), unless the directory it would listen in is not private (one line says
// so, and nothing is left).
import fs from 'node:fs';
import {printable} from '../text/printable.js';
import {tell} from './tell.js';

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
		process.once('exit', () => {
			const chosen = minutes();
			if (!chosen) return;
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
