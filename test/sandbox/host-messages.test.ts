// The parent's checks on what a host process sends (no Python needed: the messages are built here,
// as a host whose worker was taken over could send them).
import {describe, expect, it} from 'vitest';
import {hostMessageChecker, hostMessageLimits} from '../../source/sandbox/host-messages.js';

const check = hostMessageChecker(1_000);

const goodResult = {
	ok: true,
	error: null,
	errorType: null,
	final: 'the answer',
	variables: [{name: 'x', type: 'int'}],
	stdout: 'out\n',
	stderr: '',
	truncatedChars: 0,
	heapBytes: 20_000_000,
	heapLimitHit: false,
};
const done = (result: Record<string, unknown>) => ({t: 'done', id: 3, result: {...goodResult, ...result}});
const bridge = (fields: Record<string, unknown>) => ({t: 'bridge', id: 3, callId: 1, fn: 'llm_query', prompts: ['p'], model: null, ...fields});

function problem(raw: unknown): string {
	const checked = check(raw);
	if (checked.ok) throw new Error(`accepted: ${JSON.stringify(raw)}`);
	return checked.problem;
}

describe('messages from a host', () => {
	it('accepts every message a well-behaved host sends', () => {
		const good: unknown[] = [
			{t: 'ready', fromSnapshot: true, codeCache: true, loadMs: 350.5, heapBytes: 30_000_000},
			{t: 'ready', fromSnapshot: false, codeCache: false, loadMs: 2000, heapBytes: 30_000_000, note: 'snapshot unusable; cold start'},
			{t: 'snapshot', bytes: new Uint8Array(16)},
			{t: 'code-cache', sourceHash: 'ab'.repeat(32), bytes: new Uint8Array(16)},
			{t: 'ok', id: 1, heapBytes: 30_000_000},
			{t: 'failed', id: 2, message: 'Traceback ...'},
			{t: 'output', id: 3, stream: 'stderr', text: 'x'.repeat(1_000)},
			bridge({fn: 'rlm_query_batched', prompts: ['a', 'b'], model: 'small'}),
			{t: 'bridge-cancel', callId: 1},
			{t: 'tool', id: 3, callId: 2, name: 'lookup', input: '{"q": "x"}'},
			done({}),
			done({ok: false, error: 'NameError: x', errorType: 'NameError', final: null, variables: []}),
			{t: 'fatal', message: 'Python could not start'},
			{t: 'fatal', message: 'Pyodide has suffered a fatal error', outOfMemory: true},
		];
		for (const message of good) expect(check(message)).toEqual({ok: true, message});
	});

	it('refuses a code cache without the hash of its script, or too big', () => {
		expect(problem({t: 'code-cache', sourceHash: 'ab'.repeat(31), bytes: new Uint8Array(16)})).toMatch(/^sourceHash: /);
		expect(problem({t: 'code-cache', sourceHash: 'AB'.repeat(32), bytes: new Uint8Array(16)})).toMatch(/^sourceHash: /);
		expect(problem({t: 'code-cache', sourceHash: 'ab'.repeat(32), bytes: 'code'})).toMatch(/^bytes: /);
		expect(problem({t: 'code-cache', sourceHash: 'ab'.repeat(32), bytes: new Uint8Array(hostMessageLimits.codeCacheBytes + 1)})).toMatch(/^bytes: code cache too large/);
	});

	it('refuses a final answer that is not a string, naming the field', () => {
		expect(problem(done({final: 42}))).toMatch(/^result\.final: .*expected string, received number/);
		expect(problem(done({final: {text: 'hi'}}))).toMatch(/^result\.final: /);
		expect(problem(done({final: 'x'.repeat(hostMessageLimits.textChars + 1)}))).toMatch(/^result\.final: Too big/);
	});

	it('refuses variables that are not a bounded list of {name, type} strings', () => {
		expect(problem(done({variables: [{name: 7, type: 'str'}]}))).toMatch(/^result\.variables\.0\.name: /);
		expect(problem(done({variables: 'x, y'}))).toMatch(/^result\.variables: /);
		expect(problem(done({variables: [{name: 'x'}]}))).toMatch(/^result\.variables\.0\.type: /);
		const many = Array.from({length: hostMessageLimits.variables + 1}, (_, i) => ({name: `v${i}`, type: 'int'}));
		expect(problem(done({variables: many}))).toMatch(/^result\.variables: Too big/);
		expect(problem(done({variables: [{name: 'n'.repeat(hostMessageLimits.nameChars + 1), type: 'int'}]}))).toMatch(/name: Too big/);
	});

	it('refuses output beyond the cap the block was run with, and sizes that are not counts', () => {
		expect(problem({t: 'output', id: 3, stream: 'stdout', text: 'x'.repeat(1_000 + hostMessageLimits.outputSlackChars + 1)})).toMatch(/^text: Too big/);
		expect(problem(done({stdout: 'x'.repeat(5_000)}))).toMatch(/^result\.stdout: Too big/);
		expect(problem({t: 'output', id: 3, stream: 'stdin', text: ''})).toMatch(/^stream: /);
		expect(problem(done({truncatedChars: -1}))).toMatch(/^result\.truncatedChars: /);
		expect(problem(done({heapBytes: 1.5}))).toMatch(/^result\.heapBytes: /);
		expect(problem(done({heapLimitHit: 'yes'}))).toMatch(/^result\.heapLimitHit: /);
		expect(problem({t: 'ok', id: -1, heapBytes: 1})).toMatch(/^id: /);
		expect(problem(done({error: 'e'.repeat(hostMessageLimits.errorChars + 1)}))).toMatch(/^result\.error: Too big/);
	});

	it('refuses bridge requests for unknown functions, with prompts that are not strings, or too many', () => {
		expect(problem(bridge({fn: 'open'}))).toMatch(/^fn: /);
		expect(problem(bridge({prompts: ['ok', 3]}))).toMatch(/^prompts\.1: /);
		expect(problem(bridge({prompts: 'one string'}))).toMatch(/^prompts: /);
		expect(problem(bridge({prompts: Array.from({length: hostMessageLimits.prompts + 1}, () => 'p')}))).toMatch(/^prompts: Too big/);
		expect(problem(bridge({model: 5}))).toMatch(/^model: /);
		expect(problem(bridge({callId: 'c1'}))).toMatch(/^callId: /);
	});

	it('refuses host tool calls whose name or input is not a bounded string', () => {
		const tool = (fields: Record<string, unknown>) => ({t: 'tool', id: 3, callId: 2, name: 'lookup', input: 'null', ...fields});
		expect(problem(tool({name: 7}))).toMatch(/^name: /);
		expect(problem(tool({name: 'n'.repeat(hostMessageLimits.nameChars + 1)}))).toMatch(/^name: Too big/);
		expect(problem(tool({input: {q: 'x'}}))).toMatch(/^input: /);
		expect(problem(tool({input: 'x'.repeat(hostMessageLimits.textChars + 1)}))).toMatch(/^input: Too big/);
	});

	it('refuses what is not a message at all', () => {
		expect(problem(null)).toMatch(/^message: /);
		expect(problem('done')).toMatch(/^message: /);
		expect(problem({t: 'exec', code: 'rm -rf /'})).toMatch(/^t: /);
		expect(problem({t: 'snapshot', bytes: 'not bytes'})).toMatch(/^bytes: /);
	});

	it('keeps only the fields it knows', () => {
		const checked = check({t: 'ok', id: 1, heapBytes: 2, extra: 'ignored'});
		expect(checked).toEqual({ok: true, message: {t: 'ok', id: 1, heapBytes: 2}});
	});
});
