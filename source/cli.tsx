#!/usr/bin/env node
// Entry point: flags -> settings -> one of: TUI | headless (-p) | serve.
import {ContextFileError, readContextFiles} from './cli/context-file.js';
import {parseCli} from './cli/flags.js';
import {runHeadless} from './cli/headless.js';
import {exitQuietlyOnBrokenPipe, exitWhenDrained} from './cli/exit.js';
import {readStdin, StdinError} from './cli/stdin.js';
import {BackendError} from './backends/types.js';
import {ConfigError, resolveConfig, type Flags} from './settings/resolve.js';
import {openSettings} from './settings/store.js';
import {LogReadError} from './trajectory/read-log.js';

/** A usage error: one line on stderr, exit 2 (or `code`). */
class UsageError extends Error {
	constructor(
		message: string,
		readonly code = 2,
	) {
		super(message);
	}
}

const fail = (message: string, code = 2): never => {
	throw new UsageError(message, code);
};

async function main(): Promise<number> {
	const cli = parseCli();
	const flags = cli.flags;
	const command = cli.input[0];
	if (command && command !== 'serve') fail(`unknown command "${command}" (try --help)`);

	const settings = openSettings();
	if (settings.notice) process.stderr.write(`rlm-tui: ${settings.notice}\n`);
	const cliFlags: Flags = {
		model: flags.model,
		backend: flags.backend,
		backendUrl: flags.backendUrl,
		backendKey: flags.backendKey,
		temperature: flags.temperature,
		maxIterations: flags.maxIterations,
		maxDepth: flags.maxDepth,
		subModel: flags.subModel,
		timeout: flags.timeout,
	};
	const config = resolveConfig(cliFlags, process.env, settings.get());

	if (command === 'serve') {
		const {runServe} = await import('./cli/serve.js');
		return runServe(
			config,
			{
				...(flags.port !== undefined ? {port: flags.port} : {}),
				...(flags.host ? {host: flags.host} : {}),
				...(flags.token ? {token: flags.token} : {}),
				...(flags.maxConcurrent !== undefined ? {maxConcurrent: flags.maxConcurrent} : {}),
				...(flags.logDir ? {logDir: flags.logDir} : {}),
			},
			process.stderr,
		);
	}

	if (flags.replay !== undefined) {
		const {runReplay} = await import('./cli/replay.js');
		return runReplay(flags.replay, {json: Boolean(flags.json), interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY), verbose: Boolean(flags.verbose)});
	}

	let context = await readContextFiles(flags.contextFile ?? []);
	const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
	let prompt = flags.prompt;
	if (!process.stdin.isTTY && (prompt === undefined || prompt === '' || context === undefined)) {
		const hasPrompt = prompt !== undefined && prompt !== '';
		const piped = await readStdin({optional: hasPrompt, onSilent: (message) => process.stderr.write(`rlm-tui: note: ${message}\n`)});
		if (!hasPrompt) prompt = piped ?? '';
		else if (piped?.trim()) context = piped;
	}

	if (prompt !== undefined || !interactive) {
		if (!prompt?.trim()) fail('no prompt: pass -p "question" or pipe one on stdin');
		return runHeadless({
			config,
			prompt: prompt!,
			...(context !== undefined ? {context} : {}),
			json: Boolean(flags.json),
			resume: Boolean(flags.resume),
			...(flags.logDir ? {logDir: flags.logDir} : {}),
			execLog: Boolean(flags.execLog),
			verbose: Boolean(flags.verbose),
			stdout: process.stdout,
			stderr: process.stderr,
		});
	}

	const [{runTui}, {Rlm}, {rlmOptionsFrom}] = await Promise.all([
		import('./ui/run-tui.js'),
		import('./engine/rlm.js'),
		import('./cli/headless.js'),
	]);
	const rlm = new Rlm({...rlmOptionsFrom(config), ...(flags.logDir ? {logDir: flags.logDir} : {})});
	if (context !== undefined) rlm.setContext(context);
	return runTui({rlm, config, settings, notices: settings.notice ? [settings.notice] : [], resume: Boolean(flags.resume)});
}

exitQuietlyOnBrokenPipe();
main().then(
	(code) => exitWhenDrained(code),
	(error: unknown) => {
		const known = error instanceof ConfigError || error instanceof ContextFileError || error instanceof BackendError || error instanceof LogReadError || error instanceof StdinError;
		const message = error instanceof Error ? error.message : String(error);
		process.stderr.write(`rlm-tui: ${error instanceof UsageError || known ? message : `unexpected error: ${message}`}\n`);
		return exitWhenDrained(error instanceof UsageError ? error.code : known ? 2 : 1);
	},
);
