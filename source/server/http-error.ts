// An error a handler throws to answer with an OpenAI-style error body.
import type {ErrorType} from './openai-wire.js';

export class HttpError extends Error {
	constructor(
		readonly status: number,
		readonly type: ErrorType,
		message: string,
		readonly options: {code?: string | null; param?: string | null; retry?: boolean; headers?: Record<string, string>} = {},
	) {
		super(message);
	}
}
