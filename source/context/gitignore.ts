// .gitignore rules as git applies them, matched by the `ignore` package: every .gitignore from the
// repository's top (the folder holding .git) down to a file's folder, the deepest one that has a
// matching rule (an ignore or a `!` re-include) deciding. .git/ and node_modules/ are skipped too.
import {readInputFile, type InputSpec} from '../protocol/bounded-read.js';
import {existsSync} from 'node:fs';
import {dirname, isAbsolute, join, relative, sep} from 'node:path';
import ignore, {type Ignore} from 'ignore';

/** Folders skipped wherever they are, unless the user names one (or a path inside one). */
export const alwaysSkipped = ['.git', 'node_modules'] as const;

const toPosix = (path: string) => (sep === '/' ? path : path.split(sep).join('/'));

/** The nearest folder at or above `dir` that holds a .git (folder or worktree file). */
function repositoryTop(dir: string): string | undefined {
	for (let current = dir; ; current = dirname(current)) {
		if (existsSync(join(current, '.git'))) return current;
		if (dirname(current) === current) return undefined;
	}
}

/** A .gitignore of 16 MiB is past any real one; a bigger one (or a device, a pipe) is no rules. */
const gitignoreInput: InputSpec = {what: '.gitignore', limit: 16 * 1024 * 1024, tooLarge: 'not read'};

export class GitignoreRules {
	/** The highest folder whose .gitignore applies. */
	readonly top: string;
	readonly #files = new Map<string, Promise<Ignore | null>>();
	readonly #folders = new Map<string, Promise<boolean>>();

	private constructor(top: string) {
		this.top = top;
	}

	/**
	 * The rules for what is under `base` (an absolute folder): those from the top of the repository
	 * it is in, else from `cwd` when `base` is inside it, else only its own and deeper ones. When
	 * the higher rules ignore `base` itself, the user named it on purpose: only its own and deeper
	 * rules apply.
	 */
	static async for(base: string, cwd?: string): Promise<GitignoreRules> {
		const inCwd = cwd !== undefined && !relative(cwd, base).startsWith('..') && !isAbsolute(relative(cwd, base));
		const top = repositoryTop(base) ?? (inCwd ? cwd : undefined);
		if (top === undefined || top === base) return new GitignoreRules(base);
		const repository = new GitignoreRules(top);
		return (await repository.ignored(base, true)) ? new GitignoreRules(base) : repository;
	}

	/** Whether `path` (absolute, under `top`) is ignored; folders inside an ignored folder are too. */
	ignored(path: string, isFolder: boolean): Promise<boolean> {
		if (!this.#inside(path)) return Promise.resolve(false);
		if (!isFolder) return this.#ignoredHere(path, false);
		let known = this.#folders.get(path);
		if (!known) {
			known = this.#ignoredHere(path, true);
			this.#folders.set(path, known);
		}
		return known;
	}

	async #ignoredHere(path: string, isFolder: boolean): Promise<boolean> {
		const parent = dirname(path);
		if (parent !== path && this.#inside(parent) && parent !== this.top && (await this.ignored(parent, true))) return true;
		// The deepest .gitignore with a matching rule decides, as in git.
		for (let folder = parent; ; folder = dirname(folder)) {
			const rules = await this.#rulesIn(folder);
			if (rules) {
				const verdict = rules.test(toPosix(relative(folder, path)) + (isFolder ? '/' : ''));
				if (verdict.ignored) return true;
				if (verdict.unignored) return false;
			}
			if (folder === this.top || dirname(folder) === folder) return false;
		}
	}

	#inside(path: string): boolean {
		const rel = relative(this.top, path);
		return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) && !/^[a-zA-Z]:/.test(rel);
	}

	#rulesIn(folder: string): Promise<Ignore | null> {
		let rules = this.#files.get(folder);
		if (!rules) {
			// Only a regular file of sane size: a FIFO named .gitignore hung the load, a link to /dev/zero never ended.
			rules = readInputFile(join(folder, '.gitignore'), gitignoreInput).then(
				(bytes) => ignore().add(bytes.toString('utf8')),
				() => null,
			);
			this.#files.set(folder, rules);
		}
		return rules;
	}
}
