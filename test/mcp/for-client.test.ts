// What leaves for an MCP client: no upstream address, and for a remote client no log folder.
import {describe, expect, it} from 'vitest';
import {clientFilter, filtered, LOG_FOLDER} from '../../source/mcp/for-client.js';

describe('clientFilter', () => {
	const remote = clientFilter(['http://10.0.0.5:8000/v1', 'https://sub.example.com/v1'], '/srv/rlm/logs');
	it('hides the root and sub-call upstreams, as serve does', () => {
		expect(remote('Cannot reach the OpenAI-compatible server at http://10.0.0.5:8000/v1: connect ECONNREFUSED 10.0.0.5:8000.')).toBe(
			'Cannot reach the OpenAI-compatible upstream server: connect ECONNREFUSED the upstream server.',
		);
		expect(remote('sub-call failed at https://sub.example.com/v1/chat/completions')).toBe('sub-call failed at the upstream server');
	});

	it('turns paths in the log folder into file names and names the folder in words; other folders stay', () => {
		expect(remote('or read /srv/rlm/logs/rlm_x_mcp_0123abcd_t0_abc123.jsonl')).toBe('or read rlm_x_mcp_0123abcd_t0_abc123.jsonl');
		expect(remote('No runs yet (trajectories go to /srv/rlm/logs).')).toBe(`No runs yet (trajectories go to ${LOG_FOLDER}).`);
		expect(remote('/srv/rlm/logs2/x and /srv/rlm/logs-old')).toBe('/srv/rlm/logs2/x and /srv/rlm/logs-old');
	});

	it('keeps the log folder for a local client, and reaches every string of a message', () => {
		const local = clientFilter(['http://10.0.0.5:8000/v1']);
		expect(local('/srv/rlm/logs/rlm_x.jsonl from http://10.0.0.5:8000/v1')).toBe('/srv/rlm/logs/rlm_x.jsonl from the upstream server');
		expect(filtered({id: 3, result: {content: [{type: 'text', text: 'at 10.0.0.5:8000'}], ok: true, none: null}}, local)).toEqual({
			id: 3,
			result: {content: [{type: 'text', text: 'at the upstream server'}], ok: true, none: null},
		});
	});
});
