// How an error message quotes what the user, a model or a server gave: in double quotes, with
// line breaks and other controls escaped as in JSON, so the quote stays on the message's one line
// and shows exactly what was given ("a\r\nb", not a second line that looks like the app's own).

/** `text` in double quotes, JSON-escaped (a line break shows as \n). */
export const quoted = (text: string): string => JSON.stringify(text);
