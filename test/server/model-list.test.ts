// The backend's model list as serve keeps it: polls are answered within a bound, also while the
// backend's list is slow, and a list that comes late is kept for the polls after.
import {describe, expect, it} from 'vitest';
import {keptModelList} from '../../source/server/model-list.js';

/** A list request that answers when the test says. */
function slowList() {
	const calls: Array<{resolve: (models: string[]) => void; signal: AbortSignal}> = [];
	const list = (signal: AbortSignal) => new Promise<string[]>((resolve) => calls.push({resolve, signal}));
	return {list, calls};
}

describe('keptModelList', () => {
	it('a poll the backend does not answer in time gets none, the request goes on, and the list it brings later is kept', async () => {
		const {list, calls} = slowList();
		const models = keptModelList(list, {answerWithinMs: 10, timeoutMs: 60_000});
		expect(await models()).toBeUndefined();
		expect(calls).toHaveLength(1);
		expect(calls[0]!.signal.aborted).toBe(false);
		calls[0]!.resolve(['a', 'b']);
		await Promise.resolve();
		expect(await models()).toEqual(['a', 'b']);
		expect(calls).toHaveLength(1);
	});

	it('polls share the request in flight and its deadline: one made after the deadline answers without waiting', async () => {
		let clock = 0;
		const {list, calls} = slowList();
		const models = keptModelList(list, {answerWithinMs: 2_000, timeoutMs: 60_000, now: () => clock});
		const first = models();
		clock = 2_500;
		// Past the first poll's deadline: answered at once (not after another 2 s), with none.
		expect(await models()).toBeUndefined();
		expect(calls).toHaveLength(1);
		calls[0]!.resolve(['a']);
		expect(await first).toEqual(['a']);
		expect(await models()).toEqual(['a']);
	});

	it('a backend that answers in time is what the poll gets', async () => {
		const models = keptModelList(async () => ['x'], {answerWithinMs: 60_000});
		expect(await models()).toEqual(['x']);
	});
});
