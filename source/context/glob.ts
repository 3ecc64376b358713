// Globs the shell did not expand (`-c 'docs/**/*.md'`), matched by tinyglobby. Like folders, they
// honour .gitignore, skip .git/ and node_modules/ unless the pattern names them, and read a link
// only when it leads to a file within reach (links.ts), the glob's leading folder.
import {stat, type Stats} from 'node:fs';
import {lstat} from 'node:fs/promises';
import {resolve} from 'node:path';
import {glob, isDynamicPattern} from 'tinyglobby';
import {alwaysSkipped, GitignoreRules} from './gitignore.js';
import type {FoundFile, SkippedFile} from './found-files.js';
import {followLink, reachOf} from './links.js';
import type {AllowedFolders} from './within.js';

/** Whether a path the user gave is a glob pattern rather than a name. */
export const isGlob = (spec: string): boolean => isDynamicPattern(spec);

/** A pattern split into its leading segments that hold no glob syntax and the rest. */
function split(pattern: string): {base: string; rest: string} {
	const segments = pattern.split('/');
	let fixed = 0;
	while (fixed < segments.length - 1 && !isDynamicPattern(segments[fixed]!)) fixed++;
	const base = segments.slice(0, fixed).join('/');
	return {base: fixed > 0 && base === '' ? '/' : base, rest: segments.slice(fixed).join('/')};
}

/** The folder a pattern's matching starts from: its leading segments without glob syntax. */
export const globBase = (pattern: string): string => split(pattern).base;

// tinyglobby lists links only when it follows them, and then it walks into linked folders (which
// may lead anywhere, ~ or /). Its crawler stats a link's target only to decide that; a folder
// reported as something else is listed like a file link instead, and followLink then skips it.
const notIntoLinkedFolders = {
	stat: ((path: string, done: (error: NodeJS.ErrnoException | null, stats?: Stats) => void) =>
		stat(path, (error, stats) => done(error, stats?.isDirectory() ? Object.assign(Object.create(stats) as Stats, {isDirectory: () => false}) : stats))) as typeof stat,
};

/**
 * The files a pattern matches under `cwd`, sorted, keyed by the path as the pattern spells it
 * (`docs/a.md` for `docs/*.md`, with `/`). Hidden files match only when the pattern spells the dot.
 * A link is listed when it leads to a file inside the pattern's leading folder (or inside `within`,
 * when given); the others are skipped, with why.
 */
export async function expandGlob(pattern: string, cwd: string, within?: AllowedFolders): Promise<{files: FoundFile[]; skipped: SkippedFile[]}> {
	const {base, rest} = split(pattern);
	const named = (name: string) => pattern.split('/').includes(name);
	const skip = alwaysSkipped.filter((name) => !named(name)).map((name) => `**/${name}/**`);
	const root = resolve(cwd, base || '.');
	const options = {cwd: root, onlyFiles: true, expandDirectories: false, followSymbolicLinks: true, fs: notIntoLinkedFolders, ignore: skip};
	const matches = (await glob(rest, options)).sort();
	const [rules, reach] = await Promise.all([GitignoreRules.for(root, cwd), reachOf(root, within)]);
	const files: FoundFile[] = [];
	const skipped: SkippedFile[] = [];
	for (const match of matches) {
		const path = resolve(root, match);
		if (await rules.ignored(path, false)) continue;
		const key = base ? `${base.replace(/\/$/, '')}/${match}` : match;
		const link = (await lstat(path).catch(() => null))?.isSymbolicLink() ?? false;
		const kind = link ? await followLink(path, reach) : 'file';
		if (kind === 'file') files.push({path, key});
		else skipped.push({name: key, reason: kind});
	}
	return {files, skipped};
}
