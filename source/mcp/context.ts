// The context of an rlm_query call: its `paths` loaded as `-c` loads them (files, folders honouring
// .gitignore, globs; the same size cap), only inside the allowed folders, and its `context` text.
import {AllowedFolders, ContextLoadError, loadContext, skippedLine, type ContextFormat} from '../context/index.js';
import type {SandboxContext} from '../protocol/repl.js';

export interface CallContext {
	context?: SandboxContext;
	/** What was loaded, in words, and what was skipped (for the result's notes). */
	notes: string[];
}

/** The key the `context` text gets when it joins loaded files in one dict. */
function textKey(taken: Record<string, unknown>): string {
	let key = 'context';
	while (key in taken) key = `${key}_text`;
	return key;
}

/**
 * Loads a call's context. `folders` are the allowed folders (the client's roots, then --allow-dir);
 * relative paths start at the first of them.
 * @throws ContextLoadError with one line for the agent: a path outside the folders, none declared,
 * a missing file, a folder over the size cap...
 */
export async function callContext(
	request: {paths?: string[]; context?: string; format?: ContextFormat},
	folders: readonly string[],
	options: {maxContextBytes?: number},
): Promise<CallContext> {
	const {paths, context: text} = request;
	if (!paths?.length) return {...(text !== undefined ? {context: text} : {}), notes: []};
	const within = await AllowedFolders.of(folders);
	if (within.folders.length === 0) {
		throw new ContextLoadError(
			'No folder may be read: the client declared no roots and the server has no --allow-dir. Add the project as a root in the client, or start rlm-tui mcp with --allow-dir DIR; or pass the text as `context`.',
		);
	}
	const loaded = await loadContext(paths, {
		cwd: within.folders[0]!,
		within,
		...(options.maxContextBytes ? {maxBytes: options.maxContextBytes} : {}),
		...(request.format ? {format: request.format} : {}),
	});
	const skipped = skippedLine(loaded.skipped);
	const notes = skipped ? [`Context: ${skipped}.`] : [];
	if (text === undefined) return {context: loaded.context, notes};
	const value = loaded.context;
	// Files loaded as a dict (a folder, a glob, several paths) take the text beside them; one file's
	// value (a str, or parsed data) goes under its name.
	const isFiles = typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === loaded.files && Object.values(value).every((v) => typeof v === 'string');
	const files: Record<string, SandboxContext> = isFiles ? {...(value as Record<string, string>)} : {[loaded.label]: value};
	return {context: {...files, [textKey(files)]: text}, notes};
}
