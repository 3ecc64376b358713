// What an OpenAI chat-completions request may hold (validated: it comes from the network).
import {z} from 'zod';

const textPart = z.object({type: z.literal('text'), text: z.string()});

export const chatMessageSchema = z.object({
	role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
	content: z.union([z.string(), z.array(z.union([textPart, z.looseObject({type: z.string()})])), z.null()]).optional(),
});

export const chatRequestSchema = z.object({
	model: z.string().min(1),
	messages: z.array(chatMessageSchema).min(1),
	stream: z.boolean().optional(),
	stream_options: z.object({include_usage: z.boolean().optional()}).nullish(),
	temperature: z.number().min(0).max(2).nullish(),
	max_tokens: z.number().int().positive().nullish(),
	max_completion_tokens: z.number().int().positive().nullish(),
});

export type ChatRequest = z.infer<typeof chatRequestSchema>;
export type ChatRequestMessage = z.infer<typeof chatMessageSchema>;

export function messageText(message: ChatRequestMessage): string {
	const {content} = message;
	if (typeof content === 'string') return content;
	if (!content) return '';
	return content
		.map((part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : ''))
		.filter(Boolean)
		.join('\n');
}
