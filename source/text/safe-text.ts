// Text from the model, its Python and its logs is shown in a terminal: every string of an event
// goes through the one sanitiser (text/printable.ts) before anything draws it, whatever its field
// (the user's own question is kept as written and made printable where it is drawn).
import type {RlmEvent} from '../protocol/events.js';
import {printable, printableMarkedDeep} from './printable.js';

export const safeText = printable;

/**
 * The event as the TUI's tree keeps it: every string in it made safe with a mark where a hidden
 * character was taken out (printableMarked: `<U+200B>`), at any depth (the same object when nothing
 * changed), so its rows and detail view show that a document, an output or a model id held hidden
 * text. But for one: the question of a root run, which is what the user typed or pasted. It is
 * kept whole (a /save file holds the question as it was sent); the tree's row and detail view draw
 * it through `printableMarked`.
 */
export function safeEvent(event: RlmEvent): RlmEvent {
	const safe = printableMarkedDeep(event);
	if (event.type !== 'run.start' || safe.type !== 'run.start' || !isRootRun(event) || safe.question === event.question) return safe;
	return {...safe, question: event.question};
}

/** A run the user asked for, not a child run a model started. */
const isRootRun = (event: {parentCallId?: string; depth: number}) => event.parentCallId === undefined && event.depth === 0;
