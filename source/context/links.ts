// Symbolic links a folder walk or a glob meets. A link is read only when the file it leads to really
// lies within reach: the folder walked (the glob's leading folder), or the allowed folders when
// there are some. A cloned repository's `notes.txt -> ~/.aws/credentials` would otherwise put the
// credentials into what the model reads. Links to folders are not followed (they can loop, and git
// does not follow them either); a file the user names is read wherever it leads.
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
	if (real === null) return 'not a regular file';
	if (!reach.folders.contains(real)) return reach.outside;
	const target = await stat(real).catch(() => null);
	if (target?.isDirectory()) return 'link to a folder';
	return target?.isFile() ? 'file' : 'not a regular file';
}
