import {describe, expect, it} from 'vitest';
import {blockErrorLine} from '../../source/text/block-error.js';
import {interruptedNotice, memoryLimitNotice, restartNotice} from '../../source/sandbox/notices.js';

const traceback = (...last: string[]) => ['Traceback (most recent call last):', '  File "<block 1>", line 1, in <module>', ...last].join('\n');
const interrupted = traceback('KeyboardInterrupt');

describe('blockErrorLine: the line that says why a block failed', () => {
	it('an exception: its exception line', () => {
		expect(blockErrorLine(traceback('ValueError: bad value'))).toBe('ValueError: bad value');
		expect(blockErrorLine('  File "<block 1>", line 1\n    x = \n        ^\nSyntaxError: invalid syntax')).toBe('SyntaxError: invalid syntax');
	});

	it('a timeout: the sandbox notice before the traceback, not the interrupt it left', () => {
		expect(blockErrorLine(`${interruptedNotice.timeout(5000)}\n${interrupted}`)).toBe(interruptedNotice.timeout(5000));
		expect(blockErrorLine(`${interruptedNotice.cancelled()}\n${interrupted}`)).toBe(interruptedNotice.cancelled());
	});

	it('a timeout in the block after a restart: the timeout, the nearest notice to the traceback', () => {
		const restarted = restartNotice({kind: 'stopped', reason: 'killed by SIGKILL'});
		expect(blockErrorLine(`${restarted}\n\n${interruptedNotice.timeout(5000)}\n${interrupted}`)).toBe(interruptedNotice.timeout(5000));
	});

	it('an interrupt raised while handling another exception: still the notice before the first traceback', () => {
		const chained = `${traceback('ValueError: x')}\n\nDuring handling of the above exception, another exception occurred:\n\n${interrupted}`;
		expect(blockErrorLine(`${interruptedNotice.timeout(2000)}\n${chained}`)).toBe(interruptedNotice.timeout(2000));
	});

	it('a run-wide limit that interrupted the block: its message', () => {
		const limit = "The run's time limit of 5 s (--max-timeout) is reached. The block was interrupted.";
		expect(blockErrorLine(`${limit}\n${interrupted}`)).toBe(limit);
	});

	it('out of memory: the limit notice the sandbox put after the traceback', () => {
		const notice = memoryLimitNotice(256 * 1024 * 1024, 256, '--memory-limit');
		expect(blockErrorLine(`${traceback('MemoryError')}\n${notice}`)).toBe(notice);
	});

	it('a KeyboardInterrupt the code raised itself (no notice): that line; one-line errors as they are; empty: empty', () => {
		expect(blockErrorLine(interrupted)).toBe('KeyboardInterrupt');
		expect(blockErrorLine(restartNotice({kind: 'timeout', timeoutMs: 5000}))).toBe(restartNotice({kind: 'timeout', timeoutMs: 5000}));
		expect(blockErrorLine('')).toBe('');
	});
});
