// Pure pieces of the TUI: key splitting, the line editor, commands, layout, the flattened tree
// view, the reducer's routing under several keys, cost and formatting.
import {describe, expect, it} from 'vitest';
import type {RlmEvent, RlmEventBody} from '../../source/protocol/events.js';
import {COMMANDS, parseCommandLine} from '../../source/ui/commands/index.js';
import {failureAdvice, failureText, unreachableHint} from '../../source/ui/advice.js';
import {clip, clipWords, fitAnsi} from '../../source/ui/format.js';
import {formatClock, formatMs, formatTokens} from '../../source/text/units.js';
import {loadRenderers, markdownLines} from '../../source/ui/markdown.js';
import {safeEvent, safeText} from '../../source/text/safe-text.js';
import {appReducer, initialAppState, type AppState} from '../../source/ui/state/app-state.js';
import {keyName, splitText} from '../../source/ui/state/keys.js';
import {KeyDecoder} from '../../source/ui/state/key-decoder.js';
import {computeLayout} from '../../source/ui/state/layout.js';

import {applyEvents, emptyTreeView, flatten, moveCursor} from '../../source/ui/state/tree-view.js';

let t = 0;
const ev = (body: RlmEventBody) => ({...body, t: ++t});

function bigRun(calls: number): RlmEvent[] {
	const events: RlmEvent[] = [
		ev({type: 'run.start', runId: 'r', depth: 0, model: 'm', backend: 'demo', question: 'q', context: {type: 'none', chars: 0}, maxIterations: 3}),
		ev({type: 'code.start', runId: 'r', iteration: 1, block: 1, code: 'x'}),
	];
	for (let i = 0; i < calls; i++) {
		events.push(ev({type: 'call.start', callId: `c${i}`, runId: 'r', iteration: 1, block: 1, kind: 'llm', fn: 'llm_query', index: 0, model: 's', prompt: 'p'}));
	}
	return events;
}

const key = (state: AppState, input: string, extra: Record<string, boolean> = {}) =>
	appReducer(state, {type: 'key', press: {input, key: extra}, now: 0});

/** One read from the terminal, decoded as the app does. */
const chunk = (state: AppState, data: string) => appReducer(state, {type: 'input', events: new KeyDecoder().push(data, 0), now: 0});

describe('keys', () => {
	it('names presses, modifiers first, and splits typed runs for keys outside the input', () => {
		expect(keyName({input: 'c', key: {ctrl: true}})).toBe('ctrl+c');
		expect(keyName({input: '', key: {upArrow: true}})).toBe('up');
		expect(keyName({input: '', key: {backspace: true}})).toBe('backspace');
		expect(keyName({input: '', key: {delete: true}})).toBe('delete');
		expect(keyName({input: '', key: {leftArrow: true, ctrl: true}})).toBe('ctrl+left');
		expect(keyName({input: '', key: {return: true, shift: true}})).toBe('shift+return');
		expect(keyName({input: 'b', key: {meta: true}})).toBe('alt+b');
		expect(keyName({input: '', key: {escape: true, meta: true}})).toBe('escape');
		expect(keyName({input: 'x\ny', key: {paste: true}})).toBe('paste');
		expect(splitText({input: 'kkj', key: {}}).map(keyName)).toEqual(['k', 'k', 'j']);
		expect(splitText({input: 'a\nb', key: {paste: true}})).toHaveLength(1);
	});
});

describe('commands', () => {
	const typed = (line: string) => chunk(initialAppState({size: {columns: 120, rows: 36}, config: {backend: 'demo', model: 'demo', maxIterations: 30}}), `${line}\r`);
	const queued = (state: AppState) => state.effects.filter((effect) => effect.kind !== 'history-add').map(({seq: _seq, at: _at, ...effect}) => effect);

	it('finds a command by its name or an alias, with the text after it', () => {
		const line = parseCommandLine('/MODEL  llama3 ');
		expect(line && 'command' in line && line.command.name).toBe('model');
		expect(line && 'command' in line && line.args).toBe('llama3');
		const alias = parseCommandLine('/exit');
		expect(alias && 'command' in alias && alias.command.name).toBe('quit');
		expect(parseCommandLine('/nope x')).toEqual({unknown: '/nope x'});
		expect(parseCommandLine('not a command')).toBeUndefined();
	});

	it('every command has its own name, usage and help', () => {
		const names = COMMANDS.flatMap((command) => [command.name, ...(command.aliases ?? [])]);
		expect(new Set(names).size).toBe(names.length);
		for (const command of COMMANDS) {
			expect(command.usage.startsWith(`/${command.name}`)).toBe(true);
			expect(command.help.length).toBeGreaterThan(5);
		}
	});

	it("each command's run queues its own effect with what was typed", () => {
		expect(queued(typed('/backend openai http://x:1/v1'))).toEqual([{kind: 'command', name: 'backend', payload: {backend: 'openai', url: 'http://x:1/v1'}}]);
		expect(queued(typed('/context "my file.txt"'))).toEqual([{kind: 'command', name: 'context', payload: {paths: ['my file.txt']}}]);
		expect(queued(typed("/context src/ 'docs/**/*.md' \"my notes.txt\" -"))).toEqual([{kind: 'command', name: 'context', payload: {paths: ['src/', 'docs/**/*.md', 'my notes.txt', '-']}}]);
		expect(queued(typed('/context off'))).toEqual([{kind: 'command', name: 'context', payload: {paths: null}}]);
		expect(queued(typed('/context'))).toEqual([]);
		expect(queued(typed('/model llama3'))).toEqual([{kind: 'command', name: 'model', payload: {set: 'llama3', verify: true}}]);
		expect(queued(typed('/theme LIGHT'))).toEqual([{kind: 'command', name: 'theme', payload: 'light'}]);
		expect(queued(typed('/theme'))).toEqual([{kind: 'command', name: 'theme', payload: 'show'}]);
		expect(queued(typed('/exit'))).toEqual([{kind: 'exit', code: 0}]);
		const save = queued(typed('/save'))[0] as {payload: {format: string; content: string; path?: string}};
		expect(save.payload.format).toBe('json');
		expect(save.payload.path).toBeUndefined();
		expect(JSON.parse(save.payload.content)).toHaveProperty('version', 1);
	});

	it('bad arguments are told in the chat and queue nothing', () => {
		for (const [line, said] of [
			['/backend nope', 'Unknown backend "nope"'],
			['/backend openai not-a-url', 'Not a URL: "not-a-url"'],
			['/theme blue', 'Unknown theme "blue": /theme dark or /theme light'],
			['/mouse maybe', 'Usage: /mouse on or /mouse off.'],
			['/nope x', 'Unknown command /nope'],
		] as const) {
			const state = typed(line);
			expect(queued(state), line).toEqual([]);
			expect(state.chat.at(-1)?.text).toContain(said);
			if (line.startsWith('/theme')) expect(state.chat.at(-1)?.kind).toBe('error');
		}
	});
});

describe('layout', () => {
	it('is one row shorter than the terminal and stacks below 100 columns', () => {
		const wide = computeLayout({columns: 120, rows: 36});
		expect(wide).toMatchObject({height: 35, stacked: false, mainHeight: 34});
		expect(wide.chat.width + wide.tree.width).toBe(120);
		const narrow = computeLayout({columns: 80, rows: 24});
		expect(narrow.stacked).toBe(true);
		expect(narrow.chat.height + narrow.tree.height).toBe(narrow.mainHeight);
		expect(narrow.treeRows).toBeGreaterThanOrEqual(5);
		expect(narrow.chatRows).toBeGreaterThanOrEqual(5);
	});
});

describe('tree view', () => {
	it('flattens once per tree change and moves in O(1)', () => {
		let view = applyEvents(emptyTreeView(), bigRun(10_000), 30);
		const rows = flatten(view);
		expect(rows.ids.length).toBe(10_003);
		expect(flatten(view)).toBe(rows);
		expect(rows.rowOf(view.cursor)).toBe(10_002);
		for (let i = 0; i < 1000; i++) view = moveCursor(view, i % 2 ? 'down' : 'up', 30);
		expect(flatten(view)).toBe(rows);
		view = moveCursor(view, 'top', 30);
		expect(view.offset).toBe(0);
		view = moveCursor(view, 'page-down', 30);
		expect(flatten(view).rowOf(view.cursor)).toBe(29);
		expect(view.offset).toBe(0);
		view = moveCursor(view, 'down', 30);
		expect(view.offset).toBe(1);
	});
});

describe('reducer under several keys per tick', () => {
	it('routes each key with the state the previous one left', () => {
		let state = initialAppState({size: {columns: 120, rows: 36}, config: {backend: 'demo', model: 'demo', maxIterations: 30}});
		state = appReducer(state, {type: 'events', events: bigRun(5)});
		// One chunk: Tab to the tree, up twice, down once.
		state = chunk(state, '\tkkj');
		expect(state.focus).toBe('tree');
		expect(flatten(state.tree).rowOf(state.tree.cursor)).toBe(6);
		// Enter on a leaf opens the detail; j scrolls it, Esc (as Alt+q from one chunk) closes it.
		state = key(state, '', {return: true});
		expect(state.dialog?.type).toBe('detail');
		state = key(state, 'j', {meta: true});
		expect(state.dialog).toBeNull();
		expect(flatten(state.tree).rowOf(state.tree.cursor)).toBe(7);
		// Ctrl+C twice when idle queues exactly one exit.
		state = key(state, 'c', {ctrl: true});
		state = key(state, 'c', {ctrl: true});
		expect(state.effects.filter((e) => e.kind === 'exit')).toHaveLength(1);
	});

	it('scrolls the chat with PgUp/PgDn', () => {
		let state = initialAppState({size: {columns: 120, rows: 20}, config: {backend: 'demo', model: 'demo', maxIterations: 30}});
		for (let i = 0; i < 40; i++) state = appReducer(state, {type: 'chat', kind: 'info', text: `line ${i}`});
		state = key(state, '', {pageUp: true});
		expect(state.chatScroll).toBeGreaterThan(0);
		state = key(state, '', {pageDown: true});
		expect(state.chatScroll).toBe(0);
	});
});

describe('formatting, Markdown and advice', () => {
	it('formats and fits', async () => {
		expect(formatMs(850)).toBe('850ms');
		expect(formatMs(12_300)).toBe('12s');
		expect(formatClock(65_000)).toBe('1:05');
		expect(formatTokens(12_345)).toBe('12k');
		expect(clip('abcdef', 4)).toBe('abc…');
		expect(clipWords('working 0:04 · iteration 1/30 · waiting for the first token', 52)).toBe('working 0:04 · iteration 1/30 · waiting for the…');
		expect(clipWords('working 0:04 · iteration 1/30 · waiting for the first token', 34)).toBe('working 0:04 · iteration 1/30…');
		expect(clipWords('waiting for the first token', 40)).toBe('waiting for the first token');
		// One long word is cut inside it: a boundary far back would lose most of the room.
		expect(clipWords('see https://example.com/a/very/long/path/to/a/file', 30)).toBe('see https://example.com/a/ver…');
		expect(fitAnsi('\x1b[31mabcdef\x1b[39m', 4)).toMatch(/abc(\x1b\[\d+m)*…$/);
		expect(fitAnsi('abcdef', 6)).toBe('abcdef');
		// A cut that lands just after an ellipsis adds none of its own.
		expect(clip('"Summarize in one senten…" → an answer', 26)).toBe('"Summarize in one senten…');
		expect(fitAnsi('\x1b[2m"Summarize in one senten…"\x1b[22m → an answer', 26)).not.toMatch(/……/);
		// The libraries load on demand (the app starts them after its first frame).
		const source = '**bold** and `code`\n\n- a\n- b';
		await loadRenderers();
		expect(markdownLines(source, 40).join('\n')).not.toContain('**');
	});

	it('advises on a failed question by its error code, not its wording', () => {
		expect(failureAdvice('unreachable')).toContain('/backend demo');
		expect(failureAdvice('timeout')).toContain('/backend NAME URL');
		expect(failureAdvice('not_found')).toBe('Pick another model with /model.');
		expect(failureAdvice('no_model')).toBe('Pick another model with /model.');
		expect(failureAdvice('internal')).toBeUndefined();
		expect(failureAdvice(undefined)).toBeUndefined();
	});

	it('leaves out a backend’s advice about flags where it has its own, and keeps it where it has none', () => {
		const unreachable = {error: 'Cannot reach Ollama at http://h:11434/v1: connection refused.', errorCode: 'unreachable' as const, errorAdvice: 'Start the server (`ollama serve`), pass -u URL, or try -b demo.'};
		expect(failureText(unreachable)).toBe(`${unreachable.error} ${failureAdvice('unreachable')}`);
		const limited = {error: 'Rate limited by the server at http://h/v1 (429).', errorCode: 'rate_limited' as const, errorAdvice: 'Wait a moment and try again.'};
		expect(failureText(limited)).toBe('Rate limited by the server at http://h/v1 (429). Wait a moment and try again.');
		expect(failureText({errorCode: 'internal'})).toBe('the completion failed');
		// The start-up check: the message names the URL; the advice is the TUI's commands.
		const refused = Object.assign(new Error(unreachable.error), {code: 'unreachable', advice: unreachable.errorAdvice});
		const hint = unreachableHint('ollama', 'http://h:11434/v1', refused);
		expect(hint).toMatch(/^Cannot reach Ollama at http:\/\/h:11434\/v1: connection refused\. Start the server \(/);
		expect(hint).toContain('/backend ollama URL');
		expect(hint).not.toContain('-u URL');
	});

	it('calls a server that answered by what it said, with one full stop, and a missing key by what the app offers', () => {
		const rejected = Object.assign(new Error('Request rejected by http://h/v1 (400): bad json.'), {code: 'bad_request'});
		const hint = unreachableHint('openai', 'http://h/v1', rejected);
		expect(hint).toMatch(/^Request rejected by http:\/\/h\/v1 \(400\): bad json\. Check that the server/);
		expect(hint).not.toContain('Cannot reach');
		expect(hint).not.toContain('..');
		const noKey = Object.assign(new Error('GROQ_API_KEY is not set.'), {code: 'missing_key', advice: 'Pass -k KEY or export GROQ_API_KEY.'});
		const keyHint = unreachableHint('groq', undefined, noKey);
		expect(keyHint).toBe('GROQ_API_KEY is not set. The app reads API keys only when it starts: /quit, then start it again with GROQ_API_KEY set (or with -k KEY); /backend demo needs none.');
		expect(failureText({error: 'Authentication failed at http://h/v1 (401).', errorCode: 'auth', errorAdvice: 'Check the key: pass -k KEY or export OPENAI_API_KEY.'})).not.toContain('export');
		expect(unreachableHint('openai', 'http://h/v1', new Error('socket hang up.'))).toMatch(/^Cannot reach the openai backend at http:\/\/h\/v1: socket hang up\. Start/);
	});

	it('an account out of credits: the billing advice, not “check the URL” (the server is the one meant)', () => {
		const advice = 'Add credits or check the plan and billing of the account at OpenRouter (openrouter.ai); retrying will not help until then.';
		const broke = Object.assign(new Error('Out of credits or quota at https://openrouter.ai/api/v1 (402): Insufficient credits.'), {code: 'insufficient_quota', advice});
		expect(unreachableHint('openrouter', 'https://openrouter.ai/api/v1', broke)).toBe(`${broke.message} ${advice}`);
		expect(failureText({error: broke.message, errorCode: 'insufficient_quota', errorAdvice: advice})).toBe(`${broke.message} ${advice}`);
	});
});

describe('safe text', () => {
	it('drops control characters (an event\'s with a mark where each was) but keeps newlines, tabs and the events it was handed', () => {
		expect(safeText('a\x1b]52;c;SGk=\x07b\tc\nd\x9b2J')).toBe('ab\tc\nd');
		const clean = {type: 'call.delta', callId: 'c', text: 'plain', t: 0} as const;
		expect(safeEvent(clean)).toBe(clean);
		const dirty = safeEvent({type: 'code.output', runId: 'r', iteration: 1, block: 1, stream: 'stdout', text: 'x\x1b[2Jy', t: 0});
		expect(dirty.type === 'code.output' && dirty.text).toBe('x<U+001B>[2Jy');
	});

	it("keeps the user's own question whole (a root run's), and cleans a child run's, which a model wrote", () => {
		const question = 'a\x1b[31mred\x1b[0m \u202Eevil\u202C';
		const start = {type: 'run.start', runId: 'r', depth: 0, model: 'm\x1b[2J', backend: 'openai', question, context: {type: 'none', chars: 0}, maxIterations: 3, t: 0} as const;
		const root = safeEvent(start);
		expect(root.type === 'run.start' && [root.question, root.model]).toEqual([question, 'm<U+001B>[2J']);
		const child = safeEvent({...start, runId: 'c', parentCallId: 'call', depth: 1});
		expect(child.type === 'run.start' && child.question).toBe('a<U+001B>[31mred<U+001B>[0m <U+202E>evil<U+202C>');
	});
});

describe('reasoning in the tree pane and the detail view', () => {
	const events: RlmEvent[] = [
		{type: 'run.start', runId: 'r', depth: 0, model: 'm', backend: 'openai', question: 'q', context: {type: 'str', chars: 1}, maxIterations: 3, t: 1},
		{type: 'iter.start', runId: 'r', iteration: 1, maxIterations: 3, t: 2},
		{type: 'llm.reasoning', runId: 'r', iteration: 1, text: 'First I count.\nThen I check.', t: 3},
		{type: 'llm.done', runId: 'r', iteration: 1, text: '', reasoning: 'First I count.\nThen I check.', usage: {inputTokens: 1, outputTokens: 1}, ms: 5, t: 8},
	];

	it('the reasoning row says what it is; the detail view shows its whole text', async () => {
		const {reduceAll, getNode} = await import('../../source/trajectory/tree.js');
		const {describeNode} = await import('../../source/ui/tree-rows.js');
		const {detailLines, detailTitle} = await import('../../source/ui/detail.js');
		const state = reduceAll(events);
		const nodes = Array.from({length: state.nodes.size}, (_, id) => getNode(state, id)!);
		const thinking = nodes.find((node) => node.kind === 'reasoning')!;
		const row = describeNode(thinking);
		expect(row.title).toBe('thinking (never run)');
		expect(row.preview).toBe('First I count.');
		expect(detailTitle(thinking)).toBe('Reasoning');
		const text = detailLines(thinking, 200).join('\n');
		expect(text).toContain('never run and never the answer');
		expect(text).toContain('Then I check.');
		const reply = nodes.find((node) => node.kind === 'reply')!;
		expect(detailLines(reply, 200).join('\n')).toMatch(/its thinking is the row beneath[\s\S]*\(no answer text\)/);
	});
});

describe('use against the run-wide limits', () => {
	const caps = {maxBudget: 0.5, maxTimeout: 300, maxTokens: 100_000, maxErrors: 3, maxSubCalls: 500};
	const use = {costUsd: 0.0123, unpricedModels: [], tokens: 12_345, subCalls: 31, errors: 0, elapsedMs: 42_000};

	it('names each cap that is set, in one line; narrow places leave out caps with nothing used', async () => {
		const {limitsText} = await import('../../source/text/limits-text.js');
		expect(limitsText(caps, use)).toBe('$0.012/$0.50 · 0:42/5:00 · 12k/100k tok · 31/500 sub-calls · 0/3 errors');
		expect(limitsText(caps, use, {skipUnused: true, elapsedMs: 61_000})).toBe('$0.012/$0.50 · 1:01/5:00 · 12k/100k tok · 31/500 sub-calls');
		expect(limitsText({maxSubCalls: 500}, {...use, subCalls: 0}, {skipUnused: true})).toBe('');
		expect(limitsText({maxBudget: 1}, {...use, unpricedModels: ['local-model']})).toBe('$0.012/$1.00 (+ unpriced)');
		// The clock never reads past the cap (the run is stopping).
		expect(limitsText({maxTimeout: 2}, use, {elapsedMs: 9000})).toBe('0:02/0:02');
	});

	it('a cap the user did not set (the default 500 sub-calls) stays out until it is nearly reached', async () => {
		const {limitsText} = await import('../../source/text/limits-text.js');
		const defaults = ['maxSubCalls'] as const;
		expect(limitsText({maxSubCalls: 500}, use, {skipUnused: true, defaults})).toBe('');
		expect(limitsText({maxTokens: 100_000, maxSubCalls: 500}, use, {skipUnused: true, defaults})).toBe('12k/100k tok');
		expect(limitsText({maxSubCalls: 500}, {...use, subCalls: 399}, {defaults})).toBe('');
		expect(limitsText({maxSubCalls: 500}, {...use, subCalls: 400}, {defaults})).toBe('400/500 sub-calls');
		// Chosen by the user (not among the defaults): shown as soon as it is used.
		expect(limitsText({maxSubCalls: 500}, use, {skipUnused: true})).toBe('31/500 sub-calls');
	});

	it('the root run row shows the use and the limit that stopped it; the detail view lists every cap', async () => {
		const {reduceAll, getNode} = await import('../../source/trajectory/tree.js');
		const {describeNode} = await import('../../source/ui/tree-rows.js');
		const {detailLines} = await import('../../source/ui/detail.js');
		const state = reduceAll([
			{type: 'run.start', runId: 'r', depth: 0, model: 'm', backend: 'openai', question: 'q', context: {type: 'str', chars: 1}, maxIterations: 3, t: 1},
			{type: 'limits', runId: 'r', caps, use: {...use, subCalls: 500}, t: 2},
			{type: 'run.done', runId: 'r', answer: 'best', status: 'limited', limit: 'maxSubCalls', error: "The run's limit of 500 sub-calls (--max-sub-calls) is reached.", usage: {inputTokens: 1, outputTokens: 1}, ms: 5, iterations: 1, t: 8},
		] as RlmEvent[]);
		const run = getNode(state, state.roots[0]!)!;
		const row = describeNode(run);
		expect(row.meta).toContain('limited: maxSubCalls');
		expect(row.meta).toContain('500/500 sub-calls');
		expect(row.previewIsError).toBe(false);
		const text = detailLines(run, 200).join('\n');
		expect(text).toMatch(/maxSubCalls: 500\/500 sub-calls {2}← stopped the run/);
		expect(text).toMatch(/maxBudget: \$0\.012\/\$0\.50/);
		expect(text).toContain('(--max-sub-calls) is reached');
	});
});

describe('the headless spinner under limits', () => {
	it('adds the caps that are set, with its own clock for the time cap', async () => {
		const {progressText} = await import('../../source/cli/progress.js');
		const {emptyTrajectory} = await import('../../source/trajectory/tree.js');
		const use = {costUsd: 0, unpricedModels: [], tokens: 2600, subCalls: 0, errors: 0, elapsedMs: 0};
		const text = progressText({iteration: 2, maxIterations: 30, elapsedMs: 12_000, tree: emptyTrajectory(), limits: {caps: {maxTokens: 50_000, maxTimeout: 60, maxSubCalls: 500}, use}});
		expect(text).toBe('iter 2/30 · 0:12 · 0 tokens · limits 0:12/1:00 · 2.6k/50k tok');
		expect(progressText({iteration: 0, maxIterations: 30, elapsedMs: 0, tree: emptyTrajectory()})).toBe('starting · 0:00 · 0 tokens');
	});
});
