// --resume of a session that had a context (/context FILE or -c): the resumed REPL goes on with it,
// so the status line's ctx badge and /context say so too; a session without one shows none.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {contextBadge} from '../../source/context/index.js';
import {Rlm} from '../../source/engine/rlm.js';
import type {SandboxContext} from '../../source/protocol/repl.js';
import {resolveConfig} from '../../source/settings/resolve.js';
import {openSettings} from '../../source/settings/store.js';
import {queueResponder, startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl} from '../support/rlm-script.js';
import {KEYS, renderApp, type Harness} from './harness.js';

const SLOW = 90_000;
let dir: string;
let server: FakeLlmServer | undefined;
let rlm: Rlm | undefined;
let h: Harness | undefined;

beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-ui-resume-context-'));
});

afterEach(async () => {
	h?.unmount();
	await rlm?.dispose();
	await server?.close();
	server = undefined;
	fs.rmSync(dir, {recursive: true, force: true});
});

/** The status line: the frame's last non-empty line. */
const statusLine = (frame: string) => frame.trimEnd().split('\n').at(-1)!;

/** Logs a one-turn session asked with `context` (null: none) on a fake server; returns the log dir. */
async function loggedSession(context: SandboxContext | null): Promise<string> {
	const logDir = path.join(dir, 'logs');
	server = await startFakeLlmServer({models: ['fake-model'], responder: queueResponder([repl('seen = len(context)\nFINAL("read")')])});
	const asking = new Rlm({model: 'fake-model', backend: 'openai', baseURL: server.openaiBaseURL, apiKey: 'k', logDir, origin: 'tui'});
	try {
		if (context !== null) asking.setContext(context);
		expect((await asking.completion('what is in it?')).status).toBe('answered');
	} finally {
		await asking.dispose();
	}
	return logDir;
}

/** The app on the demo backend, resuming the last session in `logDir`. */
function resumeApp(logDir: string, given?: {context: string; label: string}) {
	const settings = openSettings({cwd: path.join(dir, 'config')});
	const config = resolveConfig({backend: 'demo'}, {}, settings.get());
	rlm = new Rlm({model: 'demo', backend: 'demo', logDir, origin: 'tui'});
	if (given) rlm.setContext(given.context);
	const badge = given ? {contextBadge: contextBadge({context: given.context, label: given.label, files: 1, bytes: Buffer.byteLength(given.context), skipped: [], notes: []})} : {};
	h = renderApp({rlm, config, settings, cwd: dir, env: {}, columns: 160, rows: 40, resume: true, ...badge});
	return h;
}

async function askContextCommand(harness: Harness): Promise<string> {
	harness.write('/context');
	await harness.waitForFrame((f) => f.includes('› /context'));
	harness.write(KEYS.enter);
	return harness.waitForFrame((f) => /· (No context|Context): /.test(f));
}

describe('--resume of a session with a context', () => {
	it('shows the resumed context in the status line and in /context, as the REPL has it', async () => {
		const text = 'hello-context-file\n';
		const harness = resumeApp(await loggedSession(text));
		const resumed = await harness.waitForFrame((f) => f.includes('Resumed 1 turn(s)'), SLOW);
		expect(rlm!.sessionContext).toBe(text);
		expect(statusLine(await harness.waitForFrame((f) => statusLine(f).includes('ctx '), SLOW))).toMatch(/ctx resumed · 19 B/);
		expect(resumed).not.toMatch(/No context/);
		expect(await askContextCommand(harness)).toMatch(/Context: the resumed session's context \(19 characters, 19 B\)\./);
	}, SLOW);

	it('names the files of a resumed dict of files', async () => {
		const files = {'notes/a.md': 'alpha', 'notes/b.md': 'beta!'};
		const harness = resumeApp(await loggedSession(files));
		await harness.waitForFrame((f) => f.includes('Resumed 1 turn(s)'), SLOW);
		expect(rlm!.sessionContext).toEqual(files);
		expect(statusLine(await harness.waitForFrame((f) => statusLine(f).includes('ctx '), SLOW))).toMatch(/ctx resumed · 2 files, 10 B/);
		const told = await askContextCommand(harness);
		expect(told).toMatch(/Context: the resumed session's context \(a dict of 2 files, 10 B\):/);
		expect(told).toMatch(/notes\/a\.md, notes\/b\.md/);
	}, SLOW);

	it('keeps the badge of a context given for this run (-c wins over the logged one)', async () => {
		const harness = resumeApp(await loggedSession('old text\n'), {context: 'the new file text\n', label: 'new.txt'});
		await harness.waitForFrame((f) => f.includes('Resumed 1 turn(s)'), SLOW);
		expect(rlm!.sessionContext).toBe('the new file text\n');
		expect(statusLine(harness.lastFrame())).toMatch(/ctx new\.txt · 18 B/);
		expect(await askContextCommand(harness)).toMatch(/Context: new\.txt \(18 characters, 18 B\)/);
	}, SLOW);

	it('shows no context after resuming a session that had none', async () => {
		const harness = resumeApp(await loggedSession(null));
		await harness.waitForFrame((f) => f.includes('Resumed 1 turn(s)'), SLOW);
		expect(rlm!.sessionContext ?? null).toBeNull();
		expect(statusLine(harness.lastFrame())).not.toMatch(/ctx /);
		expect(await askContextCommand(harness)).toMatch(/No context: each question is its own context/);
	}, SLOW);
});
