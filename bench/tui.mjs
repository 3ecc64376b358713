// TUI: keypress-to-frame time with 100, 1,000 and 10,000 rows in the tree, frames per second
// while 500 tokens/s stream in, CPU while a long block runs, and the cost of a long Markdown answer with a wide table. The real App (dist/) with a stand-in engine that emits the events
// it is told to, as test/ui does. Run as its own process (run.mjs does): it sets NODE_ENV to
// production before React loads, as the app does, and prints one JSON object on stdout.
//   node bench/tui.mjs [--quick] [--markdown-only] [--idle-only] [--tree-only]
import {EventEmitter} from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {monitorEventLoopDelay} from 'node:perf_hooks';

process.env.NODE_ENV = 'production';
for (const name of Object.keys(process.env)) if (name === 'CI' || name.startsWith('CI_')) delete process.env[name];

const [{createElement}, ink, {render: renderTesting}, {App}, {resolveConfig}, {openSettings}, markdown, fullscreen, terminal] = await Promise.all([
	import('react'),
	import('ink'),
	import('ink-testing-library'),
	import('../dist/ui/app.js'),
	import('../dist/settings/resolve.js'),
	import('../dist/settings/store.js'),
	import('../dist/ui/markdown.js'),
	import('../dist/ui/fullscreen.js'),
	import('../dist/ui/terminal.js').catch(() => ({})),
]);

const quick = process.argv.includes('--quick');
const stripAnsi = (text) => text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '');
const COLUMNS = 120;
const ROWS = 40;

/** Stands in for Rlm: completion() stays pending; the benchmark emits the events. */
class StandInEngine extends EventEmitter {
	options = {model: 'bench-model', backend: 'openai'};
	prompts = [];
	#pending = [];
	#t = 1000;
	/** Ends the oldest pending completion with this answer. */
	finish(response) {
		this.#pending.shift()?.({response, status: 'answered', iterations: [], usage: {inputTokens: 1, outputTokens: 1, totalTokens: 2}, executionTimeMs: 1, runId: 'x'});
	}
	configure(patch) {
		this.options = {...this.options, ...patch};
	}
	emitEvent(body) {
		this.emit('event', {...body, t: (this.#t += 1)});
	}
	completion(prompt, options = {}) {
		this.prompts.push(prompt);
		return new Promise((resolve) => {
			this.#pending.push(resolve);
			options.signal?.addEventListener('abort', () =>
				resolve({response: '', status: 'cancelled', iterations: [], usage: {inputTokens: 0, outputTokens: 0, totalTokens: 0}, executionTimeMs: 0, runId: 'x'}),
			);
		});
	}
	setContext() {}
	async listModels() {
		return ['bench-model'];
	}
	modelAliases() {
		return {};
	}
	async checkBackend() {}
	async resetSession() {}
	get history() {
		return [];
	}
	async warmUp() {}
	async dispose() {}
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-bench-tui-'));
const settings = openSettings({cwd: path.join(dir, 'config')});
const config = resolveConfig({}, {}, settings.get());
const appElement = (rlm) => createElement(App, {rlm, config, settings, notices: [], onExit: () => {}, cwd: dir, env: {}, skipStartup: true});

function sizeStream(stream, columns = COLUMNS, rows = ROWS) {
	Object.defineProperty(stream, 'columns', {value: columns, configurable: true, writable: true});
	Object.defineProperty(stream, 'rows', {value: rows, configurable: true, writable: true});
	stream.emit('resize');
}

/** ink-testing-library (every React commit is written) with a hook on each frame written. */
function mountTesting(rlm, columns = COLUMNS, rows = ROWS) {
	const instance = renderTesting(appElement(rlm));
	sizeStream(instance.stdout, columns, rows);
	let waiter = null;
	const write = instance.stdout.write;
	instance.stdout.write = (frame) => {
		write(frame);
		if (waiter && waiter.predicate(stripAnsi(frame))) {
			const {resolve} = waiter;
			waiter = null;
			resolve(performance.now());
		}
	};
	const nextFrame = (predicate, timeoutMs = 60_000) =>
		new Promise((resolve, reject) => {
			if (predicate(stripAnsi(instance.lastFrame() ?? ''))) return resolve(performance.now());
			const timer = setTimeout(() => reject(new Error(`no such frame; last:\n${stripAnsi(instance.lastFrame() ?? '')}`)), timeoutMs);
			waiter = {
				predicate,
				resolve: (t) => {
					clearTimeout(timer);
					resolve(t);
				},
			};
		});
	return {instance, nextFrame};
}

const treeNote = (frame) => /(\d+)\/(\d+)/.exec(frame.split('\n')[0] ?? '') ?? [];
const cursorAt = (row, total) => (frame) => {
	const [, at, of] = treeNote(frame);
	return Number(at) === row && Number(of) === total;
};

async function ask(rlm, nextFrame, instance, question) {
	await nextFrame((f) => f.includes('Ask a question'));
	instance.stdin.write(`${question}\r`);
	const deadline = Date.now() + 10_000;
	while (!rlm.prompts.includes(question)) {
		if (Date.now() > deadline) throw new Error('the prompt did not reach the engine');
		await new Promise((resolve) => setTimeout(resolve, 2));
	}
}

/** A run whose tree has exactly `rows` rows: run, iteration, code block and rows - 3 sub-calls. */
async function keypressToFrame(rows, presses) {
	const rlm = new StandInEngine();
	const {instance, nextFrame} = mountTesting(rlm);
	try {
		await ask(rlm, nextFrame, instance, 'big');
		const t0 = performance.now();
		rlm.emitEvent({type: 'run.start', runId: 'big', depth: 0, model: 'm', backend: 'openai', question: 'big', context: {type: 'str', chars: 3}, maxIterations: 30});
		rlm.emitEvent({type: 'iter.start', runId: 'big', iteration: 1, maxIterations: 30});
		rlm.emitEvent({type: 'code.start', runId: 'big', iteration: 1, block: 1, code: 'answers = [llm_query(p) for p in prompts]'});
		for (let i = 0; i < rows - 3; i++) {
			rlm.emitEvent({type: 'call.start', callId: `c${i}`, runId: 'big', iteration: 1, block: 1, kind: 'llm', fn: 'llm_query', index: 0, model: 'sub', prompt: `prompt ${i}`});
			rlm.emitEvent({type: 'call.done', callId: `c${i}`, response: `answer ${i}`, usage: {inputTokens: 1, outputTokens: 1}, ms: 1});
		}
		await nextFrame(cursorAt(rows, rows));
		const loadMs = performance.now() - t0;
		instance.stdin.write('\t');
		await nextFrame((f) => f.includes('j/k move'));
		const latencies = [];
		// CPU time per press (this process's), which a loaded machine inflates far less than wall time.
		const cpu0 = process.cpuUsage();
		for (let i = 0; i < presses; i++) {
			const target = rows - i - 1;
			const t = performance.now();
			const seen = nextFrame(cursorAt(target, rows), 10_000);
			instance.stdin.write('k');
			latencies.push((await seen) - t);
		}
		const cpu = process.cpuUsage(cpu0);
		const cpuPerPressMs = (cpu.user + cpu.system) / 1000 / presses;
		// Jump to the top and collapse/expand everything under the run.
		let t = performance.now();
		let seen = nextFrame(cursorAt(1, rows));
		instance.stdin.write('g');
		const jumpTop = (await seen) - t;
		t = performance.now();
		seen = nextFrame(cursorAt(1, 1));
		instance.stdin.write('h');
		const collapse = (await seen) - t;
		t = performance.now();
		seen = nextFrame(cursorAt(1, rows));
		instance.stdin.write('l');
		const expand = (await seen) - t;
		return {latencies, cpuPerPressMs, loadMs, jumpTop, collapse, expand};
	} finally {
		instance.unmount();
	}
}

/**
 * A 500-row tree with a 200-slot batch: run, iteration, a block of 295 plain llm_query calls, and
 * a block whose llm_query_batched has 200 slots (one "batch ×200" row until opened). Keypresses
 * while half the slots still finish (each press lands with a slot's result, so the batch's summary
 * changes under the cursor), then opening and closing the batch. At `columns` x 40: 120 as the
 * plain trees (like for like), 180 where the batch row's summary is not cut.
 */
async function batchTree(presses, columns) {
	const rlm = new StandInEngine();
	const {instance, nextFrame} = mountTesting(rlm, columns, ROWS);
	// A frame holds `done` slots' results when the status line counts their tokens (each call is
	// ↑1 ↓1; 295 plain calls before them), and, where the batch row is wide enough for its summary,
	// when that row says how many still run. At 120 columns the row's summary is cut.
	const wide = columns >= 180;
	const slotsDone = (done) => (f) => f.includes(`↑${295 + done} ↓${295 + done} `) && (!wide || f.includes(`${200 - done} running`));
	try {
		await ask(rlm, nextFrame, instance, 'batch');
		const t0 = performance.now();
		rlm.emitEvent({type: 'run.start', runId: 'b', depth: 0, model: 'm', backend: 'openai', question: 'batch', context: {type: 'str', chars: 3}, maxIterations: 30});
		rlm.emitEvent({type: 'iter.start', runId: 'b', iteration: 1, maxIterations: 30});
		rlm.emitEvent({type: 'code.start', runId: 'b', iteration: 1, block: 1, code: 'answers = [llm_query(p) for p in prompts]'});
		for (let i = 0; i < 295; i++) {
			rlm.emitEvent({type: 'call.start', callId: `p${i}`, runId: 'b', iteration: 1, block: 1, kind: 'llm', fn: 'llm_query', index: 0, model: 'sub', prompt: `prompt ${i}`});
			rlm.emitEvent({type: 'call.done', callId: `p${i}`, response: `answer ${i}`, usage: {inputTokens: 1, outputTokens: 1}, ms: 1});
		}
		rlm.emitEvent({type: 'code.done', runId: 'b', iteration: 1, block: 1, ok: true, stdout: '', stderr: '', ms: 5, truncatedChars: 0, variables: [], final: null, restarted: false});
		rlm.emitEvent({type: 'code.start', runId: 'b', iteration: 1, block: 2, code: 'labels = llm_query_batched(prompts)'});
		for (let i = 0; i < 200; i++) rlm.emitEvent({type: 'call.start', callId: `s${i}`, runId: 'b', iteration: 1, block: 2, kind: 'llm', fn: 'llm_query_batched', index: i, model: 'sub', prompt: `slot ${i}`});
		for (let i = 0; i < 100; i++) rlm.emitEvent({type: 'call.done', callId: `s${i}`, response: `label ${i}`, usage: {inputTokens: 1, outputTokens: 1}, ms: 1});
		await nextFrame((f) => cursorAt(300, 300)(f) && slotsDone(100)(f));
		const loadMs = performance.now() - t0;
		instance.stdin.write('\t');
		await nextFrame((f) => f.includes('j/k move'));
		const latencies = [];
		const cpu0 = process.cpuUsage();
		for (let i = 0; i < presses; i++) {
			const t = performance.now();
			const seen = nextFrame((f) => cursorAt(300 - i - 1, 300)(f) && slotsDone(101 + i)(f), 10_000);
			rlm.emitEvent({type: 'call.done', callId: `s${100 + i}`, response: `label ${100 + i}`, usage: {inputTokens: 1, outputTokens: 1}, ms: 1});
			instance.stdin.write('k');
			latencies.push((await seen) - t);
		}
		const cpu = process.cpuUsage(cpu0);
		const cpuPerPressMs = (cpu.user + cpu.system) / 1000 / presses;
		// The same tree with nothing arriving: keypresses alone (as the plain trees are measured).
		const still = [];
		const stillCpu0 = process.cpuUsage();
		for (let i = 0; i < presses; i++) {
			const t = performance.now();
			const seen = nextFrame(cursorAt(300 - presses - i - 1, 300), 10_000);
			instance.stdin.write('k');
			still.push((await seen) - t);
		}
		const stillCpu = process.cpuUsage(stillCpu0);
		const stillCpuPerPressMs = (stillCpu.user + stillCpu.system) / 1000 / presses;
		let t = performance.now();
		let seen = nextFrame(cursorAt(300, 300));
		instance.stdin.write('G');
		await seen;
		t = performance.now();
		seen = nextFrame(cursorAt(300, 500));
		instance.stdin.write('l');
		const expand = (await seen) - t;
		t = performance.now();
		seen = nextFrame(cursorAt(300, 300));
		instance.stdin.write('h');
		const collapse = (await seen) - t;
		return {latencies, cpuPerPressMs, still, stillCpuPerPressMs, loadMs, expand, collapse};
	} finally {
		instance.unmount();
	}
}

/** Ink's own render to a fake 120x40 TTY with the app's render options and terminal layer. */
function mountTerminal(rlm) {
	const stdout = new EventEmitter();
	let writes = 0;
	let bytes = 0;
	let last = '';
	Object.assign(stdout, {
		isTTY: true,
		columns: COLUMNS,
		rows: ROWS,
		write: (data) => {
			// A frame is a write with visible text; cursor and sync-mode sequences come apart.
			if (stripAnsi(String(data)).trim()) writes++;
			bytes += String(data).length;
			last += data;
			if (last.length > 200_000) last = last.slice(-100_000);
			return true;
		},
	});
	const stdin = new EventEmitter();
	Object.assign(stdin, {
		isTTY: true,
		data: null,
		setEncoding() {},
		setRawMode() {},
		resume() {},
		pause() {},
		ref() {},
		unref() {},
		read() {
			const {data} = stdin;
			stdin.data = null;
			return data;
		},
		write(data) {
			stdin.data = data;
			stdin.emit('readable');
			stdin.emit('data', data);
		},
	});
	// The app's own terminal layer (changed lines only), when this build has one.
	if (terminal.Screen) {
		const screen = new terminal.Screen({stdin, stdout, env: {}});
		screen.patchStreams();
		screen.enter();
	}
	const instance = ink.render(appElement(rlm), {stdout, stdin, stderr: stdout, exitOnCtrlC: false, patchConsole: false, ...(fullscreen.INK_OPTIONS ?? {})});
	instance.stdin = stdin;
	const nextFrame = async (predicate) => {
		const deadline = Date.now() + 10_000;
		while (!predicate(stripAnsi(last))) {
			if (Date.now() > deadline) throw new Error('no such frame (terminal mode)');
			await new Promise((resolve) => setTimeout(resolve, 5));
		}
	};
	return {instance, frames: () => writes, nextFrame, bytes: () => bytes};
}

/**
 * A long code block runs and nothing else happens: what the spinners and clocks cost. CPU % of one
 * core over `seconds`, frames and bytes written per second (Ink's render to a fake 120x40 TTY).
 */
async function runningIdle(seconds) {
	const rlm = new StandInEngine();
	const {instance, frames, nextFrame, bytes} = mountTerminal(rlm);
	try {
		await ask(rlm, nextFrame, instance, 'idle');
		rlm.emitEvent({type: 'run.start', runId: 'i', depth: 0, model: 'm', backend: 'openai', question: 'idle', context: {type: 'str', chars: 4}, maxIterations: 30});
		rlm.emitEvent({type: 'iter.start', runId: 'i', iteration: 1, maxIterations: 30});
		rlm.emitEvent({type: 'code.start', runId: 'i', iteration: 1, block: 1, code: 'import time\ntime.sleep(600)'});
		await new Promise((resolve) => setTimeout(resolve, 300));
		const f0 = frames();
		const b0 = bytes();
		const cpu0 = process.cpuUsage();
		const t0 = performance.now();
		await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
		const elapsed = (performance.now() - t0) / 1000;
		const cpu = process.cpuUsage(cpu0);
		return {cpuPercent: ((cpu.user + cpu.system) / 1e6 / elapsed) * 100, fps: (frames() - f0) / elapsed, bytesPerSecond: (bytes() - b0) / elapsed};
	} finally {
		instance.unmount();
	}
}

/**
 * Streams `tokensPerSecond` tokens into a running reply for `seconds` and counts frames.
 * `mode` 'testing': ink-testing-library (every commit is a frame: React renders per second);
 * 'terminal': Ink's own render to a fake 120x40 TTY, as the app runs (Ink caps output at 30 fps).
 */
async function streamingFps(mode, tokensPerSecond, seconds) {
	const rlm = new StandInEngine();
	let instance;
	let frames;
	let nextFrame;
	if (mode === 'testing') {
		const mounted = mountTesting(rlm);
		instance = mounted.instance;
		nextFrame = mounted.nextFrame;
		frames = () => instance.frames.length;
	} else {
		const mounted = mountTerminal(rlm);
		instance = mounted.instance;
		frames = mounted.frames;
		nextFrame = mounted.nextFrame;
	}
	try {
		await ask(rlm, nextFrame, instance, 'stream');
		rlm.emitEvent({type: 'run.start', runId: 's', depth: 0, model: 'm', backend: 'openai', question: 'stream', context: {type: 'str', chars: 6}, maxIterations: 30});
		rlm.emitEvent({type: 'iter.start', runId: 's', iteration: 1, maxIterations: 30});
		rlm.emitEvent({type: 'llm.start', runId: 's', iteration: 1, messages: 2, promptChars: 500});
		await new Promise((resolve) => setTimeout(resolve, 100));
		const delay = monitorEventLoopDelay({resolution: 5});
		const words = ['the ', 'model ', 'writes ', 'some ', 'tokens ', 'about ', 'context ', 'and ', 'code, ', '\n'];
		const tickMs = 10;
		const startFrames = frames();
		const cpu0 = process.cpuUsage();
		const t0 = performance.now();
		let sent = 0;
		delay.enable();
		await new Promise((resolve) => {
			const timer = setInterval(() => {
				const elapsed = performance.now() - t0;
				const due = Math.min(Math.round((elapsed / 1000) * tokensPerSecond), tokensPerSecond * seconds);
				while (sent < due) rlm.emitEvent({type: 'llm.delta', runId: 's', iteration: 1, text: words[sent++ % words.length]});
				if (elapsed >= seconds * 1000) {
					clearInterval(timer);
					resolve();
				}
			}, tickMs);
		});
		delay.disable();
		const elapsed = (performance.now() - t0) / 1000;
		const cpu = process.cpuUsage(cpu0);
		const fps = (frames() - startFrames) / elapsed;
		return {fps, tokensPerSecond: sent / elapsed, cpuPercent: ((cpu.user + cpu.system) / 1e6 / elapsed) * 100, loopDelayP99Ms: delay.percentile(99) / 1e6};
	} finally {
		instance.unmount();
	}
}

/**
 * A long Markdown answer as models write them: 24 sections of prose with inline styles and links,
 * nested lists and a Python block, then a 7-column, 40-row table far wider than the chat pane.
 * About 45 KB. `seed` makes each one new to the render caches; its last line is `END <seed>`.
 */
function longAnswer(seed) {
	const parts = [`# Findings ${seed}`];
	for (let i = 0; i < 24; i++) {
		parts.push(
			`## Section ${i}`,
			`The **context** holds ${i * 37} records; the model read them with \`llm_query_batched\` and found *several* patterns worth noting, see [the source](https://example.com/docs/${i}) and ~~an earlier guess~~ the corrected figure. `.repeat(2),
			`- first point about section ${i}, long enough to wrap onto a second line in a narrow chat pane\n- second point with \`inline code\`\n  - nested detail one\n  - nested detail two\n- third point`,
			`\`\`\`python\ndef section_${i}(records):\n    counts = {}\n    for record in records:\n        counts[record.kind] = counts.get(record.kind, 0) + compute_weight(record, factor=${i}, normalise=True)\n    return counts\n\`\`\``,
		);
	}
	const header = '| Id | Name | Description | Owner | Status | Score | Notes |';
	const rows = Array.from({length: 40}, (_, i) => `| ${i} | item-${i} | a fairly long description of item ${i} that runs on for a while | team-${i % 5} | ${i % 3 ? 'open' : 'closed'} | ${(i * 1.7).toFixed(1)} | see \`notes_${i}\` and the linked report |`);
	parts.push([header, '|---|---|---|---|---:|---:|---|', ...rows].join('\n'), `END ${seed}`);
	return parts.join('\n\n');
}

/** markdownLines on a new long answer (nothing cached), per width: ms per render. */
async function markdownRender(widths, runs) {
	await markdown.loadRenderers();
	const out = {};
	for (const width of widths) {
		const times = [];
		for (let i = 0; i < runs; i++) {
			const text = longAnswer(`w${width}r${i}`);
			const t = performance.now();
			markdown.markdownLines(text, width);
			times.push(performance.now() - t);
		}
		out[width] = times;
	}
	return out;
}

/** The app at `columns` x 50: from the completion's end to the frame showing the answer's last line. */
async function answerToFrame(columns, runs) {
	const times = [];
	for (let i = 0; i < runs; i++) {
		const rlm = new StandInEngine();
		const {instance, nextFrame} = mountTesting(rlm, columns, 50);
		try {
			await ask(rlm, nextFrame, instance, 'long');
			const seed = `c${columns}r${i}`;
			const text = longAnswer(seed);
			const t = performance.now();
			const seen = nextFrame((f) => f.includes(`END ${seed}`));
			rlm.finish(text);
			times.push((await seen) - t);
		} finally {
			instance.unmount();
		}
	}
	return times;
}

const result = {};
if (process.argv.includes('--idle-only')) {
	const runs = [];
	for (let i = 0; i < 3; i++) runs.push(await runningIdle(5));
	fs.rmSync(dir, {recursive: true, force: true});
	process.stdout.write(`${JSON.stringify(runs)}\n`);
	process.exit(0);
}
if (process.argv.includes('--markdown-only')) {
	const renders = await markdownRender([55, 133], 8);
	for (const [width, times] of Object.entries(renders)) result[`markdown${width}`] = times;
	result.answerFrame120 = await answerToFrame(120, 5);
	result.answerFrame220 = await answerToFrame(220, 5);
	fs.rmSync(dir, {recursive: true, force: true});
	process.stdout.write(`${JSON.stringify(result)}\n`);
	process.exit(0);
}
try {
	const presses = quick ? 10 : 30;
	for (const rows of [100, 1000, 10_000]) {
		const r = await keypressToFrame(rows, presses);
		result[`keypress${rows}`] = r.latencies;
		result[`keypressCpu${rows}Ms`] = r.cpuPerPressMs;
		result[`load${rows}Ms`] = r.loadMs;
		result[`jumpTop${rows}Ms`] = r.jumpTop;
		result[`collapse${rows}Ms`] = r.collapse;
		result[`expand${rows}Ms`] = r.expand;
	}
	// The batch tree at the plain trees' 120 columns, then at 180 (its row's summary in full).
	for (const [suffix, columns] of [['', COLUMNS], ['Wide', 180]]) {
		const batch = await batchTree(presses, columns);
		result[`keypressBatch500${suffix}`] = batch.latencies;
		result[`keypressCpuBatch500${suffix}Ms`] = batch.cpuPerPressMs;
		result[`keypressStillBatch500${suffix}`] = batch.still;
		result[`keypressCpuStillBatch500${suffix}Ms`] = batch.stillCpuPerPressMs;
		result[`loadBatch500${suffix}Ms`] = batch.loadMs;
		result[`expandBatch500${suffix}Ms`] = batch.expand;
		result[`collapseBatch500${suffix}Ms`] = batch.collapse;
	}
	if (process.argv.includes('--tree-only')) {
		fs.rmSync(dir, {recursive: true, force: true});
		process.stdout.write(`${JSON.stringify(result)}\n`);
		process.exit(0);
	}
	const idleRuns = [];
	for (let i = 0; i < (quick ? 1 : 3); i++) idleRuns.push(await runningIdle(quick ? 3 : 5));
	result.idle_cpu = idleRuns.map((r) => r.cpuPercent);
	result.idle_fps = idleRuns.map((r) => r.fps);
	result.idle_bytes = idleRuns.map((r) => r.bytesPerSecond);
	const streamRuns = quick ? 1 : 3;
	for (const mode of ['terminal', 'testing']) {
		const runs = [];
		for (let i = 0; i < streamRuns; i++) runs.push(await streamingFps(mode, 500, quick ? 2 : 3));
		result[`stream_${mode}_fps`] = runs.map((r) => r.fps);
		result[`stream_${mode}_tokps`] = runs.map((r) => r.tokensPerSecond);
		result[`stream_${mode}_cpu`] = runs.map((r) => r.cpuPercent);
		result[`stream_${mode}_lagp99`] = runs.map((r) => r.loopDelayP99Ms);
	}
	const renders = await markdownRender([55, 133], quick ? 3 : 8);
	for (const [width, times] of Object.entries(renders)) result[`markdown${width}`] = times;
	result.answerFrame120 = await answerToFrame(120, quick ? 2 : 5);
	result.answerFrame220 = await answerToFrame(220, quick ? 2 : 5);
} finally {
	fs.rmSync(dir, {recursive: true, force: true});
}
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
