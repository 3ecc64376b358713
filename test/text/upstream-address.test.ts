// The upstream's address taken out of text for serve clients, in the shapes backend errors use.
import {describe, expect, it} from 'vitest';
import {hideUpstream, UPSTREAM} from '../../source/text/upstream-address.js';

describe('hideUpstream', () => {
	it('replaces the base URL, any URL on its host, userinfo forms and the bare host:port', () => {
		const base = 'http://10.0.0.5:8000/v1';
		expect(hideUpstream('Server error from http://10.0.0.5:8000/v1 (500): boom.', base)).toBe(`Server error from ${UPSTREAM} (500): boom.`);
		expect(hideUpstream('GET http://10.0.0.5:8000/v1/models failed', base)).toBe(`GET ${UPSTREAM} failed`);
		expect(hideUpstream('at http://[redacted]@10.0.0.5:8000/v1: refused', base)).toBe(`at ${UPSTREAM}: refused`);
		expect(hideUpstream('connect ECONNREFUSED 10.0.0.5:8000', base)).toBe(`connect ECONNREFUSED ${UPSTREAM}`);
		expect(hideUpstream('getaddrinfo ENOTFOUND gpu-box.lan', 'http://gpu-box.lan:11434/v1')).toBe(`getaddrinfo ENOTFOUND ${UPSTREAM}`);
		// Not "the server at the upstream server".
		expect(hideUpstream('Cannot reach the OpenAI-compatible server at http://10.0.0.5:8000/v1: connection refused.', base)).toBe(
			'Cannot reach the OpenAI-compatible upstream server: connection refused.',
		);
	});

	it('leaves other hosts and ordinary text alone', () => {
		const base = 'http://10.0.0.5:8000/v1';
		for (const text of ['see http://10.0.0.50:8000/v1', 'http://10.0.0.5:80001/x', 'version 10.0.0.5.1', 'no address here']) expect(hideUpstream(text, base)).toBe(text);
		expect(hideUpstream('anything', undefined)).toBe('anything');
	});
});
