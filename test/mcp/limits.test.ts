// The MCP server's limits: a call's asks never above the server's caps; the lifetime ledger never
// lets calls side by side spend more than the total between them.
import {describe, expect, it} from 'vitest';
import {callLimits} from '../../source/protocol/limits.js';
import {LifetimeLedger, LifetimeSpent} from '../../source/mcp/limits.js';

describe('callLimits', () => {
	it('takes the lower of the ask and the cap, says which asks were lowered, and keeps caps the call did not ask about', () => {
		const {limits, lowered} = callLimits({maxIterations: 30, maxDepth: 1, maxBudget: 0.5}, {maxIterations: 5, maxDepth: 3, maxTokens: 1000});
		expect(limits).toEqual({maxIterations: 5, maxDepth: 1, maxBudget: 0.5, maxTokens: 1000});
		expect(lowered).toEqual(['max_depth 3 lowered to this server\'s 1']);
	});
});

describe('LifetimeLedger', () => {
	it('splits what is left between running calls and refuses once the total is spent', async () => {
		const ledger = new LifetimeLedger({totalTokens: 1000});
		const first = await ledger.reserve({maxTokens: 600});
		const second = await ledger.reserve({});
		expect(first.maxTokens).toBe(600);
		expect(second.maxTokens).toBe(400);
		// Everything is reserved: a third call waits for one to end.
		let thirdStarted = false;
		const third = ledger.reserve({}).then((reservation) => {
			thirdStarted = true;
			return reservation;
		});
		await Promise.resolve();
		expect(thirdStarted).toBe(false);
		first.settle({usd: 0, tokens: 100});
		expect((await third).maxTokens).toBe(500);
		second.settle({usd: 0, tokens: 400});
		(await third).settle({usd: 0, tokens: 500});
		expect(ledger.spent).toEqual({usd: 0, tokens: 1000, calls: 3});
		await expect(ledger.reserve({})).rejects.toThrow(LifetimeSpent);
		await expect(ledger.reserve({})).rejects.toThrow(/spent its total 1,000 tokens \(--total-tokens\): \$0\.0000 and 1,000 tokens over 3 call\(s\)/);
	});

	it('a waiting call gives up when its caller cancels', async () => {
		const ledger = new LifetimeLedger({totalBudget: 1});
		const running = await ledger.reserve({});
		expect(running.maxBudget).toBe(1);
		const controller = new AbortController();
		const waiting = ledger.reserve({}, controller.signal);
		controller.abort(new Error('cancelled'));
		await expect(waiting).rejects.toThrow('cancelled');
		running.settle({usd: 0.25, tokens: 10});
		expect((await ledger.reserve({})).maxBudget).toBe(0.75);
	});

	it('says which caps are the share of the total (lower than the call\'s own, or the call has none), so a stop names --total-budget / --total-tokens', async () => {
		const ledger = new LifetimeLedger({totalBudget: 2, totalTokens: 1000});
		const own = await ledger.reserve({maxBudget: 0.5, maxTokens: 300});
		expect(own.fromTotal).toEqual({});
		const share = await ledger.reserve({maxBudget: 5});
		expect(share).toMatchObject({maxBudget: 1.5, maxTokens: 700});
		expect(share.fromTotal.maxBudget).toEqual({
			label: 'share of this server\'s total budget ($1.50 of --total-budget $2.00 was left when it started)',
			note: 'max_budget $5.00 lowered to $1.50: what was left of this server\'s --total-budget $2.00',
		});
		// The call had no token cap of its own: the share is its cap, with nothing lowered to say.
		expect(share.fromTotal.maxTokens).toEqual({label: 'share of this server\'s total tokens (700 of --total-tokens 1,000 were left when it started)'});
	});
});
