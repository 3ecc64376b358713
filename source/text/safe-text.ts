// Text from the model, its Python and its logs is shown in a terminal: every string of an event
// goes through the one sanitiser (text/printable.ts) before anything draws it, whatever its field.
import type {RlmEvent} from '../protocol/events.js';
import {printable, printableDeep} from './printable.js';

export const safeText = printable;

/** The event with every string in it made safe, at any depth (the same object when nothing changed). */
export const safeEvent = (event: RlmEvent): RlmEvent => printableDeep(event);
