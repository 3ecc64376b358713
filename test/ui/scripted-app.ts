// The app on a ScriptedRlm in a temporary folder with its own settings: the set-up of the UI tests
// that drive one question at a time.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {resolveConfig} from '../../source/settings/resolve.js';
import {openSettings, type SettingsStore} from '../../source/settings/store.js';
import {asRlm, renderApp, ScriptedRlm, type Harness} from './harness.js';

export interface ScriptedApp {
	dir: string;
	settings: SettingsStore;
	rlm: ScriptedRlm;
	h: Harness;
}

/** Renders the app at `columns` x `rows`, its settings in a new folder named from `prefix`. */
export function openScriptedApp(prefix: string, size: {columns: number; rows: number}, flags: Parameters<typeof resolveConfig>[0] = {}): ScriptedApp {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	const settings = openSettings({cwd: path.join(dir, 'config')});
	const rlm = new ScriptedRlm();
	const h = renderApp({rlm: asRlm(rlm), config: resolveConfig(flags, {}, settings.get()), settings, cwd: dir, ...size, skipStartup: true});
	return {dir, settings, rlm, h};
}

/** Unmounts the app and removes its folder. */
export function closeScriptedApp(app: Pick<ScriptedApp, 'dir' | 'h'>): void {
	app.h.unmount();
	fs.rmSync(app.dir, {recursive: true, force: true});
}
