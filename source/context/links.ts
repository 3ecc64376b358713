// Symbolic links a folder walk or a glob meets. A link is read only when the file it leads to really
// lies within reach: the folder walked (the glob's leading folder), or the allowed folders when
// there are some. A cloned repository's `notes.txt -> ~/.aws/credentials` would otherwise put the
// credentials into what the model reads. Links to folders are not followed (they can loop, and git
// does not follow them either); a file the user names is read wherever it leads.
import type {Stats} from 'node:fs';
import {realpath, stat} from 'node:fs/promises';
import type {SkipReason} from './found-files.js';
import {AllowedFolders} from './within.js';

/** Where the links of one walk or glob may lead, and what a link leading elsewhere is called. */
export interface Reach {
	folders: AllowedFolders;
	outside: SkipReason;
}

/** The reach of a walk or glob from `root` (absolute): the allowed folders when given, else `root`. */
export async function reachOf(root: string, within: AllowedFolders | undefined): Promise<Reach> {
	if (within) return {folders: within, outside: 'outside the allowed folders'};
	return {folders: await AllowedFolders.of([root]), outside: 'link leading out of the folder'};
}

/** 'file' when the link at `path` leads to a regular file within reach; else why it is skipped. */
export async function followLink(path: string, reach: Reach): Promise<'file' | SkipReason> {
	const real = await realpath(path).catch(() => null);
	// What lies outside reach is not looked at: the target is stat'ed only once it is known to be inside.
	const inside = real !== null && reach.folders.contains(real);
	return linkKind(real, inside ? await stat(real).catch(() => null) : null, reach);
}

/** What a link is, given where it leads (`real`: null when its target is missing or it loops) and
 * that target's stats (null when they could not be read). */
export function linkKind(real: string | null, target: Stats | null, reach: Reach): 'file' | SkipReason {
	if (real === null) return 'broken link';
	if (!reach.folders.contains(real)) return reach.outside;
	if (target?.isDirectory()) return 'link to a folder';
	return target?.isFile() ? 'file' : 'not a regular file';
}
