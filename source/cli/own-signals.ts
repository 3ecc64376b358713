// The app decides what a signal does: the first Ctrl+C cancels, the next quits, the terminal is
// restored. conf writes its file through `atomically`, whose `when-exit` hooks every signal when it
// is imported and re-raises the signal after its clean-up: one Ctrl+C then arrived twice, so the
// line mode quit where it should have cancelled. Its clean-up (the temporary file of a write cut
// short) still runs on 'exit', which each of the app's ways out reaches.
// Before a mode handles them, one listener of ours (keep-warm.ts) ends the process on them through
// process.exit, so its 'exit' handlers run: a signal's default action would skip them.

/** The signals the app's modes handle themselves (headless, line mode, full screen). */
const APP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/** The exit code of a process a signal ended: 128 + the signal's number, as a shell reports it. */
export const SIGNAL_EXIT_CODES: Readonly<Record<string, number>> = {SIGHUP: 129, SIGINT: 130, SIGQUIT: 131, SIGTERM: 143};

const ours = new Set<(signal: NodeJS.Signals) => void>();

/**
 * Puts `listener` on the app's signals until the process ends; dropDependencySignalHooks leaves it.
 * It runs beside a mode's own listeners: it should act only when it is the one listener there is
 * (`process.listenerCount(signal) === 1`).
 */
export function listenToAppSignals(listener: (signal: NodeJS.Signals) => void): void {
	ours.add(listener);
	for (const signal of APP_SIGNALS) process.on(signal, listener);
}

/** Removes the listeners that imported dependencies put on the app's signals. Call it after each
 * import that may bring such a dependency (the settings store, which loads conf) and before a mode
 * installs its own. */
export function dropDependencySignalHooks(): void {
	for (const signal of APP_SIGNALS) {
		for (const listener of process.listeners(signal)) if (!ours.has(listener)) process.off(signal, listener as () => void);
	}
}
