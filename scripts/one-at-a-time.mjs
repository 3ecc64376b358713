#!/usr/bin/env node
// Runs a command while holding a machine-wide lock, so suites started from several checkouts of
// the project (git worktrees) run one after another. Run side by side, each starves the others'
// Python sandboxes until their tests time out. A lock whose holder has died is taken over.
// Usage: node scripts/one-at-a-time.mjs -- <command> [args...]
import {spawn} from 'node:child_process';
import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

const lock = join(tmpdir(), 'rlm-tui-tests.lock');
const command = process.argv.slice(process.argv.indexOf('--') + 1);

function alive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return error.code === 'EPERM';
	}
}

function tryTake() {
	try {
		mkdirSync(lock);
		writeFileSync(join(lock, 'pid'), String(process.pid));
		return true;
	} catch (error) {
		if (error.code !== 'EEXIST') throw error;
		let holder;
		try {
			holder = Number(readFileSync(join(lock, 'pid'), 'utf8'));
		} catch {
			// Just created by another run that has not written its pid yet.
			return false;
		}
		if (Number.isInteger(holder) && !alive(holder)) rmSync(lock, {recursive: true, force: true});
		return false;
	}
}

let told = false;
while (!tryTake()) {
	if (!told) process.stderr.write(`waiting for another test run on this machine to finish (${lock})\n`);
	told = true;
	await new Promise((resolve) => setTimeout(resolve, 2000));
}
const release = () => rmSync(lock, {recursive: true, force: true});
process.on('exit', release);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
	process.on(signal, () => {
		release();
		process.exit(130);
	});
}
const child = spawn(command[0], command.slice(1), {stdio: 'inherit', shell: process.platform === 'win32'});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
