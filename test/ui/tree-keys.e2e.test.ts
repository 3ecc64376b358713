// End to end: the tree's keys for large trees, in a real terminal (tmux) against the built CLI and
// the fake OpenAI-compatible server, while a run is still going: / filters as you type (Enter
// keeps, Esc clears), e/E jump to the next/previous failed row, r/R to the next/previous row where
// work is running, - and + collapse and expand every row. Every wait polls the screen.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, scripted} from '../support/rlm-script.js';
import {Tmux} from './tmux-driver.js';

let t: Tmux;
let server: FakeLlmServer;

beforeAll(async () => {
	t = new Tmux();
	server = await startFakeLlmServer({models: ['fake-model']});
});

afterAll(async () => {
	t?.close();
	await server?.close();
});

/** The tree pane's cursor note ("─ 4/13 ─", "─ 13/13 · following ─", "/fast▏ · 3/5 ─"): [row, rows]. */
function cursor(screen: string): [number, number] | undefined {
	const match = /[─·] (\d+)\/(\d+)(?: · following)? ─╮/.exec(screen);
	return match ? [Number(match[1]), Number(match[2])] : undefined;
}

describe('the tree keys in tmux', () => {
	it('/ filter, e/E, r/R, - and + as a user drives them during a run', async () => {
		// Iteration 1 fails; iteration 2 makes one sub-call that answers and one that never does.
		server.setResponder(
			scripted({
				root: ({turn}) => (turn === 0 ? repl('raise ValueError("boom-one")') : repl('a = llm_query("fast answer")\nb = llm_query("slow answer")')),
				sub: (prompt) => (prompt.includes('slow') ? {hang: true} : {text: `done: ${prompt}`}),
			}),
		);
		const s = t.start(t.cliCommand(['-u', server.openaiBaseURL, '-m', 'fake-model', '-k', 'test']), {columns: 140, rows: 40});
		const wait = (predicate: (screen: string) => boolean, what: string) => t.waitFor(s, predicate, what);
		const at = (row: number, rows?: number) => (screen: string) => {
			const note = cursor(screen);
			return note !== undefined && note[0] === row && (rows === undefined || note[1] === rows);
		};
		await wait((screen) => screen.includes('Ask a question'), 'the TUI to start');
		t.type(s, 'check the tree keys');
		t.keys(s, 'Enter');
		let screen = await wait((text) => /llm_query "slow answer"/.test(text) && /✗ code #1/.test(text), 'the failed block and the hanging sub-call in the tree');
		const all = cursor(screen)![1];

		// Into the tree, to the top.
		t.keys(s, 'Tab');
		screen = await wait((text) => text.includes('j/k move'), 'the tree to take focus');
		// While the run goes, the hints name the jumps and the filter too.
		expect(screen.split('\n').find((line) => line.includes('j/k move'))).toContain('e/r next error/running · / filter');
		t.keys(s, 'g');
		await wait(at(1, all), 'the first row');

		// e: the failed block; its detail says why. Esc closes the detail and does not cancel the run.
		t.keys(s, 'e');
		screen = await wait((text) => (cursor(text)?.[0] ?? 1) > 1, 'the cursor on the failed row');
		const failedRow = cursor(screen)![0];
		t.keys(s, 'Enter');
		await wait((text) => text.includes('Code block 1 (iteration 1)') && text.includes('boom-one'), 'the failed block in the detail view');
		t.keys(s, 'Escape');
		await wait(at(failedRow), 'the tree again');

		// r: the sub-call still running (the deepest running row), below the failure.
		t.keys(s, 'r');
		screen = await wait((text) => (cursor(text)?.[0] ?? 0) > failedRow, 'the cursor on the running row');
		const runningRow = cursor(screen)![0];
		t.keys(s, 'Enter');
		await wait((text) => /llm_query/.test(text) && text.includes('slow answer') && !text.includes('j/k move'), 'the running sub-call in the detail view');
		t.keys(s, 'Escape');
		await wait(at(runningRow), 'the tree again');

		// E and R go back: to the failed block's error output (the failed row nearest above), then
		// to the block; R wraps round to the one running row.
		t.keys(s, 'E');
		await wait(at(failedRow + 1), 'the previous failed row (the error output)');
		t.keys(s, 'E');
		await wait(at(failedRow), 'the failed block');
		t.keys(s, 'R');
		await wait(at(runningRow), 'the previous running row');

		// / filters as the text is typed; Enter keeps the filter, Esc clears it.
		t.type(s, '/fast');
		screen = await wait((text) => text.includes('fast answer') && !text.includes('slow answer') && (cursor(text)?.[1] ?? all) < all, 'the rows that hold "fast"');
		t.keys(s, 'Enter');
		screen = await wait((text) => text.includes('clear filter'), 'the filter kept');
		expect(screen).not.toContain('slow answer');
		t.keys(s, 'Escape');
		await wait((text) => text.includes('slow answer') && cursor(text)?.[1] === all, 'every row again');

		// - collapses every row to the run; + opens them all again.
		t.keys(s, '-');
		await wait(at(1, 1), 'one row');
		t.keys(s, '+');
		await wait((text) => cursor(text)?.[1] === all && text.includes('slow answer'), 'every row open');

		// Nothing above cancelled the run: the hanging request is still open.
		expect(server.aborted).toBe(0);
		expect(t.screen(s)).not.toContain('Cancelled');
		t.kill(s);
	}, 180_000);
});
