import {describe, expect, it} from 'vitest';
import {OutputCapture, completeLength, countUnits, omissionMarker} from '../../source/sandbox/output.js';

const enc = (s: string) => new TextEncoder().encode(s);

function capture(max: number) {
	const emitted: Array<[string, string]> = [];
	const c = new OutputCapture(max, (stream, text) => emitted.push([stream, text]));
	return {c, emitted, streamed: (stream: string) => emitted.filter(([s]) => s === stream).map(([, t]) => t).join('')};
}

describe('OutputCapture', () => {
	it('keeps everything under the cap, and streams it', () => {
		const {c, streamed} = capture(100);
		c.write('stdout', enc('hello '));
		c.write('stdout', enc('world\n'));
		c.write('stderr', enc('warn\n'));
		const out = c.finish();
		expect(out).toEqual({stdout: 'hello world\n', stderr: 'warn\n', truncatedChars: 0});
		expect(streamed('stdout')).toBe('hello world\n');
		expect(streamed('stderr')).toBe('warn\n');
	});

	it('keeps the head and the tail and counts what it drops', () => {
		const {c, streamed} = capture(20);
		const text = 'a'.repeat(10) + 'b'.repeat(1000) + 'c'.repeat(10);
		c.write('stdout', enc(text));
		const out = c.finish();
		expect(out.truncatedChars).toBe(1000);
		expect(out.stdout).toBe('a'.repeat(10) + omissionMarker(1000) + 'c'.repeat(10));
		expect(streamed('stdout')).toBe(out.stdout);
	});

	it('handles multibyte characters split across writes and counts UTF-16 units', () => {
		const {c} = capture(8);
		const text = 'é😀中'.repeat(20); // 4 units per repeat
		const bytes = enc(text);
		for (let i = 0; i < bytes.length; i += 3) c.write('stdout', bytes.subarray(i, i + 3));
		const out = c.finish();
		expect(out.truncatedChars + 8).toBe(text.length);
		expect(out.stdout.startsWith('é😀中')).toBe(true);
		expect(out.stdout.endsWith('é😀中')).toBe(true);
		expect(out.stdout).not.toContain('\uFFFD');
	});

	it('shares the tail between stdout and stderr', () => {
		const {c} = capture(20);
		c.write('stdout', enc('o'.repeat(500)));
		c.write('stderr', enc('e'.repeat(500)));
		const out = c.finish();
		const kept = out.stdout.replace(/\n\.\.\. \[.*\] \.\.\.\n/, '').length + out.stderr.replace(/\n\.\.\. \[.*\] \.\.\.\n/, '').length;
		expect(kept).toBe(20);
		expect(out.truncatedChars).toBe(1000 - 20);
		expect(out.stderr.endsWith('e'.repeat(5))).toBe(true);
	});

	it('holds a bounded amount however much is written', () => {
		const {c} = capture(1000);
		const chunk = new Uint8Array(1 << 20).fill(0x78);
		for (let i = 0; i < 50; i++) c.write('stdout', chunk);
		const out = c.finish();
		expect(out.stdout.length).toBeLessThan(1100);
		expect(out.truncatedChars).toBe(50 * (1 << 20) - 1000);
	});

	it('helpers find whole UTF-8 sequences', () => {
		const bytes = enc('a😀');
		expect(completeLength(bytes)).toBe(5);
		expect(completeLength(bytes.subarray(0, 3))).toBe(1);
		expect(countUnits(bytes)).toBe(3);
	});
});
