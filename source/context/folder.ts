// Walking a folder: every regular file under it that .gitignore does not exclude, in name order,
// skipping .git/ and node_modules/. Links to files within reach are followed (links.ts); links to
// folders are not.
import {readdir} from 'node:fs/promises';
import {join} from 'node:path';
import {alwaysSkipped, GitignoreRules} from './gitignore.js';
import type {FoundFile, SkippedFile} from './found-files.js';
import {followLink, type Reach} from './links.js';

const byName = (a: {name: string}, b: {name: string}) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * The files under `root` (absolute), keyed by their path relative to it with `/`, prefixed by
 * `keyPrefix` (e.g. "docs/" when several paths share one dict). Outside a repository, .gitignore
 * files from `cwd` down apply. A link is followed only to a file within `reach`.
 */
export async function walkFolder(root: string, reach: Reach, keyPrefix = '', cwd?: string): Promise<{files: FoundFile[]; skipped: SkippedFile[]}> {
	const rules = await GitignoreRules.for(root, cwd);
	const files: FoundFile[] = [];
	const skipped: SkippedFile[] = [];
	const visit = async (folder: string, prefix: string): Promise<void> => {
		let entries;
		try {
			entries = (await readdir(folder, {withFileTypes: true})).sort(byName);
		} catch (error) {
			if (folder === root) throw error;
			skipped.push({name: keyPrefix + prefix, reason: 'unreadable'});
			return;
		}
		for (const entry of entries) {
			const path = join(folder, entry.name);
			const key = prefix + entry.name;
			if (entry.isDirectory()) {
				if ((alwaysSkipped as readonly string[]).includes(entry.name) || (await rules.ignored(path, true))) continue;
				await visit(path, `${key}/`);
				continue;
			}
			if (entry.name === '.git' || (await rules.ignored(path, false))) continue;
			const kind = entry.isSymbolicLink() ? await followLink(path, reach) : entry.isFile() ? 'file' : 'not a regular file';
			if (kind === 'file') files.push({path, key: keyPrefix + key});
			else skipped.push({name: keyPrefix + key, reason: kind});
		}
	};
	await visit(root, '');
	return {files, skipped};
}
