// A run that failed because the server has no such model (404, not_found): the models it does
// serve, read once from its list, so the fix is in the message ("It serves: a, b, c (and 12 more).").
import {listsModel} from '../protocol/listed-model.js';
import {clipped} from '../protocol/quoted.js';
import {formatCount} from '../protocol/numbers.js';
import {printableMarkedLine} from '../text/printable.js';

/** Models named whole; past them, how many more. */
const NAMED = 5;
/** A name longer than this (a hostile or broken list) is cut. */
const NAME_CHARS = 80;
/** How long the list may take: the run has failed, the user waits for the message. */
const LIST_TIMEOUT_MS = 10_000;

/**
 * ` It serves: a, b, c, d, e (and 12 more).` for a server whose list (`listModels`, the backend's
 * GET /models) has models but not `model`; '' when the list cannot be read, is empty or has it.
 * Names are cleaned of controls and disguising characters (marked) and cut at 80 characters.
 */
export async function servedModelsNote(listModels: (signal: AbortSignal) => Promise<string[]>, model: string): Promise<string> {
	let listed: string[];
	try {
		listed = await listModels(AbortSignal.timeout(LIST_TIMEOUT_MS));
	} catch {
		return '';
	}
	if (listed.length === 0 || listsModel(listed, model)) return '';
	const named = listed.slice(0, NAMED).map((name) => clipped(printableMarkedLine(name), NAME_CHARS));
	const more = listed.length > NAMED ? ` (and ${formatCount(listed.length - NAMED)} more)` : '';
	return ` It serves: ${named.join(', ')}${more}.`;
}
