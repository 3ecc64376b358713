// Warnings the user must read, said in the chat too: in the tree they sit inside the run, whose
// rows fold away when it ends. Each is said once a session (a backend made anew tells it again).
import type {RlmEvent} from '../../protocol/events.js';
import type {AppState} from './types.js';
import {addChat} from './updates.js';

const SAID_IN_CHAT: ReadonlySet<string> = new Set(['model_deprecated']);

export function warnInChat(state: AppState, events: readonly RlmEvent[]): AppState {
	let next = state;
	for (const event of events) {
		if (event.type !== 'notice' || !SAID_IN_CHAT.has(event.code) || next.warned?.includes(event.message)) continue;
		next = {...addChat(next, 'notice', event.message), warned: [...(next.warned ?? []), event.message]};
	}
	return next;
}
