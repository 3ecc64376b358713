// Text from the model, its Python and its logs is shown in a terminal: control characters in it
// (escape sequences that set the clipboard, retitle the window, clear the screen) are dropped
// before anything draws it. Newlines and tabs stay. So are invisible format characters that stand
// alone (zero width space, word joiner, bidi controls, BOM): a terminal gives them no cell while
// Ink gives each one, so the character after one was lost; they also disguise text. The joiners
// that emoji and some scripts need (ZWJ, ZWNJ, tag characters) stay: they attach to a character.
import type {RlmEvent} from '../protocol/events.js';

const controls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]|(?![\u200c\u200d\u{e0020}-\u{e007f}])\p{Cf}/gu;

export const safeText = (text: string): string => text.replace(controls, '');

const textFields = ['text', 'reasoning', 'code', 'stdout', 'stderr', 'error', 'prompt', 'response', 'answer', 'question', 'message'] as const;

/** The event with every displayed string made safe (the same object when nothing changed). */
export function safeEvent(event: RlmEvent): RlmEvent {
	let copy: Record<string, unknown> | null = null;
	for (const field of textFields) {
		const value = (event as unknown as Record<string, unknown>)[field];
		if (typeof value !== 'string') continue;
		const clean = safeText(value);
		if (clean !== value) {
			copy ??= {...event};
			copy[field] = clean;
		}
	}
	return (copy ?? event) as RlmEvent;
}
