// Small pure updates that the reducer and the slash commands both make.
import {safeText} from '../../text/safe-text.js';
import type {AppState, ChatKind, ChatEntry, ChatTable, Effect} from './types.js';

/** What an entry may carry besides its text (see ChatEntry). */
export interface ChatExtras {
	meta?: string;
	progress?: true;
	shown?: string;
	table?: ChatTable;
}

const safeTable = (table: ChatTable): ChatTable => table.map((row) => row.map((cell) => safeText(cell)));

/** The extras made safe, as the entry keeps them. */
function entryExtras({meta, progress, shown, table}: ChatExtras): Partial<ChatEntry> {
	return {...(meta ? {meta} : {}), ...(progress ? {progress} : {}), ...(shown !== undefined ? {shown: safeText(shown)} : {}), ...(table ? {table: safeTable(table)} : {})};
}

/**
 * A chat entry at the bottom; the chat scrolls back to the bottom. Text from elsewhere (answers,
 * errors, notes) is made safe here; a question keeps what the user typed or pasted, every
 * character (/export and /save write it as it was sent), and is made printable where it is drawn.
 */
export function addChat(state: AppState, kind: ChatKind, rawText: string, extras: ChatExtras = {}): AppState {
	const text = kind === 'user' ? rawText : safeText(rawText);
	const entry: ChatEntry = {id: state.nextChatId, kind, text, ...entryExtras(extras)};
	return {...state, chat: [...state.chat, entry], nextChatId: state.nextChatId + 1, chatScroll: 0};
}

/** An entry said for an effect, at the place the effect reserved: after what came before the
 * command that queued it, before what came after. A question asked after the command (it waited
 * for the command's work: a /context still reading) is never passed over: what the command says
 * then comes after it, in the order it happened, not above a question already on the screen. */
export function insertChat(state: AppState, kind: ChatKind, rawText: string, at: number, extras: ChatExtras = {}): AppState {
	const entry: ChatEntry = {id: state.nextChatId, kind, text: safeText(rawText), order: at, ...entryExtras(extras)};
	const index = state.chat.findIndex((other) => (other.order ?? other.id) > at);
	if (index >= 0 && state.chat.slice(index).some((other) => other.kind === 'user')) return addChat(state, kind, rawText, extras);
	const chat = index < 0 ? [...state.chat, entry] : [...state.chat.slice(0, index), entry, ...state.chat.slice(index)];
	return {...state, chat, nextChatId: state.nextChatId + 1, chatScroll: 0};
}

/** Queues an effect, run by the effect runner after the render; it keeps a place in the chat for
 * what it will say (so a later command's message never comes before it). */
export function withEffect(state: AppState, effect: Effect): AppState {
	const seq = state.effectSeq + 1;
	return {...state, effectSeq: seq, nextChatId: state.nextChatId + 1, effects: [...state.effects, {...effect, seq, at: state.nextChatId}]};
}

export const openHelp = (state: AppState): AppState => ({...state, dialog: {type: 'help', scroll: 0}});
