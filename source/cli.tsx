#!/usr/bin/env node
// Entry point: flags -> settings -> one of: TUI | headless (-p) | serve.
import {ContextFileError, readContextFiles} from './cli/context-file.js';
import {parseCli} from './cli/flags.js';
import {runHeadless} from './cli/headless.js';
import {BackendError} from './backends/types.js';
import {ConfigError, resolveConfig, type Flags} from './settings/resolve.js';
import {openSettings} from './settings/store.js';
import {LogReadError} from './trajectory/read-log.js';

const fail = (message: string, code = 2): never => {
	process.stderr.write(`rlm-tui: ${message}\n`);
	process.exit(code);
};

/** Reads piped stdin to its end. With `firstChunkMs`, gives up (returning '') when nothing
 * arrives in time, so `-p` under a parent that leaves stdin open does not hang. */
function readStdin(firstChunkMs?: number): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		const timer =
			firstChunkMs === undefined
				? undefined
				: setTimeout(() => {
						process.stdin.pause();
						process.stdin.removeAllListeners('data');
						resolve('');
					}, firstChunkMs);
		process.stdin.on('data', (chunk: Buffer) => {
			clearTimeout(timer);
			chunks.push(chunk);
		});
		process.stdin.once('end', () => {
			clearTimeout(timer);
			resolve(Buffer.concat(chunks).toString('utf8'));
		});
		process.stdin.once('error', reject);
	});
}

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
		const piped = await readStdin(hasPrompt ? 300 : undefined);
		if (prompt === undefined || prompt === '') prompt = piped;
		else if (piped.trim()) context = piped;
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

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		if (error instanceof ConfigError || error instanceof ContextFileError || error instanceof BackendError || error instanceof LogReadError)
			fail(error.message);
		fail(`unexpected error: ${error instanceof Error ? error.message : String(error)}`, 1);
	},
);
