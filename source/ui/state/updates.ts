// Small pure updates that the reducer and the slash commands both make.
import {safeText} from '../../text/safe-text.js';
import type {AppState, ChatKind, ChatEntry, Effect} from './types.js';

/** A chat entry at the bottom (made safe to draw); the chat scrolls back to the bottom. */
export function addChat(state: AppState, kind: ChatKind, rawText: string, meta?: string, shown?: string): AppState {
	const text = safeText(rawText);
	const entry: ChatEntry = {id: state.nextChatId, kind, text, ...(meta ? {meta} : {}), ...(shown !== undefined ? {shown: safeText(shown)} : {})};
	return {...state, chat: [...state.chat, entry], nextChatId: state.nextChatId + 1, chatScroll: 0};
}

/** Queues an effect, run by the effect runner after the render. */
export function withEffect(state: AppState, effect: Effect): AppState {
	const seq = state.effectSeq + 1;
	return {...state, effectSeq: seq, effects: [...state.effects, {...effect, seq}]};
}

export const openHelp = (state: AppState): AppState => ({...state, dialog: {type: 'help', scroll: 0}});
