// npm run bench: runs every benchmark on the built code (dist/), prints one table and writes it to
// bench/results.md. A benchmark, not a test: a missed target says "missed"; the exit code is 0.
// Progress goes to stderr; the table to stdout. BENCH_REPEAT=0.4 runs fewer repetitions.
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {benchBridge} from './bridge.mjs';
import {benchContext} from './context.mjs';
import {benchPython} from './python.mjs';
import {benchStartup} from './startup.mjs';
import {benchTargets} from './targets.mjs';
import {fmtStats, machine, root, stats} from './support/util.mjs';

const log = (line) => process.stderr.write(`${line}\n`);
const started = performance.now();
const info = machine();
const loadAtStart = os.loadavg();
log(`rlm-tui benchmarks on ${info.cpu} (${info.cores} cores), Node ${info.node}`);

const results = {};
const failures = {};
async function section(name, run) {
	log(`${name}…`);
	const t = performance.now();
	try {
		results[name] = await run();
	} catch (error) {
		failures[name] = error instanceof Error ? error.message.split('\n')[0] : String(error);
		results[name] = {};
		log(`  could not be measured: ${failures[name]}`);
	}
	log(`  (${((performance.now() - t) / 1000).toFixed(0)} s)`);
}

/** The TUI runs in its own process: production React and no CI variables, as the app runs. */
function runTuiBench() {
	return new Promise((resolve, reject) => {
		const env = {...process.env, NODE_ENV: 'production'};
		const child = spawn(process.execPath, [path.join(root, 'bench', 'tui.mjs')], {env, stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr += chunk));
		const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
		child.on('error', reject);
		child.on('close', (code) => {
			clearTimeout(timer);
			const line = stdout.split('\n').find((l) => l.startsWith('{'));
			if (code !== 0 || !line) reject(new Error(`tui bench exited ${code}: ${stderr.trim().split('\n').slice(-2).join(' | ')}`));
			else resolve(JSON.parse(line));
		});
	});
}

await section('targets', () => benchTargets(log));
await section('startup', () => benchStartup(log));
await section('bridge', () => benchBridge(log));
await section('context', () => benchContext(log));
await section('python', () => benchPython(log));
await section('tui', () => runTuiBench());

// ---- the table ---------------------------------------------------------------------------------

const rows = [];
const heading = (title) => rows.push({heading: title});
/**
 * A row: `values` (several runs) -> "median (min–max)"; `target` text; `check(median)` -> met?
 * Without values the row says why it could not be measured.
 */
function row(label, values, {unit = 'ms', digits = 1, target = '', check, note = ''} = {}) {
	if (!values || values.length === 0 || values.some((v) => !Number.isFinite(v))) {
		rows.push({label, value: 'not measured', target, status: target ? 'not measured' : '', note});
		return;
	}
	const median = stats(values).median;
	const status = check ? (check(median) ? 'met' : 'missed') : '';
	rows.push({label, value: `${fmtStats(values, digits)}${unit ? ` ${unit}` : ''}`, target, status, note});
}

const s = results.startup;
const b = results.bridge;
const c = results.context;
const p = results.python;
const t = results.tui;
const g = results.targets;
const med = (values) => (values && values.length ? stats(values).median : NaN);
const ms0 = (values) => (values && values.length ? `${med(values).toFixed(0)} ms` : 'not measured');

heading('Issue 16: as fast and as lean as the unsandboxed original, while staying sandboxed');
row('Whole headless 3-turn answer, default start (`node dist/cli.js -u <fake>/v1 -m m -p q`: look at the context, one `llm_query`, the answer from code; a new sandbox host from the snapshot)', g.headless3Ms, {digits: 0, note: 'spawn to exit'});
row('The same with `--keep-warm 5`: the sandbox host the previous run left behind, claimed', g.headless3WarmMs, {digits: 0, note: 'spawn to exit; after one warm-up run, each run claims the host the one before left'});
row('The same task in the unsandboxed reference (bench/support/reference_rlm.py: the loop in-process, `exec`, urllib)', g.reference3Ms, {digits: 0, note: `native python3; the design of the original RLM and the seed`});
row('Cold `loadPyodide()` in a fresh `node -e`', g.coldLoadMs, {digits: 0});
row('3-turn answer / the reference, default start (paired runs, alternating)', g.headless3OverReference, {unit: '×', digits: 2, target: '≤ 3 ×', check: (m) => m <= 3});
row('3-turn answer / the reference, with `--keep-warm` (paired runs, alternating)', g.headless3WarmOverReference, {unit: '×', digits: 2, target: '≤ 3 ×', check: (m) => m <= 3});
row('3-turn answer / cold `loadPyodide()`, default start (paired runs, alternating)', g.headless3OverCold, {unit: '×', digits: 2, target: '≤ 0.3 ×', check: (m) => m <= 0.3});
row('3-turn answer / cold `loadPyodide()`, with `--keep-warm` (paired runs, alternating)', g.headless3WarmOverCold, {unit: '×', digits: 2, target: '≤ 0.3 ×', check: (m) => m <= 0.3});
row('Memory of the 3-turn answer, all processes (sum of each process\'s peak RSS: the CLI and its sandbox host)', g.headless3Mb, {unit: 'MB', digits: 0, target: '≤ 230 MB', check: (m) => m <= 230, note: g.reference3Mb ? `the reference: ${fmtStats(g.reference3Mb, 0)} MB (${(med(g.headless3Mb) / med(g.reference3Mb)).toFixed(1)} ×); the CLI ${fmtStats(g.headless3ParentMb, 0)} MB, its sandbox host ${fmtStats(g.headless3HostMb, 0)} MB` : ''});
row('Memory of the 3-turn answer with `--keep-warm`, all processes: the CLI and the claimed host (not its child: found by its command line)', g.headless3WarmMb, {unit: 'MB', digits: 0, target: '≤ 230 MB', check: (m) => m <= 230, note: g.headless3WarmHostMb ? `the claimed host ${fmtStats(g.headless3WarmHostMb, 0)} MB (its peak since it started, the restore included); the host it leaves for the next run is not counted` : ''});
row('Memory of the idle TUI, all processes (resident sets once the tree is idle, sandbox ready)', g.idleTuiMb, {unit: 'MB', digits: 0, target: '≤ 300 MB', check: (m) => m <= 300, note: '`-b demo` in a 120x36 pty'});
row('Sandbox host peak RSS with a 100 MB context, as a multiple of the context', c.ctx100PeakMultiple, {unit: '×', digits: 2, target: '≤ 3 ×', check: (m) => m <= 3, note: 'from the Context section below (Sandbox.setContext)'});
row('Whole headless run with a 100 MB context (`-c`): peak RSS of all processes, as a multiple of the context', g.ctxBigTreeMb?.map((mb) => mb / 100), {unit: '×', digits: 2, note: g.ctxBigTreeMb ? `${fmtStats(g.ctxBigTreeMb, 0)} MB: the CLI holds the text as a string, the host as Python's str; the reference ${fmtStats(g.refCtxBigMb.map((mb) => mb / 100), 2)} × (${fmtStats(g.refCtxBigMb, 0)} MB)` : ''});
row('Whole headless run with a 100 MB context (`-c`), per MB over the same run with a 1 KB one', g.ctxPerMbOverSmall, {unit: 'ms/MB', digits: 2, target: '≤ 6 ms/MB', check: (m) => m <= 6, note: g.ctxBigMs ? `100 MB ${ms0(g.ctxBigMs)}, 1 KB ${ms0(g.ctxSmallMs)}; the reference ${fmtStats(g.refCtxPerMbOverSmall, 2)} ms/MB (${ms0(g.refCtxBigMs)} vs ${ms0(g.refCtxSmallMs)}); peak RSS of all processes ${fmtStats(g.ctxBigTreeMb, 0)} MB, the reference ${fmtStats(g.refCtxBigMb, 0)} MB` : ''});
if (g.gb) {
	rows.push({
		label: 'A 1 GB context (`-c`, then `re.findall` over it)',
		value: g.gb.ok ? `answered in ${(g.gb.ms / 1000).toFixed(1)} s` : `refused in ${(g.gb.ms / 1000).toFixed(1)} s (exit ${g.gb.code}${g.gb.signal ? `, ${g.gb.signal}` : ''})`,
		target: 'loads and is searched, or a clear message naming the limit, never a crash',
		status: g.gb.ok || (g.gb.code === 2 && /\d+ [KMG]iB\b.*\bsplit it\b/i.test(g.gb.message)) ? 'met' : 'missed',
		note: `${g.gb.ok ? `"${g.gb.answer}"` : `"${g.gb.message}"`}; peak RSS of all processes ${g.gb.peakMb.toFixed(0)} MB`,
	});
} else rows.push({label: 'A 1 GB context', value: 'not measured', target: 'loads and is searched, or a clear message', status: 'not measured', note: ''});
row('serve, 8 concurrent short requests (`--max-concurrent 8`, the 3-turn task each): requests per second', g.serveRps, {unit: 'req/s', digits: 2, note: g.serveAloneMs ? `one request alone ${fmtStats(g.serveAloneMs, 0)} ms; under 8 at once p50 ${g.serveP50.toFixed(0)} ms (${(g.serveP50 / med(g.serveAloneMs)).toFixed(1)} × alone), p95 ${g.serveP95.toFixed(0)} ms (${(g.serveP95 / med(g.serveAloneMs)).toFixed(1)} × alone)` : ''});

heading('Start-up');
row('`node -e 0` (reference: a bare Node start)', s.nodeBare, {digits: 0});
row('Launch to first TUI frame (`node dist/cli.js -b demo` in a 120x36 pty via `script`)', s.tuiFirstFrame, {digits: 0, note: 'spawn until the output holds the alternate-screen switch and the drawn panes'});
row('Launch to REPL ready, no snapshot (`Sandbox.start`, fresh empty cacheDir)', s.replCold, {digits: 0, note: 'builds and hands over the snapshot too'});
row('Launch to REPL ready, from the snapshot (`Sandbox.start`, warm cacheDir)', s.replWarm, {digits: 0, target: '< 1000 ms ("well under a second", issue 3)', check: (m) => m < 1000});
row('Bare cold `loadPyodide()` (fresh `node -e`, indexURL node_modules/pyodide)', s.bareLoadPyodide, {digits: 0});
row('Whole headless answer (`-u <fake>/v1 -m m -p q`: 2 model turns, 1 code block, snapshot warm)', s.headless, {digits: 0});
row('Headless answer / cold `loadPyodide()` (paired runs, alternating)', s.headlessRatio, {unit: '×', digits: 2, target: '≤ 0.6 (issue 3)', check: (m) => m <= 0.6});
row('Headless answer on a first-ever run (no snapshot yet)', s.headlessFirstEver, {digits: 0, note: s.headlessFirstEver && s.bareLoadPyodide ? `${(s.headlessFirstEver[0] / med(s.bareLoadPyodide)).toFixed(2)}× the median cold loadPyodide()` : ''});

heading('Bridge');
row('`llm_query` round trip from Python, zero-latency fake server (HTTP done by `onCall`), per call', b.bridgeSandboxMs, {digits: 3, note: 'mean of 200 calls per run, timed in Python with perf_counter'});
row('The same HTTP call made directly from Node (same client, same server), per call', b.bridgeDirectMs, {digits: 3});
row('Sandbox / direct (ratio)', b.bridgeRatio, {unit: '×', digits: 2});
row('Bridge overhead per `llm_query` beyond the HTTP call', b.bridgeOverheadMs, {digits: 3, target: '< 1 ms (issue 3)', check: (m) => m < 1});
row('Bridge alone: `llm_query` answered at once by the parent (no HTTP), per call', b.bridgeBareMs, {digits: 3, note: 'mean of 1,000 calls per run'});
row('Through the engine (`Rlm`, openai SDK streaming, events), per `llm_query`', b.engineCallMs, {digits: 3});
row('The openai SDK alone, same streamed request, per call', b.sdkCallMs, {digits: 3});
row('Engine overhead per `llm_query` beyond the SDK call', b.engineOverheadMs, {digits: 3});
row('`llm_query_batched`, N=8 sub-calls of 0.5 s (through the engine)', b.batched8Ms, {digits: 0, target: '≪ 1500 ms (issue 3)', check: (m) => m < 1500});
row('N=8 sequential `llm_query` of 0.5 s', b.sequential8Ms, {digits: 0});
row('Batched / sequential, N=8', b.batched8Ratio, {unit: '×', digits: 3});
row('`llm_query_batched`, N=32 sub-calls of 0.5 s (16 at once by default)', b.batched32Ms, {digits: 0});
row('N=32 sequential `llm_query` of 0.5 s', b.sequential32Ms, {digits: 0});
row('Batched / sequential, N=32', b.batched32Ratio, {unit: '×', digits: 3});

heading('Context');
for (const size of [1, 10, 100]) {
	row(`Load a ${size} MB context (\`Sandbox.setContext\`, first load in a fresh sandbox), per MB`, c[`ctx${size}MsPerMb`], {
		unit: 'ms/MB',
		digits: 2,
		target: '< 10 ms/MB (issue 3)',
		check: (m) => m < 10,
		note: c[`ctx${size}MsPerMb`] ? `≈ ${(med(c[`ctx${size}MsPerMb`]) * size).toFixed(0)} ms in all` : '',
	});
}
row('Host process resident set after start, before any context (VmHWM)', c.ctx100BaselineMb ? [...(c.ctx1BaselineMb ?? []), ...(c.ctx10BaselineMb ?? []), ...c.ctx100BaselineMb] : undefined, {unit: 'MB', digits: 0});
for (const size of [1, 10, 100]) {
	row(`Host peak RSS (VmHWM) with a ${size} MB context, as a multiple of the context`, c[`ctx${size}PeakMultiple`], {
		unit: '×',
		digits: 2,
		note: c[`ctx${size}GrowthMultiple`] ? `peak ${fmtStats(c[`ctx${size}PeakMb`], 0)} MB; growth over the host's own peak before the load: ${fmtStats(c[`ctx${size}GrowthMultiple`], 2)} × the context` : '',
	});
}
row('First operation on a new host (one-off warm-up, timed apart from the loads)', c.firstOpMs, {digits: 0});

heading('Python');
const versions = p.pythonVersions ? `Pyodide's Python ${p.pythonVersions.sandbox} vs native python3 ${p.pythonVersions.native}` : '';
row('Text job on 8 MB (split + Counter, regex findall, line parsing) in the sandbox', p.py_total_sandboxMs, {digits: 0, note: versions});
row('The same job and text in native `python3`', p.py_total_nativeMs, {digits: 0});
row('Sandbox / native (ratio)', p.py_total_ratio, {unit: '×', digits: 2, target: '≤ 1.0 (issue 3)', check: (m) => m <= 1});
row('  part: `split()` + `Counter` + `most_common` (ratio)', p.py_split_counter_ratio, {unit: '×', digits: 2});
row('  part: `re.findall` + `int` sum (ratio)', p.py_regex_ratio, {unit: '×', digits: 2});
row('  part: `splitlines` + per-line `split` / dict / set (ratio)', p.py_lines_ratio, {unit: '×', digits: 2});
row('The same job in a bare Pyodide (no sandbox: `loadPyodide` in plain Node)', p.py_total_bareMs, {digits: 0, note: 'the floor for any Pyodide sandbox'});
row('Bare Pyodide / native (ratio): the price of CPython on WebAssembly', p.py_total_bareRatio, {unit: '×', digits: 2});
row('Sandbox / bare Pyodide (ratio): the price of our sandbox', p.py_total_sandboxOverBare, {unit: '×', digits: 2});

heading('TUI');
for (const n of [100, 1000, 10000]) {
	const values = t[`keypress${n}`];
	row(`Keypress (k) to frame, tree of ${n.toLocaleString('en-US')} rows`, values, {
		digits: 1,
		target: '< 100 ms ("instant", the UI test\'s bound)',
		check: (m) => m < 100,
		note: values ? `${values.length} presses; p90 ${[...values].sort((x, y) => x - y)[Math.floor(values.length * 0.9)].toFixed(1)} ms; CPU ${t[`keypressCpu${n}Ms`].toFixed(1)} ms a press; events + first frame ${t[`load${n}Ms`].toFixed(0)} ms; g ${t[`jumpTop${n}Ms`].toFixed(0)} ms, collapse ${t[`collapse${n}Ms`].toFixed(0)} ms, expand ${t[`expand${n}Ms`].toFixed(0)} ms` : '',
	});
}
for (const [suffix, size] of [['', '120x40, as the plain trees'], ['Wide', '180x40, the batch row\'s summary in full']]) {
	const values = t[`keypressBatch500${suffix}`];
	const cpu = t[`keypressCpuBatch500${suffix}Ms`];
	row(`Keypress (k) to frame, tree of 500 rows with a 200-slot batch (slots finishing under the cursor; ${size})`, values, {
		digits: 1,
		target: '< 100 ms (as the 10,000-row tree)',
		check: (m) => m < 100,
		note: values
			? `${values.length} presses; p90 ${[...values].sort((x, y) => x - y)[Math.floor(values.length * 0.9)].toFixed(1)} ms; CPU ${cpu.toFixed(1)} ms a press (${t[`keypressCpuStillBatch500${suffix}Ms`].toFixed(1)} ms with nothing arriving; 10,000 rows at 120x40: ${t.keypressCpu10000Ms.toFixed(1)} ms); events + first frame ${t[`loadBatch500${suffix}Ms`].toFixed(0)} ms; open the batch (200 rows) ${t[`expandBatch500${suffix}Ms`].toFixed(0)} ms, close ${t[`collapseBatch500${suffix}Ms`].toFixed(0)} ms`
			: '',
	});
}
row('Frames written per second while 500 tokens/s stream in (Ink render to a 120x40 TTY, as the app)', t.stream_terminal_fps, {
	unit: 'fps',
	digits: 1,
	note: t.stream_terminal_cpu ? `Ink caps output at 30 fps; CPU ${fmtStats(t.stream_terminal_cpu, 0)} % of a core; event-loop p99 ${fmtStats(t.stream_terminal_lagp99, 1)} ms` : '',
});
row('CPU while a long code block runs (spinners and clocks only; Ink render to a 120x40 TTY, as the app)', t.idle_cpu, {
	unit: '% of a core',
	digits: 1,
	note: t.idle_fps ? `${fmtStats(t.idle_fps, 1)} frames/s, ${fmtStats(t.idle_bytes, 0)} bytes/s written (only changed lines); before: 9-16 frames/s, 45-84 KB/s, 12-14 % here and 15-23 % of a core in tmux` : '',
});
row('React renders per second at 500 tokens/s (ink-testing-library: every commit is a frame)', t.stream_testing_fps, {
	unit: 'fps',
	digits: 1,
	note: t.stream_testing_cpu ? `the app applies engine events in 16 ms batches; CPU ${fmtStats(t.stream_testing_cpu, 0)} %` : '',
});
for (const width of [55, 133]) {
	row(`Render a long Markdown answer (45 KB, a 7-column table) at ${width} columns, nothing cached`, t[`markdown${width}`], {
		digits: 1,
		note: `markdownLines; ${width === 55 ? 'the chat pane of a 120-column terminal' : 'the chat pane of a 220-column terminal'}`,
	});
}
for (const columns of [120, 220]) {
	row(`That answer from the completion's end to the frame showing its last line, ${columns}x50 terminal`, t[`answerFrame${columns}`], {
		digits: 0,
		note: 'ink-testing-library; includes the render above and React/Ink laying out the pane',
	});
}

const esc = (text) => String(text).replace(/\|/g, '\\|');
function table() {
	const lines = [];
	for (const r of rows) {
		if (r.heading) {
			if (lines.length) lines.push('');
			lines.push(`### ${r.heading}`, '', '| Measure | Median (min–max) | Target | Status | Notes |', '|---|---|---|---|---|');
			continue;
		}
		lines.push(`| ${esc(r.label)} | ${esc(r.value)} | ${esc(r.target || '—')} | ${r.status || '—'} | ${esc(r.note || '')} |`);
	}
	return lines.join('\n');
}

const targets = rows.filter((r) => r.status === 'met' || r.status === 'missed' || r.status === 'not measured');
const summary = targets.map((r) => `- ${r.status === 'met' ? 'met' : r.status === 'missed' ? '**missed**' : '**not measured**'}: ${r.label.replace(/`/g, '')} — ${r.value} (target ${r.target})`);
const failed = Object.entries(failures).map(([name, why]) => `- ${name}: could not be measured: ${why}`);

const machineLines = [
	`- CPU: ${info.cpu}, ${info.cores} cores`,
	`- Memory: ${info.memory}`,
	`- Node: ${info.node} on ${info.platform}`,
	`- Python: ${p.pythonVersions ? `sandbox ${p.pythonVersions.sandbox} (Pyodide), native python3 ${p.pythonVersions.native}` : 'n/a'}`,
	`- Load average (1/5/15 min) at the start: ${loadAtStart.map((x) => x.toFixed(2)).join(' / ')}; at the end: ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')} (the machine is shared; a load above the core count means other work competed for the CPU and widens the min–max ranges)`,
	`- Date: ${info.date}`,
	`- Whole run: ${((performance.now() - started) / 1000).toFixed(0)} s`,
];

const anchors = `## The seed (rlm-rs) and the original RLM (alexzhang13/rlm)

Neither runs here as published, so neither is in the table under its own name, and no figure for
them is invented. The Issue 16 rows measure their design instead: bench/support/reference_rlm.py
is the same RLM loop written here with the standard library only (model code run with \`exec\`
in-process, the context a plain str, plain HTTP through urllib), run by the machine's python3
against the same fake server:

- **The seed, rlm-rs** (Rust + PyO3) does not build as published: its REPL source (\`src/env/\`)
  was never committed. There is no network on this machine to fetch anything else.
- **The original, alexzhang13/rlm** (Python) needs its packages from PyPI, which this machine
  cannot reach (no PyPI, no network).

What their published code and paper say, against what we measured above:

| | The seed (rlm-rs) | The original (alexzhang13/rlm) | rlm-tui (measured above) |
|---|---|---|---|
| Isolation of model-written code | in-process CPython (PyO3), called "sandboxed" | default \`local\` REPL is in-process \`exec\` with \`__import__\` and \`open\`, no execution timeout: "a soft sandbox ... not a security boundary" | Pyodide in a worker of a separate Node process under the permission model, per-block timeout, output cap, memory ceiling |
| Python speed | native CPython (in-process) | native CPython (in-process) | ${p.py_total_ratio ? `${stats(p.py_total_ratio).median.toFixed(2)}× native python3 on the text job` : 'not measured'} (the price of the Wasm sandbox) |
| REPL start | an embedded interpreter, one fresh REPL per completion | in-process | ${s.replWarm ? `${stats(s.replWarm).median.toFixed(0)} ms from the snapshot, ${stats(s.replCold).median.toFixed(0)} ms without` : 'not measured'}; one REPL kept per chat |
| Sub-calls | \`llm_query\` sequential, not recursive, nothing streams: a batch of N calls of latency L takes about N × L | \`llm_query_batched\` via asyncio, at most 16 at once; \`rlm_query_batched\` a thread pool of 4; the paper names blocking, sequential sub-calls as its main slowness | ${b.batched8Ms ? `N=8 × 0.5 s: ${stats(b.batched8Ms).median.toFixed(0)} ms batched vs ${stats(b.sequential8Ms).median.toFixed(0)} ms sequential (${stats(b.batched8Ratio).median.toFixed(3)}×); N=32: ${stats(b.batched32Ms).median.toFixed(0)} ms vs ${stats(b.sequential32Ms).median.toFixed(0)} ms (${stats(b.batched32Ratio).median.toFixed(3)}×), 16 at once` : 'not measured'}; sub-calls stream into the tree |
| Big contexts | the context lives in the REPL | the context lives in the REPL | ${c.ctx100MsPerMb ? `100 MB loads at ${stats(c.ctx100MsPerMb).median.toFixed(2)} ms/MB` : 'not measured'} |

Our "N sequential" rows above are what the seed's sequential \`llm_query\` amounts to by design
(N × latency); that is a property of its code, not a measurement of it. The original's paper
reports accuracy and cost (e.g. BrowseComp-Plus 91.3% vs 0% for the base model), not latency
figures comparable with these.

For reference, the notes gathered before the sandbox was built (../shared/notes/ANCHORS.md)
give, for this machine class: cold \`loadPyodide()\` about 2.4 s, a snapshot start 0.55–0.75 s,
an Atomics bridge hop about 0.07 ms (the hop alone; our bridge row above is the whole
worker → host → parent → host → worker round trip), \`globals.set\` of a string about 28 ms/MB.`;

const notes = `## How it was measured

- Every figure is the median of several runs with min and max; each ratio is computed from
  runs made side by side in the same \`npm run bench\` (headless answer and cold \`loadPyodide()\`
  alternate in one loop; the bridge loop and the direct HTTP loop alternate).
- All of it runs on the built code in \`dist/\`, against \`bench/support/fake-openai.mjs\` (a
  plain-JS OpenAI-compatible server: chat completions as JSON and SSE, \`/v1/models\`) on
  loopback, with private XDG config/cache/state dirs.
- Start-up: \`script -qfec\` gives the TUI a pseudo-terminal (120x36); the first frame is the
  first output holding \`ESC[?1049h\` and the drawn panes. The TUI quits with Ctrl+C twice.
  "Headless answer" is spawn to exit of \`node dist/cli.js -u <fake>/v1 -m m -p q\` whose
  fake model replies with one \`repl\` block, then \`llm_output(...)\` in a second block.
- Context: each load goes into a new sandbox (started from the snapshot, one trivial block
  run first); peak memory is the host process's VmHWM from /proc.
- Python: the same code in both, \`time.perf_counter\` around the job only, one warm-up run
  dropped; the two runs' results are checked equal. Pyodide runs Python 3.14; the machine's
  python3 is older (see Machine), which is what "native" means here.
- TUI: the real \`App\` from \`dist/ui/app.js\` with a stand-in engine that emits the events
  (as test/ui does), production React. Keypress to frame: ink-testing-library, time from
  writing \`k\` to stdin to the frame showing the cursor moved. Streaming: deltas at 500
  tokens/s for 3 s.
- Issue 16: every ratio pairs runs made one after the other in one loop (rlm-tui, the reference,
  a cold \`loadPyodide()\`), so both sides see the same machine load. Memory is read from /proc
  every 20 ms for every process of the tree (the CLI and its sandbox host): "all processes" is
  the sum of each process's peak resident set (VmHWM), as the issue measured it; the idle TUI
  is the sum of current resident sets once no process of it has used CPU for 1.5 s. Resident
  sets count the Node binary's shared pages once per process.
- \`bench/sandbox.mjs\` (the sandbox's own quick numbers) is separate and not part of this run.`;

const md = `# Benchmarks

Written by \`npm run bench\` (bench/run.mjs). A benchmark, not a test: a missed target says so.

## Machine

${machineLines.join('\n')}

## Targets

${summary.join('\n')}${failed.length ? `\n\nCould not be measured in this run:\n${failed.join('\n')}` : ''}

## Results

${table()}

${anchors}

${notes}
`;

fs.writeFileSync(path.join(root, 'bench', 'results.md'), md);
process.stdout.write(`${md}\n`);
log(`wrote bench/results.md (${((performance.now() - started) / 1000).toFixed(0)} s)`);
process.exit(0);
