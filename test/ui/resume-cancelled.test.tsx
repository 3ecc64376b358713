// --resume of a session whose last turn the user cancelled: the tree shows that turn's reply as
// cancelled, as the live session did, never as an empty successful reply.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import {resolveConfig} from '../../source/settings/resolve.js';
import {openSettings} from '../../source/settings/store.js';
import {queueResponder, startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl} from '../support/rlm-script.js';
import {renderApp, waitFor, type Harness} from './harness.js';

const SLOW = 90_000;
let dir: string;
let server: FakeLlmServer;
let rlm: Rlm | undefined;
let h: Harness | undefined;

beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-ui-resume-cancel-'));
});

afterEach(async () => {
	h?.unmount();
	await rlm?.dispose();
	await server?.close();
	fs.rmSync(dir, {recursive: true, force: true});
});

/** The tree pane's rows (right of the chat pane). */
const treeRows = (frame: string) => {
	const width = frame.split('\n')[0]!.indexOf('╮') + 1;
	return frame.split('\n').map((line) => line.slice(width));
};

async function cancelledSession(reply: 'streamed part' | 'nothing'): Promise<string> {
	const logDir = path.join(dir, 'logs');
	server = await startFakeLlmServer({
		models: ['fake-model'],
		responder: queueResponder([repl('x = 1\nprint("first block")'), {text: 'FINAL(one)'}, reply === 'nothing' ? {hang: true} : {text: 'Let me look at the data first and then', drop: {afterChars: 20, how: 'hang'}}]),
	});
	const asking = new Rlm({model: 'fake-model', backend: 'openai', baseURL: server.openaiBaseURL, apiKey: 'k', logDir, origin: 'tui'});
	try {
		expect((await asking.completion('first question')).status).toBe('answered');
		const stop = new AbortController();
		let streamed = '';
		asking.on('event', (event) => {
			if (event.type === 'llm.delta') streamed += event.text;
		});
		const running = asking.completion('second question', {signal: stop.signal});
		await waitFor(() => server.requests.length === 3 && (reply === 'nothing' || streamed.length >= 20), SLOW);
		stop.abort();
		expect((await running).status).toBe('cancelled');
	} finally {
		await asking.dispose();
	}
	return logDir;
}

describe('--resume of a session whose last turn was cancelled', () => {
	for (const reply of ['streamed part', 'nothing'] as const) {
		it(`shows the cancelled turn's reply as cancelled (${reply} before the cancel), the answered turn untouched`, async () => {
			const logDir = await cancelledSession(reply);
			const settings = openSettings({cwd: path.join(dir, 'config')});
			const config = resolveConfig({backend: 'demo'}, {}, settings.get());
			rlm = new Rlm({model: 'demo', backend: 'demo', logDir, origin: 'tui'});
			h = renderApp({rlm, config, settings, cwd: dir, env: {}, columns: 160, rows: 40, resume: true});
			const resumed = await h.waitForFrame((f) => f.includes('Resumed 2 turn(s)'), SLOW);
			const rows = treeRows(resumed);
			const second = rows.findIndex((row) => row.includes('"second question"'));
			expect(second).toBeGreaterThan(0);
			const below = rows.slice(second + 1).join('\n');
			expect(below).not.toMatch(/✓ reply/);
			expect(below).toMatch(reply === 'nothing' ? /⊘ reply\s/ : /⊘ reply Let me look at the d/);
			// The answered turn is untouched.
			expect(rows.slice(0, second).join('\n')).toMatch(/✓ run · fake-model "first question"/);
		}, SLOW);
	}
});
