// Turns an OpenAI-style message list into what an RLM run takes: the question, the earlier turns
// as `history`, and a context when the final user message is long.
import type {HistoryEntry} from '../protocol/repl.js';
import type {TextMessage} from './request-schema.js';

/** A final user message longer than this is treated as the context, not the question. */
export const contextThresholdChars = 4000;

export interface Conversation {
	question: string;
	history: HistoryEntry[];
	context?: string;
}

export class ConversationError extends Error {}

export function toConversation(messages: TextMessage[]): Conversation {
	const instructions = messages
		.filter((m) => m.role === 'system' || m.role === 'developer')
		.map((m) => m.text)
		.filter(Boolean)
		.join('\n\n');
	const turns = messages.filter((m) => m.role === 'user' || m.role === 'assistant');
	const last = turns.at(-1);
	if (!last) throw new ConversationError('There is no message from the user.');
	if (last.role !== 'user') throw new ConversationError('The last message must be from the user.');
	const finalText = last.text;
	if (!finalText.trim()) throw new ConversationError('The last user message is empty.');

	const history: HistoryEntry[] = [];
	let pending: string[] = [];
	for (const message of turns.slice(0, -1)) {
		if (message.role === 'user') pending.push(message.text);
		else {
			history.push({question: pending.join('\n\n'), answer: message.text});
			pending = [];
		}
	}
	const earlierQuestion = pending.join('\n\n');

	const long = finalText.length > contextThresholdChars;
	const parts = [instructions && `Instructions: ${instructions}`, earlierQuestion, long ? '' : finalText].filter(Boolean);
	const question = parts.length ? parts.join('\n\n') : 'Do what the text in `context` asks.';
	return long ? {question, history, context: finalText} : {question, history};
}
