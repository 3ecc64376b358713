// Whether the snapshot cache may be trusted. The host restores Python's memory from the snapshot and
// runs V8's code cache as JavaScript; their checksums catch a damaged file, not a forged one. So
// they are read only from a folder no one else can write, and only when they are plain files of
// this user's (not a FIFO or a link to /dev/zero, which would stall or flood a start).
import fs from 'node:fs';

/** The largest cache file read, in bytes: a snapshot is about 15 MB, a code cache about 1.3 MB. */
const maxCacheFileBytes = 1024 * 1024 * 1024;

const ownUid = typeof process.getuid === 'function' ? process.getuid() : undefined;

/**
 * Why the cache folder `dir` must not be used, or null when it may (or does not exist yet: it is
 * then made 0700). A folder (symbolic links followed) of another user's, or one its group or others
 * can write, could hand the host a forged snapshot or code cache. Never throws.
 */
export function cacheDirProblem(dir: string): string | null {
	let stat: fs.Stats;
	try {
		stat = fs.statSync(dir);
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'ENOENT' ? null : `${dir} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
	}
	if (!stat.isDirectory()) return `${dir} is not a folder`;
	if (ownUid !== undefined && stat.uid !== ownUid) return `${dir} belongs to another user (uid ${stat.uid})`;
	if ((stat.mode & 0o022) !== 0) return `${dir} can be written by its group or others (mode ${(stat.mode & 0o777).toString(8)}; chmod 700 it)`;
	return null;
}

/** Whether `file` is a cache file to read: a regular file (not a link) of this user's that no one
 * else can write, of a sane size. Never throws. */
export function trustedCacheFile(file: string): boolean {
	try {
		const stat = fs.lstatSync(file);
		return stat.isFile() && (ownUid === undefined || stat.uid === ownUid) && (stat.mode & 0o022) === 0 && stat.size <= maxCacheFileBytes;
	} catch {
		return false;
	}
}

/** The cache file `file` in `dir` when both may be trusted, else null (a cold start, or compiling). */
export function trustedCachePath(dir: string, file: string): string | null {
	return cacheDirProblem(dir) === null && trustedCacheFile(file) ? file : null;
}
