// Loading a context from where users keep it: files, folders, globs and stdin, as text or as
// JSON data. Shared by every front end (CLI, TUI, serve, MCP); imports only the protocol.
import {stat} from 'node:fs/promises';
import {homedir} from 'node:os';
import {basename, resolve} from 'node:path';
import pLimit from 'p-limit';
import type {JsonValue, SandboxContext} from '../protocol/repl.js';
import {ContextLoadError, ContextTooLargeError} from './errors.js';
import {walkFolder} from './folder.js';
import type {FoundFile, SkippedFile} from './found-files.js';
import {expandGlob, globBase, isGlob} from './glob.js';
import {isJsonLines, isJsonName, parseJson, parseJsonLines, parseJsonOrLines, type ContextFormat} from './json.js';
import {defaultMaxContextBytes, formatBytes, MiB} from './size.js';
import {decodeText, readIfText, readTextFile} from './text-file.js';
import {reachOf} from './links.js';
import {skippedLine} from './skipped-line.js';
import type {AllowedFolders} from './within.js';
import {formatCount} from '../protocol/numbers.js';

export interface ContextLoadOptions {
	/** Where relative paths and globs start (default: the process's working directory). */
	cwd?: string;
	/** Most bytes that folders and globs may gather together (default 100 MiB). */
	maxBytes?: number;
	/** 'json': .json files (and a single file or stdin of any name) are parsed, .jsonl/.ndjson
	 * files become lists; other files in folders stay text. Default 'text'. */
	format?: ContextFormat;
	/** Reads stdin to its end, for the path `-`; undefined when nothing came. */
	readStdin?: () => Promise<string | undefined>;
	/** Read only inside these folders (links resolved): a path named outside them is refused, a
	 * file a folder or glob finds outside them (through a link) is skipped. Default: anywhere. */
	within?: AllowedFolders;
}

export interface LoadedContext {
	/** What Python's `context` becomes. */
	context: SandboxContext;
	/** A short name for it: the file or folder as given, the glob, "stdin", or "N files" for several paths. */
	label: string;
	/** Files read (stdin counts as one). */
	files: number;
	/** Bytes read. */
	bytes: number;
	/** Files a folder or glob found but did not load, with why. */
	skipped: SkippedFile[];
	/** One line each for the texts that were not plain UTF-8 (read as Windows-1252, UTF-16, or
	 * with characters replaced), naming the file. */
	notes: string[];
}

type Source = {kind: 'stdin'} | {kind: 'file'; path: string} | {kind: 'folder'; path: string} | {kind: 'glob'; pattern: string};

const expandHome = (path: string) => (path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path);
const trimSlashes = (spec: string) => (spec.length > 1 ? spec.replace(/\/+$/, '') : spec);
/** A folder as the user gave it, ending in `/`; `.` and `..` by their own names. */
const folderLabel = (spec: string, path: string) => `${/^\.{1,2}\/*$/.test(spec) ? basename(path) || path : trimSlashes(spec)}/`;

async function sourceOf(spec: string, cwd: string, within: AllowedFolders | undefined): Promise<Source> {
	if (spec === '-') return {kind: 'stdin'};
	const path = resolve(cwd, expandHome(spec));
	const info = await stat(path).catch((error: NodeJS.ErrnoException) => error);
	if (info instanceof Error && info.code === 'ENOENT' && isGlob(spec)) {
		if (within) {
			const base = resolve(cwd, globBase(expandHome(spec)) || '.');
			await insideOrThrow(within, base, `glob ${spec} starts at ${base}, which`);
		}
		return {kind: 'glob', pattern: expandHome(spec)};
	}
	// Read where it really is, so a link swapped meanwhile cannot lead out.
	const real = within ? await insideOrThrow(within, path, spec === path ? spec : `${spec} (${path})`) : path;
	if (!(info instanceof Error)) return info.isDirectory() ? {kind: 'folder', path: real} : {kind: 'file', path: real};
	// readTextFile says what is wrong (not found, permission denied) in the usual words.
	return {kind: 'file', path: real};
}

/** The real path of `path` when it is inside the allowed folders (the path itself when it does not
 * exist: reading it then says so); a ContextLoadError naming `subject` when it is outside. */
async function insideOrThrow(within: AllowedFolders, path: string, subject: string): Promise<string> {
	const real = await within.resolve(path);
	if (real === 'missing') return path;
	if (real === 'outside') throw new ContextLoadError(`${subject} is outside the folders this server may read (${within.describe()}): name a path inside them`);
	return real;
}

/** Files found by a walk or a glob that really lie inside the allowed folders, read from where
 * they really are; the others are skipped. */
async function keepInside(found: readonly FoundFile[], within: AllowedFolders | undefined, skipped: SkippedFile[]): Promise<FoundFile[]> {
	if (!within) return [...found];
	const real = await Promise.all(found.map((file) => within.resolve(file.path)));
	const kept: FoundFile[] = [];
	found.forEach((file, index) => {
		const path = real[index]!;
		if (path === 'outside' || path === 'missing') skipped.push({name: file.key, reason: 'outside the allowed folders'});
		else kept.push({path, key: file.key});
	});
	return kept;
}

/** Text as the format asks: as it is, or parsed as JSON (lines when the name says so). */
function asFormat(text: string, name: string, format: ContextFormat, whole: 'file' | 'stdin' | 'member'): JsonValue {
	if (format !== 'json') return text;
	if (whole === 'member' && !isJsonName(name)) return text;
	if (whole === 'stdin') return parseJsonOrLines(text, name);
	return isJsonLines(name) ? parseJsonLines(text, name) : parseJson(text, name);
}

/** Walked files read under one shared byte budget; in their found order. */
class Gatherer {
	readonly #limit = pLimit(8);
	#reserved = 0;
	bytes = 0;
	readonly skipped: SkippedFile[] = [];
	readonly notes: string[] = [];

	constructor(
		private readonly maxBytes: number,
		private readonly format: ContextFormat,
	) {}

	/** The text files' entries, in the order found; binary and unreadable ones are noted as skipped. */
	async read(found: readonly FoundFile[]): Promise<Array<[string, JsonValue]>> {
		const read = await Promise.all(found.map((file) => this.#limit(() => this.#readOne(file))));
		const entries: Array<[string, JsonValue]> = [];
		for (const entry of read) {
			if ('reason' in entry) this.skipped.push(entry);
			else entries.push(entry);
		}
		return entries;
	}

	async #readOne(file: FoundFile): Promise<[string, JsonValue] | SkippedFile> {
		const result = await readIfText(file.path, (size) => {
			this.#reserved += size;
			if (this.#reserved > this.maxBytes) {
				this.#limit.clearQueue();
				throw new ContextTooLargeError(
					`the folders and globs to load hold more than the ${formatBytes(this.maxBytes)} cap (reached at ${file.key}): raise it with --max-context-bytes (e.g. --max-context-bytes ${Math.ceil((this.maxBytes * 2) / MiB)}M), or narrow it with a glob or .gitignore`,
					this.maxBytes,
					file.key,
				);
			}
		});
		if (result.kind !== 'text') return {name: file.key, reason: result.kind};
		this.bytes += result.bytes.length;
		const {text, note} = decodeText(file.key, result.bytes);
		if (note) this.notes.push(note);
		return [file.key, asFormat(text, file.key, this.format, 'member')];
	}
}

/**
 * Loads the context from what the user gave `-c` (or `/context`): one file gives its text (a str),
 * a folder or a glob a dict of relative path -> text, `-` stdin's text, several of them one dict.
 * With format 'json' data files give parsed values (a dict, a list...).
 * @throws ContextLoadError with a one-line message: a path that does not exist, a binary or
 * unreadable file named directly, a glob that matched nothing, a folder with no text file,
 * invalid JSON, folders and globs over `maxBytes`, `-` without stdin.
 */
export async function loadContext(specs: readonly string[], options: ContextLoadOptions = {}): Promise<LoadedContext> {
	if (specs.length === 0) throw new ContextLoadError('no context path given: name a file, a folder, a glob, or - for stdin');
	const cwd = options.cwd ?? process.cwd();
	const format = options.format ?? 'text';
	const gatherer = new Gatherer(options.maxBytes ?? defaultMaxContextBytes, format);
	const sources = await Promise.all(specs.map((spec) => sourceOf(spec, cwd, options.within)));
	const single = specs.length === 1;
	const entries: Entry[] = [];
	const seen = new Set<string>();
	let files = 0;
	let bytes = 0;

	const fresh = (found: FoundFile[]) => found.filter((file) => !seen.has(file.path) && seen.add(file.path));

	for (const [index, source] of sources.entries()) {
		const spec = specs[index]!;
		if (source.kind === 'stdin') {
			if (!options.readStdin) throw new ContextLoadError('-c - reads the context from stdin, which is not available here: give a file');
			const text = await options.readStdin();
			if (text === undefined) throw new ContextLoadError('-c - reads the context from stdin, but nothing came: pipe the context in (e.g. cat notes.txt | rlm-tui -c - -p "...")');
			const value = asFormat(text, 'stdin', format, 'stdin');
			files++;
			bytes += Buffer.byteLength(text, 'utf8');
			if (single) return loaded(value, 'stdin', files, bytes, [], gatherer.notes);
			entries.push({name: 'stdin', path: '<stdin>', value});
			continue;
		}
		if (source.kind === 'file') {
			if (seen.has(source.path)) continue;
			seen.add(source.path);
			const {text, note, bytes: size} = await readTextFile(source.path, spec);
			if (note) gatherer.notes.push(note);
			const value = asFormat(text, spec, format, 'file');
			files++;
			bytes += size;
			if (single) return loaded(value, basename(source.path), files, bytes, [], gatherer.notes);
			entries.push({name: basename(source.path), path: spec, value});
			continue;
		}
		const found =
			source.kind === 'folder'
				? await walkFolder(source.path, await reachOf(source.path, options.within), single ? '' : `${trimSlashes(spec)}/`, cwd)
				: await expandGlob(source.pattern, cwd, options.within);
		gatherer.skipped.push(...found.skipped);
		const read = await gatherer.read(fresh(await keepInside(found.files, options.within, gatherer.skipped)));
		if (read.length === 0) {
			const what = source.kind === 'folder' ? `folder ${spec}` : `glob ${spec}`;
			if (found.files.length === 0 && found.skipped.length > 0) {
				const nameIt = found.skipped.some((file) => file.reason === 'link leading out of the folder') ? ' (name a linked file itself to read it)' : '';
				throw new ContextLoadError(`${what} has nothing to load: ${skippedLine(found.skipped)}${nameIt}`);
			}
			const none = found.files.length === 0 ? (source.kind === 'folder' ? 'has no files' : 'matched no files') : `has no text files (${found.files.length} skipped as binary or unreadable)`;
			throw new ContextLoadError(`${what} ${none} (after .gitignore; .git/ and node_modules/ are skipped)`);
		}
		files += read.length;
		for (const [key, value] of read) entries.push({name: key, path: key, value});
	}
	bytes += gatherer.bytes;
	const label = single ? (sources[0]!.kind === 'folder' ? folderLabel(specs[0]!, sources[0]!.path) : specs[0]!) : `${formatCount(files)} files`;
	return loaded(Object.fromEntries(uniqueKeys(entries)), label, files, bytes, gatherer.skipped, gatherer.notes);
}

/** One value of a several-path context: its short key (a file's base name; a folder's or glob's
 * files already by path) and the longer one it takes when another entry shares the short one. */
interface Entry {
	name: string;
	path: string;
	value: JsonValue;
}

/** Keys that never collide, so no file is dropped: base names, the path as given for every entry
 * whose base name another shares (`-c docs/README.md -c README.md`: `docs/README.md`,
 * `README.md`), and ` (2)`, ` (3)`... on what still meets an earlier key. */
function uniqueKeys(entries: readonly Entry[]): Array<[string, JsonValue]> {
	const count = new Map<string, number>();
	for (const {name} of entries) count.set(name, (count.get(name) ?? 0) + 1);
	const taken = new Set<string>();
	return entries.map(({name, path, value}) => {
		const wanted = (count.get(name) ?? 0) > 1 ? path : name;
		let key = wanted;
		for (let n = 2; taken.has(key); n++) key = `${wanted} (${n})`;
		taken.add(key);
		return [key, value];
	});
}

function loaded(value: JsonValue, label: string, files: number, bytes: number, skipped: SkippedFile[], notes: string[]): LoadedContext {
	if (value === null) throw new ContextLoadError(`${label} holds JSON null: there is no context in it to load`);
	return {context: value, label, files, bytes, skipped, notes};
}
