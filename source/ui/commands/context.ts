// /context PATH…: files, folders and globs (as -c takes them) as the context of the next
// questions; /context off clears it; /context alone tells what is loaded now.
import {contextBadge, ContextTooLargeError, describeBadge, describeLoaded, formatBytes, loadContext, skippedLine, type ContextBadge} from '../../context/index.js';
import {firstLine} from '../engine-port.js';
import {addChat} from '../state/updates.js';
import {defineCommand, splitWords} from './command.js';

/** How long a /context read goes before the chat says it is still reading, in ms. */
const SLOW_READ_MS = 400;

/** Per app (its engine): the number of the last /context given. A read that ends after a later
 * /context (another path, off) was given is not used: the last one given is the one that counts. */
const lastGiven = new WeakMap<object, number>();

/** Thrown by a /context whose read failed (its error already said): the questions that waited for
 * it are not asked without it (effects.ts gives each back). `paths`: as given, space-separated. */
export class ContextReadFailed extends Error {
	constructor(readonly paths: string) {
		super(`the context (${paths}) failed to load`);
	}
}

export const contextCommand = defineCommand<{paths: readonly string[] | null}>({
	name: 'context',
	usage: '/context [PATH…]',
	help: 'load files, folders and globs as the context of the next questions, as -c does (quote a path with spaces; /context off clears it; alone: what is loaded now); a question asked while it still reads (a big folder, a pipe) waits for it; a later /context replaces one still reading',
	run(state, args, queue) {
		const paths = splitWords(args);
		if (paths.length === 0) return addChat(state, 'info', contextNow(state.config.context, state.config.contextLoading));
		const off = paths.length === 1 && /^(off|none|clear)$/i.test(paths[0]!);
		return queue({...state, config: {...state.config, contextLoading: off ? null : paths.join(' ')}}, {paths: off ? null : paths});
	},
	async perform({paths}, context) {
		const given = (lastGiven.get(context.rlm) ?? 0) + 1;
		lastGiven.set(context.rlm, given);
		const replaced = () => lastGiven.get(context.rlm) !== given;
		// A read's outcome goes at the chat's end, after what was said while it read: its last word on it.
		const tell = (kind: 'info' | 'notice' | 'error', text: string) => context.dispatch({type: 'chat', kind, text});
		if (paths === null) {
			context.rlm.setContext(null);
			context.dispatch({type: 'config', config: {context: null}});
			context.say('info', 'Context cleared: each question is its own context again.');
			return;
		}
		// A slow read (a big folder, a pipe) says so; questions asked meanwhile wait for it (effects.ts).
		const slow = setTimeout(() => context.say('info', `Reading the context (${paths.join(' ')})… questions asked meanwhile wait for it; Esc cancels one.`), SLOW_READ_MS);
		try {
			const loaded = await loadContext(paths, {...context.contextLoad, cwd: context.cwd});
			if (replaced()) {
				tell('info', `Context: the read of ${paths.join(' ')} ended after a later /context: not used.`);
				return;
			}
			context.rlm.setContext(loaded.context);
			context.dispatch({type: 'config', config: {context: contextBadge(loaded)}});
			tell('info', `Context: ${describeLoaded(loaded)} for the next questions.`);
			for (const note of loaded.notes) tell('notice', `Context: ${note}.`);
			const skipped = skippedLine(loaded.skipped);
			if (skipped) tell('notice', `Context: ${skipped}.`);
		} catch (error) {
			tell('error', error instanceof ContextTooLargeError ? tooLarge(error) : firstLine(error));
			if (!replaced()) throw new ContextReadFailed(paths.join(' '));
		} finally {
			clearTimeout(slow);
			if (!replaced()) context.dispatch({type: 'config', config: {contextLoading: null}});
		}
	},
});

/** The cap's error as the app says it: the cap is a command-line flag that no /set key changes. */
function tooLarge(error: ContextTooLargeError): string {
	const suggested = Math.ceil((error.maxBytes * 2) / 1024 ** 2);
	return `The folders and globs to load hold more than the ${formatBytes(error.maxBytes)} cap (reached at ${error.reachedAt}): narrow it with a glob or .gitignore, or restart the app with --max-context-bytes ${suggested}M (no /set key changes it).`;
}

/** /context alone: what the next questions get (a read under way: that one), and how to change it. */
function contextNow(badge: ContextBadge | null | undefined, loading: string | null | undefined): string {
	if (loading) return `Still reading the context (${loading}); the next questions wait for it and get it. /context PATH… replaces it, /context off drops it.`;
	if (!badge) return 'No context: each question is its own context. Load one with /context PATH… (files, folders, quoted globs such as "docs/**/*.md").';
	return `Context: ${describeBadge(badge)}. Replace it with /context PATH…, clear it with /context off.`;
}
