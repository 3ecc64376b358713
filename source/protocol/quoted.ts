// How an error message quotes what the user, a model or a server gave: in double quotes, with
// line breaks and other controls escaped as in JSON, so the quote stays on the message's one line
// and shows exactly what was given ("a\r\nb", not a second line that looks like the app's own);
// so are DEL, the C1 controls and the characters that disguise text (json-escape.ts);
// exactly but for a secret in it (a key, a URL's credentials: redact.ts), which shows as
// [redacted], as a message is read on screens and kept in logs.
import {escapeUnsafeInJson} from './json-escape.js';
import {redactSecrets} from './redact.js';

/** How many characters of a value a message shows before it cuts it with `…`. */
export const SHOWN_CHARS = 60;

/** `text` cut to its first `max` characters and `…`; shorter text as it is. Cut only what is
 * already redacted, so no part of a key shows. */
export const clipped = (text: string, max = SHOWN_CHARS): string => (text.length > max ? `${text.slice(0, max)}…` : text);

/** `text` in double quotes, JSON-escaped (a line break shows as \n), without any secret it holds:
 * the ones redactSecrets finds by their shape, and each of `known` (a key the user gave). */
export const quoted = (text: string, known: readonly string[] = []): string => escapeUnsafeInJson(JSON.stringify(redactSecrets(text, known)));

/** As quoted, cut to its first `max` characters (redacted before it is cut): for a value a user
 * or a client typed (a setting, a model name a client sent), which may be long or hold a key. */
export const quotedClip = (text: string, max = SHOWN_CHARS): string => escapeUnsafeInJson(JSON.stringify(clipped(redactSecrets(text), max)));
