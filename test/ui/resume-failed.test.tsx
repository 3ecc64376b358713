// A resumed turn whose run failed says why, as its trajectory holds it (the account out of
// credits), not only that it failed: the real engine, its log and /resume in the TUI.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import {resolveConfig} from '../../source/settings/resolve.js';
import {openSettings, type SettingsStore} from '../../source/settings/store.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, scripted} from '../support/rlm-script.js';
import {renderApp, type Harness} from './harness.js';

let dir: string;
let settings: SettingsStore;
let server: FakeLlmServer;
const engines: Rlm[] = [];
let h: Harness | undefined;

const SLOW = 120_000;
const flat = (frame: string) => frame.replace(/[\s│]+/g, ' ');
const CREDITS = 'Insufficient credits. Add more using https://openrouter.ai/settings/credits';

function engine(): Rlm {
	const rlm = new Rlm({model: 'm', backend: 'openai', baseURL: server.openaiBaseURL, apiKey: 'k', logDir: path.join(dir, 'logs'), timeoutSeconds: 120});
	engines.push(rlm);
	return rlm;
}

beforeEach(async () => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-ui-resume-failed-'));
	settings = openSettings({cwd: path.join(dir, 'config')});
	server = await startFakeLlmServer({models: ['m']});
});

afterEach(async () => {
	h?.unmount();
	h = undefined;
	await Promise.all(engines.splice(0).map((rlm) => rlm.dispose()));
	await server.close();
	fs.rmSync(dir, {recursive: true, force: true});
});

describe('/resume of a session with a failed turn', () => {
	it('says why the run failed (out of credits), as the log holds it; an answered turn keeps its answer', async () => {
		const first = engine();
		server.setResponder(scripted({root: () => repl('llm_output("the first answer")')}));
		expect((await first.completion('the first question')).status).toBe('answered');
		server.setResponder(() => ({status: 402, message: CREDITS, body: {error: {code: 402, message: CREDITS}}}));
		const failed = await first.completion('the second question');
		expect(failed.status).toBe('failed');

		const config = resolveConfig({backend: 'openai', backendUrl: server.openaiBaseURL, model: 'm'}, {}, settings.get());
		h = renderApp({rlm: engine(), config, settings, cwd: dir, env: {}, columns: 160, rows: 50});
		h.write('/resume\r');
		const resumed = flat(await h.waitForFrame((f) => f.includes('Resumed 2 turn(s)'), SLOW));
		expect(resumed).toContain('the first answer');
		const note = resumed.slice(resumed.indexOf("No answer: this question's run failed"));
		// The reason, not only "failed, so it has no answer".
		expect(note).toMatch(/^No answer: this question's run failed: Out of credits or quota at .*Insufficient credits/);
		expect(note).not.toMatch(/^No answer: this question's run failed, so it has no answer/);
	}, SLOW);
});
