// The id and method of a message too large to keep, read as it streams past in chunks.
import {describe, expect, it} from 'vitest';
import {MessageFields} from '../../source/mcp/message-fields.js';

/** Feeds `text` in chunks of `size` bytes. */
function scan(text: string, size: number): MessageFields {
	const fields = new MessageFields();
	const bytes = Buffer.from(text);
	for (let at = 0; at < bytes.length; at += size) fields.feed(bytes.subarray(at, at + size));
	return fields;
}

describe('MessageFields', () => {
	const params = {name: 'rlm_query', arguments: {id: 99, method: 'x', context: 'a "quoted" {brace} [bracket] \\ "id": 7, é ✓'.repeat(50)}};
	it.each([1, 3, 64, 100_000])('finds the top-level id and method wherever they are, never those inside params (chunks of %i bytes)', (size) => {
		// The TypeScript SDK writes the id last; Python's writes it first.
		const last = scan(JSON.stringify({method: 'tools/call', params, jsonrpc: '2.0', id: 12}), size);
		expect([last.id, last.method]).toEqual([12, 'tools/call']);
		const first = scan(JSON.stringify({jsonrpc: '2.0', id: 'req-"7"', method: 'resources/read', params}), size);
		expect([first.id, first.method]).toEqual(['req-"7"', 'resources/read']);
		const spaced = scan(`{ "params" : ${JSON.stringify(params)} ,\n "id" : 5 , "method" : "ping" }`, size);
		expect([spaced.id, spaced.method]).toEqual([5, 'ping']);
	});

	it('finds no id in a notification, an array or text that is not JSON', () => {
		expect(scan(JSON.stringify({jsonrpc: '2.0', method: 'notifications/progress', params}), 7).id).toBeUndefined();
		expect(scan(JSON.stringify([{jsonrpc: '2.0', id: 1, method: 'ping'}]), 7).id).toBeUndefined();
		expect(scan('not json "id": 3', 7).id).toBeUndefined();
	});
});
