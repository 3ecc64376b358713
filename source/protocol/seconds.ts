// How a message says a duration in seconds: one formatter for the backends' retry and timeout
// notices, the sandbox's, and the engine's cut-off notices.

/**
 * `ms` (milliseconds) as seconds rounded to the nearest tenth (a half rounds up), without a
 * trailing ".0": 1500 → "1.5 s", 1990 and 2000 → "2 s", 60000 → "60 s", 40 → "0 s".
 */
export function formatSeconds(ms: number): string {
	return `${Math.round(ms / 100) / 10} s`;
}
