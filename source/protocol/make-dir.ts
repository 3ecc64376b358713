// Creating a directory and its missing parents without `mkdir(..., {recursive: true})`: Node's
// recursive mkdir never returns for a path under /proc that does not exist (`--log-dir /proc/x`
// spun a core for minutes and ignored SIGTERM; so did XDG_CONFIG_HOME=/proc/self), so the parents
// are made one at a time. Every folder rlm-tui makes (settings, logs, the snapshot cache, warm
// sockets) is made here.
import {mkdirSync, statSync} from 'node:fs';
import {dirname, resolve} from 'node:path';

/**
 * Makes `dir` and any missing parents with `mode` (e.g. 0o700).
 * @throws the fs error (ENOENT, EACCES, ENOTDIR, EEXIST for a file in the way...) of the first
 * directory that cannot be made.
 */
export function makeDirectory(dir: string, mode: number): void {
	const missing: string[] = [];
	for (let at = resolve(dir); ; at = dirname(at)) {
		try {
			if (statSync(at).isDirectory()) break;
			// A file where a directory should be: mkdir reports it as EEXIST.
			mkdirSync(at, {mode});
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(at) === at) throw error;
			missing.push(at);
		}
	}
	for (const at of missing.reverse()) {
		try {
			mkdirSync(at, {mode});
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		}
	}
}
