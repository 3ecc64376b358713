// What a folder or glob passed over, told in one line (stderr, the chat, MCP notes, load errors).
import type {SkippedFile} from './found-files.js';
import {formatCount} from '../protocol/numbers.js';

/** "skipped 4 files: 3 binary (a.png, b.png, c.png), 1 unreadable (x.txt)"; '' when none was. */
export function skippedLine(skipped: readonly SkippedFile[], shown = 3): string {
	if (skipped.length === 0) return '';
	const groups = new Map<string, string[]>();
	for (const file of skipped) groups.set(file.reason, [...(groups.get(file.reason) ?? []), file.name]);
	const parts = [...groups].map(([reason, names]) => {
		const more = names.length > shown ? `, +${names.length - shown} more` : '';
		// Reasons read as adjectives ("binary"), or as a noun for one ("link to a folder", "broken
		// link"): that one takes a plural.
		const said = names.length > 1 ? reason.replace(/^link /, 'links ').replace(/ link$/, ' links') : reason;
		return `${names.length} ${said} (${names.slice(0, shown).join(', ')}${more})`;
	});
	return `skipped ${formatCount(skipped.length)} file${skipped.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
}
