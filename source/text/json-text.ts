// JSON as rlm-tui writes it where a person may read it raw (serve's bodies and SSE events, read
// with curl; --json and --replay --json on a terminal).

import {escapeUnsafeInJson} from '../protocol/json-escape.js';

/**
 * JSON.stringify(value, null, space), with every character a terminal would act on, or that
 * would disguise text, written as a `\uXXXX` escape. The text parses to exactly the same value
 * (an answer is data: its escape sequences are kept, not cleaned), and nothing in it reaches a
 * terminal showing the raw JSON as a control. Such characters occur only inside JSON strings,
 * where an escape is always valid (RFC 8259 §7).
 */
export function jsonText(value: unknown, space?: number): string {
	return escapeUnsafeInJson(JSON.stringify(value, null, space));
}
