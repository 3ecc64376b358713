// The stdio line transport with lines that are not MCP messages: each gets JSON-RPC 2.0's own error
// (section 5: -32700 for what is not JSON, -32600 for what is not a request), one line in the log,
// and the messages after it are read as usual.
import {PassThrough} from 'node:stream';
import type {JSONRPCMessage} from '@modelcontextprotocol/sdk/types.js';
import {describe, expect, it} from 'vitest';
import {LineStdioTransport} from '../../source/mcp/stdio-transport.js';

describe('LineStdioTransport with lines that are not messages', () => {
	it('answers each with a JSON-RPC error, logs one line for it, and reads the next message', async () => {
		const stdin = new PassThrough();
		const stdout = new PassThrough();
		let written = '';
		stdout.on('data', (chunk) => (written += String(chunk)));
		const transport = new LineStdioTransport(1024 * 1024, undefined, stdin, stdout);
		const received: JSONRPCMessage[] = [];
		const errors: string[] = [];
		transport.onmessage = (message) => received.push(message);
		transport.onerror = (error) => errors.push(error.message);
		await transport.start();
		stdin.write('not json at all\n"just a string"\n[1,2]\n{"jsonrpc":"2.0","id":7,"method":5}\n');
		stdin.write('{"jsonrpc":"2.0","id":8,"method":"ping"}\n');
		await expect.poll(() => written.trim().split('\n').length).toBe(4);
		const replies = written.trim().split('\n').map((line) => JSON.parse(line) as {id: unknown; error: {code: number; message: string}});
		expect(replies.map((reply) => [reply.id, reply.error.code])).toEqual([
			[null, -32700],
			[null, -32600],
			[null, -32600],
			[7, -32600],
		]);
		expect(replies[0]!.error.message).toMatch(/^Parse error: a line that is not JSON/);
		expect(replies[2]!.error.message).toBe('Invalid Request: a batch (an array), which MCP does not take.');
		expect(received).toEqual([{jsonrpc: '2.0', id: 8, method: 'ping'}]);
		expect(errors).toHaveLength(4);
		for (const error of errors) expect(error).not.toContain('\n');
		await transport.close();
	});
});
