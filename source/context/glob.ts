// Globs the shell did not expand (`-c 'docs/**/*.md'`), matched by tinyglobby. Like folders, they
// honour .gitignore, skip .git/ and node_modules/ unless the pattern names them, and read a link
// only when it leads to a file within reach (links.ts), the glob's leading folder; a broken link
// it matches is reported as skipped.
import {lstat, realpath, stat, type Stats} from 'node:fs';
import {resolve} from 'node:path';
import {glob, isDynamicPattern} from 'tinyglobby';
import {alwaysSkipped, GitignoreRules} from './gitignore.js';
import type {FoundFile, SkippedFile} from './found-files.js';
import {linkKind, reachOf} from './links.js';
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

/** The links a glob's walk met: each link's path -> where it leads (null: nowhere, a broken link),
 * and each target's stats. */
interface LinksMet {
	links: Map<string, string | null>;
	targets: Map<string, Stats>;
}

/**
 * The file system tinyglobby walks with. Its crawler (fdir) calls `realpath` and then `stat` only for
 * a link (entries' types come from the folder listing): these note each link and its target, so the
 * matches need no lstat of their own. They also change two things. A link to a folder is reported as
 * something else, so the crawler lists it like a file link instead of walking into it (a linked
 * folder may lead anywhere, ~ or /); the link is then skipped (links.ts). A link whose target is
 * missing, which the crawler would drop without a word, is listed with its own (link) stats, so a
 * pattern it matches reports it as skipped.
 */
function linkNotingFs(met: LinksMet) {
	return {
		realpath: ((path: string, done: (error: NodeJS.ErrnoException | null, real?: string) => void) =>
			realpath(path, (error, real) => {
				met.links.set(path, error ? null : real);
				done(null, error ? path : real);
			})) as unknown as typeof realpath,
		stat: ((path: string, done: (error: NodeJS.ErrnoException | null, stats?: Stats) => void) => {
			if (met.links.get(path) === null) {
				lstat(path, done);
				return;
			}
			stat(path, (error, stats) => {
				if (error) return done(error);
				met.targets.set(path, stats);
				done(null, stats.isDirectory() ? Object.assign(Object.create(stats) as Stats, {isDirectory: () => false}) : stats);
			});
		}) as typeof stat,
	};
}

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
	const met: LinksMet = {links: new Map(), targets: new Map()};
	const options = {cwd: root, onlyFiles: true, expandDirectories: false, followSymbolicLinks: true, fs: linkNotingFs(met), ignore: skip};
	const matches = (await glob(rest, options)).sort();
	const [rules, reach] = await Promise.all([GitignoreRules.for(root, cwd), reachOf(root, within)]);
	const files: FoundFile[] = [];
	const skipped: SkippedFile[] = [];
	for (const match of matches) {
		const path = resolve(root, match);
		if (await rules.ignored(path, false)) continue;
		const key = base ? `${base.replace(/\/$/, '')}/${match}` : match;
		const real = met.links.get(path);
		const kind = real === undefined ? 'file' : linkKind(real, real === null ? null : (met.targets.get(real) ?? null), reach);
		if (kind === 'file') files.push({path, key});
		else skipped.push({name: key, reason: kind});
	}
	return {files, skipped};
}
