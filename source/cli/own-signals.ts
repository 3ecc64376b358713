// The app decides what a signal does: the first Ctrl+C cancels, the next quits, the terminal is
// restored. conf writes its file through `atomically`, whose `when-exit` hooks every signal when it
// is imported and re-raises the signal after its clean-up: one Ctrl+C then arrived twice, so the
// line mode quit where it should have cancelled. Its clean-up (the temporary file of a write cut
// short) still runs on 'exit', which each of the app's ways out reaches.

/** The signals the app's modes handle themselves (headless, line mode, full screen). */
const APP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/** Removes the listeners that imported dependencies put on the app's signals. Call it after each
 * import that may bring such a dependency (the settings store, which loads conf) and before a mode
 * installs its own. */
export function dropDependencySignalHooks(): void {
	for (const signal of APP_SIGNALS) process.removeAllListeners(signal);
}
