// The one way a message quotes a given value: on one line, exactly as given, but for its secrets.
import {describe, expect, it} from 'vitest';
import {quoted, quotedClip} from '../../source/protocol/quoted.js';

describe('quoted', () => {
	it('is JSON-escaped text in double quotes', () => {
		expect(quoted('a\r\nb "c"')).toBe('"a\\r\\nb \\"c\\""');
		expect(quoted('90s')).toBe('"90s"');
	});

	it('holds no secret: by its shape, in a URL, or one it is told of', () => {
		expect(quoted('sk-proj-abcdefghijklmnop1234')).toBe('"[redacted]"');
		expect(quoted('http://alice:hunter2@h/v1?api_key=s3cret')).toBe('"http://[redacted]@h/v1?api_key=[redacted]"');
		expect(quoted('plain words with plainkey-4f9c2e7a1b', ['plainkey-4f9c2e7a1b'])).toBe('"plain words with [redacted]"');
	});

	it('shows DEL, the C1 controls and text-disguising characters as escapes, not raw (a terminal would act on them)', () => {
		const sly = 'a\u009b31mb\u007fc\u202eevil\u2066d\u200be\u2028f';
		for (const quote of [quoted(sly), quotedClip(sly)]) {
			expect(quote).toBe('"a\\u009b31mb\\u007fc\\u202eevil\\u2066d\\u200be\\u2028f"');
			expect(JSON.parse(quote)).toBe(sly);
		}
	});
});
