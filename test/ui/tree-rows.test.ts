// Tree rows in narrow panes and deep trees: the time and token columns stay and the label is cut
// (with "…"); a failed run keeps its question beside the error; a sub-call's preview never ends
// on an arrow to nothing.
import {describe, expect, it} from 'vitest';
import type {RlmEvent, RlmEventBody} from '../../source/protocol/events.js';
import {getNode, reduceAll, type TrajectoryNode, type TrajectoryState} from '../../source/trajectory/tree.js';
import {displayWidth} from '../../source/ui/format.js';
import {describeNode, layoutRow} from '../../source/ui/tree-rows.js';

let t = 0;
const ev = (body: RlmEventBody): RlmEvent => ({...body, t: (t += 1000)});
const usage = {inputTokens: 12_000, outputTokens: 3_400};
const nodes = (traj: TrajectoryState): TrajectoryNode[] => Array.from({length: traj.nodes.size}, (_, id) => getNode(traj, id)!);
const text = (layout: ReturnType<typeof layoutRow>) => [layout.title, layout.preview, layout.error].filter(Boolean).join(' ') + ' '.repeat(layout.gap) + layout.meta;

/** A call three RLM levels down: run > iteration > code > call > run > … (level 11). */
function deepTree(): TrajectoryState {
	const events: RlmEvent[] = [];
	let parentCall: string | undefined;
	for (let depth = 0; depth < 3; depth++) {
		const runId = `r${depth}`;
		events.push(ev({type: 'run.start', runId, ...(parentCall ? {parentCallId: parentCall} : {}), depth, model: 'qwen2.5-coder:32b-instruct', backend: 'openai', question: 'summarise every chapter of the book and compare them', context: {type: 'str', chars: 9}, maxIterations: 30}));
		events.push(ev({type: 'iter.start', runId, iteration: 1, maxIterations: 30}));
		events.push(ev({type: 'code.start', runId, iteration: 1, block: 1, code: 'answers = rlm_query_batched([f"chapter {i}" for i in range(40)])'}));
		parentCall = `c${depth}`;
		events.push(ev({type: 'call.start', callId: parentCall, runId, iteration: 1, block: 1, kind: 'rlm', fn: 'rlm_query_batched', index: 17, model: 'qwen2.5-coder:32b-instruct', prompt: 'summarise chapter 17 of the book in detail'}));
	}
	events.push(ev({type: 'call.done', callId: parentCall!, response: 'Chapter seventeen is about the sea.', usage, ms: 65_000}));
	return reduceAll(events);
}

describe('tree rows', () => {
	it('keep the time and token columns at depth 3 and cut the label instead, with …', () => {
		const traj = deepTree();
		const call = nodes(traj).filter((node) => node.kind === 'call').at(-1)!;
		expect(call.level).toBeGreaterThanOrEqual(11);
		for (const width of [60, 80, 100]) {
			const lead = 2 * Math.min(call.level, Math.floor(width / 6)) + 4;
			const row = describeNode(call);
			const layout = layoutRow(row, width, lead);
			expect(layout.meta).toContain('1m05s');
			expect(lead + displayWidth(text(layout))).toBe(width);
			if (displayWidth(layout.title) < displayWidth(row.title) || layout.preview !== row.preview) expect(text(layout)).toContain('…');
		}
		// So narrow the title would vanish: tokens give way first, the time last.
		const tight = layoutRow(describeNode(call), 40, 24);
		expect(tight.meta).toBe('1m05s');
	});

	it("a batch's slot rows keep a preview of their prompt at common widths: the model name and tokens give way first", async () => {
		const {computeLayout} = await import('../../source/ui/state/layout.js');
		const model = 'qwen2.5-coder:32b-instruct';
		const slot = (failed: boolean) => {
			const traj = reduceAll([
				ev({type: 'run.start', runId: 'r', depth: 0, model, backend: 'openai', question: 'q', context: {type: 'str', chars: 9}, maxIterations: 30}),
				ev({type: 'iter.start', runId: 'r', iteration: 1, maxIterations: 30}),
				ev({type: 'code.start', runId: 'r', iteration: 1, block: 1, code: 'answers = llm_query_batched(prompts)'}),
				ev({type: 'call.start', callId: 'c', runId: 'r', iteration: 1, block: 1, kind: 'llm', fn: 'llm_query_batched', index: 17, batchSize: 40, model, prompt: 'Summarise chapter 17 of the book in detail'}),
				ev({type: 'call.done', callId: 'c', response: failed ? 'Error: rate limited' : 'Chapter seventeen is about the sea.', usage, ms: 65_000, ...(failed ? {error: 'rate limited (429)'} : {})}),
			]);
			return nodes(traj).find((node) => node.kind === 'call')!;
		};
		for (const failed of [false, true]) {
			const call = slot(failed);
			for (const columns of [80, 90, 100, 110, 120, 140, 160]) {
				const width = computeLayout({columns, rows: 40}).tree.innerWidth;
				// Under its batch row, a level deeper than the code, as TreeRow lays it out.
				const lead = 2 * Math.min(call.level + 1, Math.floor(width / 6)) + 4;
				// Under its batch's row, which names the function, the slot is titled by its index.
				const layout = layoutRow(describeNode(call, undefined, true), width, lead);
				expect(lead + displayWidth(text(layout)), `${columns} columns`).toBe(width);
				expect(layout.title, `${columns} columns`).toBe('[17]');
				expect(layout.preview, `${columns} columns`).toMatch(/^"Summ/);
				// A failed slot shares the room with its error; a done one keeps a readable prompt ("Summarise c…" at least).
				if (!failed) expect(displayWidth(layout.preview), `${columns} columns`).toBeGreaterThanOrEqual(14);
				else expect(layout.error, `${columns} columns`).toMatch(/^✗ rate/);
				expect(layout.meta, `${columns} columns`).toContain('1m05s');
			}
		}
	});

	it('a failed run keeps its question, with the error beside it', () => {
		const traj = reduceAll([
			ev({type: 'run.start', runId: 'r', depth: 0, model: 'm', backend: 'openai', question: 'how many words are in the file?', context: {type: 'none', chars: 0}, maxIterations: 30}),
			ev({type: 'run.done', runId: 'r', answer: '', status: 'failed', usage: {inputTokens: 0, outputTokens: 0}, ms: 20, iterations: 0, error: 'Cannot reach the openai backend at http://localhost:11434/v1'}),
		]);
		const run = getNode(traj, traj.roots[0]!)!;
		const row = describeNode(run);
		expect(row.preview).toContain('how many words');
		expect(row.error).toContain('Cannot reach');
		const wide = layoutRow(row, 120, 4);
		expect(wide.preview).toContain('how many words are in the file?');
		expect(wide.error).toContain('Cannot reach');
		const narrow = layoutRow(row, 70, 4);
		expect(narrow.preview).toMatch(/^"how/);
		expect(narrow.error).toMatch(/^✗ Cannot/);
		expect(narrow.meta).toContain('failed');
	});

	it('a cancelled run keeps a start of its question in a narrow pane: its long meta gives way first', () => {
		const traj = reduceAll([
			ev({type: 'run.start', runId: 'r', depth: 0, model: 'fake-model', backend: 'openai', question: 'find the best answer please', context: {type: 'none', chars: 0}, maxIterations: 30}),
			ev({type: 'iter.start', runId: 'r', iteration: 1, maxIterations: 30}),
			ev({type: 'iter.start', runId: 'r', iteration: 2, maxIterations: 30}),
			ev({type: 'run.done', runId: 'r', answer: 'found 42', status: 'cancelled', usage: {inputTokens: 1300, outputTokens: 29}, ms: 3600, iterations: 2}),
		]);
		const row = describeNode(getNode(traj, traj.roots[0]!)!);
		for (const width of [50, 57, 70]) {
			const layout = layoutRow(row, width, 4);
			expect(layout.preview).toMatch(/^"find/);
			// Its status outlasts the rest of its meta where the whole title leaves room (the icon says it too).
			if (width >= 57) expect(layout.meta).toMatch(/^cancelled/);
			expect(displayWidth(text(layout))).toBeLessThanOrEqual(width - 4);
		}
	});

	it('a sub-call preview never ends with an empty arrow', () => {
		const traj = reduceAll([
			ev({type: 'run.start', runId: 'r', depth: 0, model: 'm', backend: 'openai', question: 'q', context: {type: 'none', chars: 0}, maxIterations: 30}),
			ev({type: 'code.start', runId: 'r', iteration: 1, block: 1, code: 'x = llm_query("p")'}),
			ev({type: 'call.start', callId: 'a', runId: 'r', iteration: 1, block: 1, kind: 'llm', fn: 'llm_query', index: 0, model: 'm', prompt: 'a prompt of exactly this size'}),
			ev({type: 'call.done', callId: 'a', response: '   \n ', usage, ms: 5}),
			ev({type: 'call.start', callId: 'b', runId: 'r', iteration: 1, block: 1, kind: 'llm', fn: 'llm_query', index: 0, model: 'm', prompt: 'a prompt of exactly this size'}),
			ev({type: 'call.done', callId: 'b', response: 'a long answer that will not fit in the row', usage, ms: 5}),
		]);
		const [empty, full] = nodes(traj).filter((node) => node.kind === 'call');
		expect(describeNode(empty).preview).toMatch(/→ \(empty\)$/);
		for (let width = 30; width <= 90; width++) {
			const layout = layoutRow(describeNode(full), width, 6);
			expect(layout.preview).not.toMatch(/→\s*…?$/);
		}
	});
});

describe('the detail view of a reply', () => {
	it('shows the messages that were sent, each under its role and size, a long one cut', async () => {
		const {detailLines} = await import('../../source/ui/detail.js');
		const long = `${'x'.repeat(5000)}THE END`;
		const traj = reduceAll([
			ev({type: 'run.start', runId: 'r', depth: 0, model: 'm', backend: 'openai', question: 'q', context: {type: 'none', chars: 0}, maxIterations: 30}),
			ev({type: 'iter.start', runId: 'r', iteration: 1, maxIterations: 30}),
			ev({type: 'llm.start', runId: 'r', iteration: 1, messages: 3, promptChars: 5030, prompt: [
				{role: 'system', content: 'You are an RLM. Use the repl.'},
				{role: 'user', content: 'How many words?\x1b]52;c;ZXZpbA==\x07'},
				{role: 'assistant', content: long},
			]}),
			ev({type: 'llm.done', runId: 'r', iteration: 1, text: 'Forty.', usage, ms: 5}),
		]);
		const reply = nodes(traj).find((node) => node.kind === 'reply')!;
		const text = detailLines(reply, 100).join('\n');
		expect(text).toMatch(/Sent 1\/3 · system · 29 chars[\s\S]*You are an RLM\. Use the repl\./);
		expect(text).toMatch(/Sent 2\/3 · user[\s\S]*How many words\?/);
		expect(text).not.toContain('\x1b]52');
		expect(text).toMatch(/Sent 3\/3 · assistant · 5,007 chars/);
		expect(text).toContain('1,007 more characters');
		expect(text).not.toContain('THE END');
	});
});

describe('the detail view of a failed sub-call', () => {
	it('titles the error with its code; a call replayed from a log without one says Error alone', async () => {
		const {detailLines} = await import('../../source/ui/detail.js');
		const traj = reduceAll([
			ev({type: 'run.start', runId: 'r', depth: 0, model: 'm', backend: 'openai', question: 'q', context: {type: 'none', chars: 0}, maxIterations: 30}),
			ev({type: 'iter.start', runId: 'r', iteration: 1, maxIterations: 30}),
			ev({type: 'code.start', runId: 'r', iteration: 1, block: 1, code: 'llm_query_batched(["a", "b"])'}),
			ev({type: 'call.start', callId: 'coded', runId: 'r', iteration: 1, block: 1, kind: 'llm', fn: 'llm_query_batched', index: 0, model: 'm', prompt: 'a'}),
			ev({type: 'call.start', callId: 'old', runId: 'r', iteration: 1, block: 1, kind: 'llm', fn: 'llm_query_batched', index: 1, model: 'm', prompt: 'b'}),
			ev({type: 'call.done', callId: 'coded', response: 'Error: Rate limited (429).', usage, ms: 5, error: 'Rate limited (429).', errorCode: 'rate_limited'}),
			ev({type: 'call.done', callId: 'old', response: 'Error: Rate limited (429).', usage, ms: 5, error: 'Error: Rate limited (429).'}),
		]);
		const calls = nodes(traj).filter((node) => node.kind === 'call');
		expect(calls.map((call) => call.kind === 'call' && call.errorCode)).toEqual(['rate_limited', undefined]);
		expect(detailLines(calls[0]!, 100).join('\n')).toContain('Error (rate_limited)');
		const old = detailLines(calls[1]!, 100).join('\n');
		expect(old).toContain('Error: Rate limited (429).');
		expect(old).not.toContain('Error (');
	});
});

describe('/copy', () => {
	it('sends the text as xterm specifies OSC 52: base64 of its UTF-8 for the clipboard', async () => {
		const {osc52} = await import('../../source/ui/terminal.js');
		expect(osc52('hi')).toBe('\x1b]52;c;aGk=\x07');
		expect(Buffer.from(osc52('naïve → ✓').slice(7, -1), 'base64').toString('utf8')).toBe('naïve → ✓');
	});
});

describe('the detail view of a code block', () => {
	it('shows what the block printed beside its error, and follows output that arrives later', async () => {
		const {detailLines} = await import('../../source/ui/detail.js');
		const start = [
			ev({type: 'run.start', runId: 'r', depth: 0, model: 'm', backend: 'openai', question: 'q', context: {type: 'none', chars: 0}, maxIterations: 30}),
			ev({type: 'iter.start', runId: 'r', iteration: 1, maxIterations: 30}),
			ev({type: 'code.start', runId: 'r', iteration: 1, block: 1, code: 'print("rows: 41")\n1/0'}),
			ev({type: 'code.output', runId: 'r', iteration: 1, block: 1, stream: 'stdout', text: 'rows: 41\n'}),
		];
		const running = reduceAll(start);
		const code = (traj: TrajectoryState) => nodes(traj).find((node) => node.kind === 'code')!;
		expect(detailLines(code(running), 100, running).join('\n')).toMatch(/Output[\s\S]*rows: 41/);
		const failed = reduceAll([
			...start,
			ev({type: 'code.output', runId: 'r', iteration: 1, block: 1, stream: 'stdout', text: 'rows: 42\n'}),
			ev({type: 'code.done', runId: 'r', iteration: 1, block: 1, ok: false, stdout: 'rows: 41\nrows: 42\n', stderr: '', error: 'ZeroDivisionError: division by zero', ms: 3, truncatedChars: 0, variables: [], final: null, restarted: false}),
		]);
		const text = detailLines(code(failed), 100, failed).join('\n');
		expect(text).toMatch(/Output[\s\S]*rows: 41\s*\n\s*rows: 42[\s\S]*Error[\s\S]*ZeroDivisionError/);
	});
});

describe('the row of a failed block', () => {
	const failedBlock = (error: string) => {
		const traj = reduceAll([
			ev({type: 'run.start', runId: 'r', depth: 0, model: 'm', backend: 'openai', question: 'q', context: {type: 'none', chars: 0}, maxIterations: 30}),
			ev({type: 'iter.start', runId: 'r', iteration: 1, maxIterations: 30}),
			ev({type: 'code.start', runId: 'r', iteration: 1, block: 1, code: 'while True: pass'}),
			ev({type: 'code.done', runId: 'r', iteration: 1, block: 1, ok: false, stdout: '', stderr: '', error, ms: 5000, truncatedChars: 0, variables: [], final: null, limit: 'timeout', restarted: false}),
		]);
		return describeNode(nodes(traj).find((node) => node.kind === 'output')!);
	};
	const traceback = 'Traceback (most recent call last):\n  File "<block 1>", line 1, in <module>\n';

	it('a timeout says it timed out, not the KeyboardInterrupt the interrupt left', () => {
		const notice = 'Timed out after 5 s of Python time (waiting for sub-calls does not count): the block was interrupted. Variables from earlier blocks are kept.';
		expect(failedBlock(`${notice}\n${traceback}KeyboardInterrupt`)).toMatchObject({title: 'error', preview: notice, previewIsError: true});
	});

	it('an exception says its exception line', () => {
		expect(failedBlock(`${traceback}ZeroDivisionError: division by zero`)).toMatchObject({title: 'error', preview: 'ZeroDivisionError: division by zero'});
	});
});
