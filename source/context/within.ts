// Reading only inside allowed folders (the MCP server's roots and --allow-dir): a path counts by
// where it really is, every link resolved, so a link inside an allowed folder cannot lead out of it.
import {realpath} from 'node:fs/promises';
import {isAbsolute, relative, sep} from 'node:path';

/** Whether `path` is `folder` or beneath it (both absolute, links already resolved). */
export function isInside(folder: string, path: string): boolean {
	const rel = relative(folder, path);
	return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/** The allowed folders, each resolved to where it really is. */
export class AllowedFolders {
	private constructor(
		/** The folders as given, absolute. */
		readonly given: readonly string[],
		/** The same folders, links resolved. */
		readonly folders: readonly string[],
	) {}

	/**
	 * Resolves each folder's links. Folders that do not exist are dropped (a client may declare a
	 * root that is gone); the rest keep their order.
	 */
	static async of(folders: readonly string[]): Promise<AllowedFolders> {
		const real = await Promise.all(folders.map((folder) => realpath(folder).catch(() => null)));
		const kept = folders.filter((_, index) => real[index] !== null);
		return new AllowedFolders(kept, [...new Set(real.filter((folder): folder is string => folder !== null))]);
	}

	/** Whether a path whose links are resolved lies in one of the folders. */
	contains(realPath: string): boolean {
		return this.folders.some((folder) => isInside(folder, realPath));
	}

	/**
	 * Where `path` (absolute) really is, when that is inside the folders. 'outside' when it is not
	 * (or, when it does not exist, its name is not); 'missing' for a name inside that does not exist,
	 * so the usual "not found" can be said without telling what exists outside.
	 */
	async resolve(path: string): Promise<string> {
		const real = await realpath(path).catch(() => null);
		if (real === null) return [...this.given, ...this.folders].some((folder) => isInside(folder, path)) ? 'missing' : 'outside';
		return this.contains(real) ? real : 'outside';
	}

	/** The folders for a message: "/a, /b", or "none" when there are none. */
	describe(): string {
		return this.folders.length ? this.folders.join(', ') : 'none';
	}
}
