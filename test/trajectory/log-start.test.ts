// Whether a file's start can begin a JSONL trajectory: what --replay decides from the first
// 64 KiB instead of reading a file that is not one whole.
import {randomBytes} from 'node:crypto';
import {describe, expect, it} from 'vitest';
import {canStartTrajectory} from '../../source/trajectory/log-start.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const metadata = JSON.stringify({type: 'metadata', timestamp: '2026-12-01T00:00:00Z', root_model: 'm', max_depth: 1, max_iterations: 30, backend: 'openai'});
const iteration = JSON.stringify({type: 'iteration', iteration: 1, timestamp: 't', prompt: [], response: 'é ✓', code_blocks: [], final_answer: null, iteration_time: 0});

describe('canStartTrajectory', () => {
	it('takes the start of a log: ours, the original RLM\'s (spaces, an iteration first), after a BOM or blank lines, cut anywhere after its first line', () => {
		expect(canStartTrajectory(bytes(`${metadata}\n${iteration}\n`), true)).toBe(true);
		expect(canStartTrajectory(bytes('{"type": "metadata", "root_model": "gpt-5"}\n'), true)).toBe(true);
		expect(canStartTrajectory(bytes(`${JSON.stringify({iteration: 1, response: 'r'})}\n`), true)).toBe(true);
		expect(canStartTrajectory(bytes(`\uFEFF\n\n  ${metadata}\n`), true)).toBe(true);
		expect(canStartTrajectory(bytes(metadata), true)).toBe(true);
		// A prefix that cut the second line, even inside a character: only the first line is judged.
		const cut = bytes(`${metadata}\n${iteration}`);
		expect(canStartTrajectory(cut.subarray(0, cut.length - 4), false)).toBe(true);
		// A crash left the end zero-filled: the log is still read (its bad lines are skipped).
		expect(canStartTrajectory(new Uint8Array([...bytes(`${metadata}\n`), 0, 0, 0, 0]), true)).toBe(true);
	});

	it('a first line longer than the start read is judged by how it begins', () => {
		const long = `{"type":"metadata","rlm_tui":{"question":"${'q'.repeat(70_000)}`;
		expect(canStartTrajectory(bytes(long).subarray(0, 65_536), false)).toBe(true);
		expect(canStartTrajectory(bytes(`{"type": "iteration", "iteration": 1, "response": "${'r'.repeat(70_000)}`).subarray(0, 65_536), false)).toBe(true);
		expect(canStartTrajectory(bytes(`{"data": "${'x'.repeat(70_000)}`).subarray(0, 65_536), false)).toBe(false);
		expect(canStartTrajectory(bytes(`${'x'.repeat(70_000)}`).subarray(0, 65_536), false)).toBe(false);
	});

	it('refuses binary bytes, text, JSON of another shape and a line cut short', () => {
		expect(canStartTrajectory(randomBytes(65_536), false)).toBe(false);
		expect(canStartTrajectory(new Uint8Array([0x7b, 0x22, 0x00, 0x22, 0x7d, 0x0a]), true)).toBe(false);
		expect(canStartTrajectory(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]), true)).toBe(false);
		expect(canStartTrajectory(bytes('just some notes\n{"type": "metadata"}\n'), true)).toBe(false);
		expect(canStartTrajectory(bytes('{"foo": 1}\n{"foo": 2}\n'), true)).toBe(false);
		expect(canStartTrajectory(bytes('{\n  "runs": []\n}\n'), true)).toBe(false);
		expect(canStartTrajectory(bytes('[1, 2]\n'), true)).toBe(false);
		expect(canStartTrajectory(bytes('{"type": "metadata", "root_mo'), true)).toBe(false);
		expect(canStartTrajectory(bytes(''), true)).toBe(false);
		expect(canStartTrajectory(bytes('\n\n  \n'), true)).toBe(false);
	});
});
