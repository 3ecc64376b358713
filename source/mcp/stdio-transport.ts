// MCP over stdin/stdout: one JSON-RPC message a line (the MCP stdio transport). It replaces the
// SDK's StdioServerTransport, whose read buffer closes the whole transport at a message over 10 MiB
// (STDIO_DEFAULT_MAX_BUFFER_SIZE: the server then ends and every run in it is lost) and copies the
// whole buffer on every chunk. Here a message over the limit is skipped as it streams past and its
// request answered with an error; the messages after it are read as usual. The other way, a reply
// too large for the client (the SDK's client closes the connection, and so ends this server, at
// 10 MiB) is replaced by an error saying so. A line that is not JSON, or not a JSON-RPC message, is
// answered with JSON-RPC's own error (-32700, -32600) and logged in one line.
import type {Readable, Writable} from 'node:stream';
import type {Transport} from '@modelcontextprotocol/sdk/shared/transport.js';
import {serializeMessage} from '@modelcontextprotocol/sdk/shared/stdio.js';
import {ErrorCode, JSONRPCMessageSchema, type JSONRPCMessage} from '@modelcontextprotocol/sdk/types.js';
import {MessageFields} from './message-fields.js';

const NEWLINE = 0x0a;

/** The largest message sent, in bytes: under the 10 MiB at which the official SDK's stdio client
 * (STDIO_DEFAULT_MAX_BUFFER_SIZE) drops the connection, with room for the chunk it reads it in. */
export const MAX_REPLY_BYTES = 8 * 1024 * 1024;

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB`;

/** Why a message over the limit was refused, in words for the agent. */
export function oversizedMessage(size: number, maxBytes: number): string {
	return `This request is ${mib(size)}, over the ${mib(maxBytes)} that rlm-tui mcp accepts in one message. Pass large material as \`paths\` (files, folders or globs inside the roots or --allow-dir: rlm-tui reads them itself) instead of as \`context\` text.`;
}

export class LineStdioTransport implements Transport {
	onclose?: () => void;
	onerror?: (error: Error) => void;
	onmessage?: (message: JSONRPCMessage) => void;
	#parts: Buffer[] = [];
	#size = 0;
	/** The message being skipped (over the limit), with its size so far. */
	#skipping: {fields: MessageFields; size: number} | null = null;
	#closed = false;

	/** @param maxMessageBytes the largest message read, in bytes (one line, without its newline);
	 * @param maxReplyBytes the largest sent (default MAX_REPLY_BYTES). */
	constructor(
		readonly maxMessageBytes: number,
		readonly maxReplyBytes = MAX_REPLY_BYTES,
		private readonly stdin: Readable = process.stdin,
		private readonly stdout: Writable = process.stdout,
	) {}

	async start(): Promise<void> {
		this.stdin.on('data', this.#onData);
		this.stdin.on('error', this.#onError);
	}

	async send(message: JSONRPCMessage): Promise<void> {
		let line = serializeMessage(message);
		const size = Buffer.byteLength(line);
		if (size > this.maxReplyBytes) {
			const instead = this.#tooLarge(message, size);
			this.onerror?.(new Error(`A reply of ${size} bytes is over the ${this.maxReplyBytes}-byte limit: ${instead ? 'sent an error instead' : 'not sent'}.`));
			if (!instead) return;
			line = serializeMessage(instead);
		}
		if (this.stdout.write(line)) return;
		await new Promise<void>((resolve) => this.stdout.once('drain', resolve));
	}

	async close(): Promise<void> {
		if (this.#closed) return;
		this.#closed = true;
		this.stdin.off('data', this.#onData);
		this.stdin.off('error', this.#onError);
		if (this.stdin.listenerCount('data') === 0) this.stdin.pause();
		this.#parts = [];
		this.#skipping = null;
		this.onclose?.();
	}

	readonly #onError = (error: Error) => this.onerror?.(error);

	readonly #onData = (chunk: Buffer) => {
		let from = 0;
		while (from < chunk.length) {
			const end = chunk.indexOf(NEWLINE, from);
			const piece = chunk.subarray(from, end === -1 ? chunk.length : end);
			this.#take(piece);
			if (end === -1) break;
			this.#endLine();
			from = end + 1;
		}
	};

	#take(piece: Buffer): void {
		if (this.#skipping) {
			this.#skipping.fields.feed(piece);
			this.#skipping.size += piece.length;
			return;
		}
		this.#parts.push(piece);
		this.#size += piece.length;
		if (this.#size <= this.maxMessageBytes) return;
		// Over the limit: keep reading only what is needed to answer it.
		const fields = new MessageFields();
		for (const part of this.#parts) fields.feed(part);
		this.#skipping = {fields, size: this.#size};
		this.#parts = [];
		this.#size = 0;
	}

	#endLine(): void {
		const skipped = this.#skipping;
		if (skipped) {
			this.#skipping = null;
			this.#refuse(skipped.fields, skipped.size);
			return;
		}
		const line = Buffer.concat(this.#parts, this.#size).toString('utf8').replace(/\r$/, '');
		this.#parts = [];
		this.#size = 0;
		if (!line.trim()) return;
		let value: unknown;
		try {
			value = JSON.parse(line);
		} catch (error) {
			this.#answerInvalid(null, ErrorCode.ParseError, `Parse error: a line that is not JSON (${(error as Error).message.split('\n')[0]}).`);
			return;
		}
		const parsed = JSONRPCMessageSchema.safeParse(value);
		if (!parsed.success) {
			const record = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
			const id = typeof record?.['id'] === 'string' || typeof record?.['id'] === 'number' ? record['id'] : null;
			const what = Array.isArray(value) ? 'a batch (an array), which MCP does not take' : 'not a JSON-RPC 2.0 message as MCP reads one (a request needs "jsonrpc": "2.0", a string "method", "params" an object if given and no other members; a response an "id" with a "result" or an "error")';
			this.#answerInvalid(id, ErrorCode.InvalidRequest, `Invalid Request: ${what}.`);
			return;
		}
		this.onmessage?.(parsed.data);
	}

	/** JSON-RPC 2.0's answer to a line that is not a message (id null when it has none); one line for the log. */
	#answerInvalid(id: string | number | null, code: ErrorCode, message: string): void {
		this.onerror?.(new Error(`Skipped a line: ${message}`));
		// JSON-RPC 2.0 (section 5) answers a parse error or an invalid request with id null when it cannot tell the id.
		const reply = {jsonrpc: '2.0', id, error: {code, message}} as unknown as JSONRPCMessage;
		this.send(reply).catch((error: unknown) => this.onerror?.(error as Error));
	}

	/** What is sent instead of a reply over the limit: a tool error for a tool's result, else a
	 * JSON-RPC error; nothing for a notification. */
	#tooLarge(message: JSONRPCMessage, size: number): JSONRPCMessage | undefined {
		if (!('id' in message) || message.id === undefined || !('result' in message || 'error' in message)) return undefined;
		const {id} = message;
		const result = 'result' in message ? (message.result as {content?: unknown; structuredContent?: {run_id?: unknown}}) : undefined;
		const runId = result?.structuredContent?.run_id;
		const logged = typeof runId === 'string' ? ` Run ${runId} ended and is logged: rlm_run shows its trajectory, in part with max_chars.` : '';
		const text = `The reply is ${mib(size)}, over the ${mib(this.maxReplyBytes)} that rlm-tui mcp sends in one message on stdio (MCP clients drop the connection at 10 MiB).${logged} Ask for less (rlm_run's max_chars), or connect to rlm-tui mcp --http, which has no such limit.`;
		const isToolResult = Array.isArray(result?.content);
		return isToolResult ? {jsonrpc: '2.0', id, result: {isError: true, content: [{type: 'text', text}]}} : {jsonrpc: '2.0', id, error: {code: ErrorCode.InternalError, message: text}};
	}

	/** Answers a message over the limit: a tool call with a tool error the agent reads, any other
	 * request with a JSON-RPC error; a notification (no id) cannot be answered. */
	#refuse(fields: MessageFields, size: number): void {
		const text = oversizedMessage(size, this.maxMessageBytes);
		this.onerror?.(new Error(`Skipped a message of ${size} bytes (${fields.method ?? 'no method'}): over the ${this.maxMessageBytes}-byte limit.`));
		const {id} = fields;
		if (id === undefined) return;
		const reply: JSONRPCMessage =
			fields.method === 'tools/call'
				? {jsonrpc: '2.0', id, result: {isError: true, content: [{type: 'text', text}]}}
				: {jsonrpc: '2.0', id, error: {code: ErrorCode.InvalidRequest, message: text}};
		this.send(reply).catch((error: unknown) => this.onerror?.(error as Error));
	}
}
