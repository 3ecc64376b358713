// A list of names as one short line: all of them when few, else the count and the first few
// (a resumed session can hold thousands of variables).
import {formatCount} from '../protocol/numbers.js';

/** Names listed whole up to this many (a line or two); past it, the count and the first ten. */
const LISTED_NAMES = 20;
const FIRST_NAMES = 10;

/** `a, b, c`; `none` for none; for many `1,000 (a, b, … j and 990 more)`. */
export function namesSummary(names: readonly string[]): string {
	if (names.length === 0) return 'none';
	if (names.length <= LISTED_NAMES) return names.join(', ');
	const first = names.slice(0, FIRST_NAMES);
	return `${formatCount(names.length)} (${first.join(', ')} and ${formatCount(names.length - first.length)} more)`;
}
