// The terminal closing under the live TUI (SIGHUP, its input ending) is not the user cancelling:
// the run it cut short stays unfinished in the log, as the headless CLI leaves one, and --resume
// says it was cut short, not cancelled. runTui with stand-in terminal streams, the real engine
// and the fake LLM server (which never answers).
import {EventEmitter} from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import {resolveConfig} from '../../source/settings/resolve.js';
import {openSettings} from '../../source/settings/store.js';
import {readTrajectoryLog} from '../../source/trajectory/read-log.js';
import {resumeTurns, unansweredNotes} from '../../source/trajectory/resume.js';
import {runTui} from '../../source/ui/run-tui.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';

let server: FakeLlmServer;
let dir: string;

beforeAll(async () => {
	server = await startFakeLlmServer({models: ['m']});
	server.setResponder(() => ({hang: true}));
});
afterAll(async () => {
	await server?.close();
});
beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-ui-hang-up-'));
});
afterEach(() => {
	fs.rmSync(dir, {recursive: true, force: true});
});

/** A terminal's streams: what the app writes, and keys typed into it. */
function terminal() {
	const written: string[] = [];
	const stdout = Object.assign(new EventEmitter(), {
		isTTY: true,
		columns: 120,
		rows: 30,
		writable: true,
		destroyed: false,
		write(data: string) {
			written.push(String(data));
			return true;
		},
	});
	let pending: string | null = null;
	const stdin = Object.assign(new EventEmitter(), {
		isTTY: true,
		setRawMode() {},
		setEncoding() {},
		ref() {},
		unref() {},
		resume() {},
		pause() {},
		read: () => {
			const data = pending;
			pending = null;
			return data;
		},
		type(data: string) {
			pending = data;
			stdin.emit('readable');
			stdin.emit('data', data);
		},
	});
	return {stdin, stdout, text: () => written.join('')};
}

const logDir = () => path.join(dir, 'logs');

/** The runs logged so far, each as the statuses its lines record. */
function loggedRuns() {
	if (!fs.existsSync(logDir())) return [];
	return fs.readdirSync(logDir()).map((name) => readTrajectoryLog(path.join(logDir(), name)));
}

async function askThenHangUp(hangUp: (t: ReturnType<typeof terminal>) => void): Promise<number> {
	const t = terminal();
	const settings = openSettings({cwd: path.join(dir, 'config')});
	const config = resolveConfig({backendUrl: server.openaiBaseURL, model: 'm', backendKey: 'test-key'}, {}, settings.get());
	const rlm = new Rlm({model: 'm', backend: 'openai', baseURL: server.openaiBaseURL, apiKey: 'test-key', logDir: logDir(), origin: 'tui'});
	const done = runTui({rlm, config, settings, stdin: t.stdin as unknown as NodeJS.ReadStream, stdout: t.stdout as unknown as NodeJS.WriteStream, env: {TERM: 'xterm-256color'}});
	await expect.poll(() => t.text().includes('Ask a question')).toBe(true);
	const requests = server.requests.length;
	t.stdin.type('a question the terminal outlived');
	await expect.poll(() => t.text().includes('outlived')).toBe(true);
	t.stdin.type('\r');
	// The model has the question, and the log has it.
	await expect.poll(() => server.requests.length).toBeGreaterThan(requests);
	await expect.poll(() => loggedRuns().map((log) => (log.metadata.rlm_tui as {question?: string}).question)).toEqual(['a question the terminal outlived']);
	hangUp(t);
	return done;
}

describe('the terminal closing under a running question', () => {
	for (const [way, hangUp] of [
		['SIGHUP', () => process.emit('SIGHUP', 'SIGHUP')],
		['the end of its input', (t: ReturnType<typeof terminal>) => t.stdin.emit('end')],
	] as const) {
		it(`${way}: the run stays unfinished in the log (not cancelled), as a killed headless run's does`, async () => {
			expect(await askThenHangUp(hangUp)).toBe(129);
			const [log] = loggedRuns();
			const statuses = log.iterations.map((iteration) => (iteration.rlm_tui as {run_status?: string} | undefined)?.run_status);
			expect(statuses).not.toContain('cancelled');
			const turns = resumeTurns(loggedRuns());
			expect(turns).toHaveLength(1);
			expect(turns[0]!.status).toBeUndefined();
			expect(unansweredNotes(turns)).toEqual([expect.stringContaining('it was cut short when the app or CLI was closed or killed')]);
		});
	}
});

// Ctrl+\ and SIGQUIT quit at once, as in the headless CLI and the line mode: the running question
// is not cancelled but left as the log has it (unfinished, as on a hang-up), exit code 131.
describe('quitting at once (Ctrl+\\, SIGQUIT) under a running question', () => {
	for (const [way, quit] of [
		['SIGQUIT', () => process.emit('SIGQUIT', 'SIGQUIT')],
		['Ctrl+\\', (t: ReturnType<typeof terminal>) => t.stdin.type('\x1c')],
	] as const) {
		it(`${way}: exit code 131, and the run stays unfinished in the log (not cancelled)`, async () => {
			expect(await askThenHangUp(quit)).toBe(131);
			const [log] = loggedRuns();
			const statuses = log.iterations.map((iteration) => (iteration.rlm_tui as {run_status?: string} | undefined)?.run_status);
			expect(statuses).not.toContain('cancelled');
			const turns = resumeTurns(loggedRuns());
			expect(turns.map((turn) => turn.status)).toEqual([undefined]);
		});
	}
});
