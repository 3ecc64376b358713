// Globs the shell did not expand (`-c 'docs/**/*.md'`), matched by tinyglobby. Like folders, they
// honour .gitignore and skip .git/ and node_modules/ unless the pattern names them.
import {resolve} from 'node:path';
import {glob, isDynamicPattern} from 'tinyglobby';
import {alwaysSkipped, GitignoreRules} from './gitignore.js';
import type {FoundFile} from './found-files.js';

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

/**
 * The files a pattern matches under `cwd`, sorted, keyed by the path as the pattern spells it
 * (`docs/a.md` for `docs/*.md`, with `/`). Hidden files match only when the pattern spells the dot.
 */
export async function expandGlob(pattern: string, cwd: string): Promise<FoundFile[]> {
	const {base, rest} = split(pattern);
	const named = (name: string) => pattern.split('/').includes(name);
	const skip = alwaysSkipped.filter((name) => !named(name)).map((name) => `**/${name}/**`);
	const root = resolve(cwd, base || '.');
	const matches = (await glob(rest, {cwd: root, onlyFiles: true, expandDirectories: false, followSymbolicLinks: false, ignore: skip})).sort();
	const rules = await GitignoreRules.for(root, cwd);
	const files: FoundFile[] = [];
	for (const match of matches) {
		const path = resolve(root, match);
		if (!(await rules.ignored(path, false))) files.push({path, key: base ? `${base.replace(/\/$/, '')}/${match}` : match});
	}
	return files;
}
