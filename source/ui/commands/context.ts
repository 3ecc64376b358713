// /context PATH…: files, folders and globs (as -c takes them) as the context of the next
// questions; /context off clears it; /context alone tells what is loaded now.
import {contextBadge, describeBadge, describeLoaded, loadContext, skippedLine, type ContextBadge} from '../../context/index.js';
import {firstLine} from '../engine-port.js';
import {addChat} from '../state/updates.js';
import {defineCommand, splitWords} from './command.js';

/** How long a /context read goes before the chat says it is still reading, in ms. */
const SLOW_READ_MS = 400;

export const contextCommand = defineCommand<{paths: readonly string[] | null}>({
	name: 'context',
	usage: '/context [PATH…]',
	help: 'load files, folders and globs as the context of the next questions, as -c does (quote a path with spaces; /context off clears it; alone: what is loaded now); a question asked while it still reads (a big folder, a pipe) waits for it',
	run(state, args, queue) {
		const paths = splitWords(args);
		if (paths.length === 0) return addChat(state, 'info', contextNow(state.config.context));
		return queue(state, {paths: paths.length === 1 && /^(off|none|clear)$/i.test(paths[0]!) ? null : paths});
	},
	async perform({paths}, context) {
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
			context.rlm.setContext(loaded.context);
			context.dispatch({type: 'config', config: {context: contextBadge(loaded)}});
			context.say('info', `Context: ${describeLoaded(loaded)} for the next questions.`);
			for (const note of loaded.notes) context.say('notice', `Context: ${note}.`);
			const skipped = skippedLine(loaded.skipped);
			if (skipped) context.say('notice', `Context: ${skipped}.`);
		} catch (error) {
			context.say('error', firstLine(error));
		} finally {
			clearTimeout(slow);
		}
	},
});

/** /context alone: what the next questions get, and how to change it. */
function contextNow(badge: ContextBadge | null | undefined): string {
	if (!badge) return 'No context: each question is its own context. Load one with /context PATH… (files, folders, quoted globs such as "docs/**/*.md").';
	return `Context: ${describeBadge(badge)}. Replace it with /context PATH…, clear it with /context off.`;
}
