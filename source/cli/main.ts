// The command line after --help/--version (cli.tsx answers those without loading this):
// flags -> settings -> one of: TUI | headless (-p) | serve | replay. Each mode loads its own
// modules when chosen, so none pays for the others' (Ink, the SDKs, the engine).
import {rmSync} from 'node:fs';
import type {Flags, ResolvedConfig} from '../settings/resolve.js';
import type {TakenIn} from '../trajectory/early-question.js';
import {keepWasmAtBaseline} from './baseline-wasm.js';
import {exitWhenDrained} from './exit.js';
import {unknownHelpTopic} from './early-words.js';
import {parseCli} from './flags.js';
import {misplacedFlag, type FlagMode} from './flag-table.js';
import {helpFor, version} from './help.js';
import {readStdin, StdinError, stdinContext, stdinQuestion} from './stdin.js';
import {UsageError} from './usage-error.js';
import {isBlankQuestion} from './blank-question.js';
import {tell} from './tell.js';
import {withAdvice} from '../protocol/errors.js';
import {dropDependencySignalHooks} from './own-signals.js';
import {releaseTypeahead, takeTypeahead} from './typeahead.js';

const fail = (message: string, code = 2): never => {
	throw new UsageError(message, code);
};

async function main(): Promise<number> {
	const cli = parseCli();
	const flags = cli.flags;
	const command = cli.command;
	// What ps, top and pgrep show: the name and the command, never the flags (a -k key among them).
	// meow would set an empty title: the bundle has no package.json for it to read.
	process.title = command ? `rlm-tui ${command}` : 'rlm-tui';
	// Help in a form the early check does not see (-hV, --help=true): answered here the same way.
	if (flags.help || command === 'help') {
		const unknown = command === 'help' ? unknownHelpTopic(cli.input[0]) : undefined;
		if (unknown) fail(unknown);
		process.stdout.write(helpFor(command === 'help' ? cli.input[0] : command));
		return 0;
	}
	if (flags.version) {
		process.stdout.write(`${version()}\n`);
		return 0;
	}
	// A flag of another mode would be ignored: refused, by one table (flag-table.ts).
	const mode: FlagMode = command === 'serve' ? 'serve' : command === 'mcp' ? (flags.http ? 'mcp --http' : 'mcp') : 'app';
	const misplaced = misplacedFlag(mode, (name) => {
		const value: unknown = flags[name];
		return value !== undefined && value !== false && !(Array.isArray(value) && value.length === 0);
	});
	if (misplaced) fail(misplaced);

	// Read without conf: only the app writes settings, and it loads conf (settings/store.ts) itself.
	const [{readSettingsFile}, {resolveConfig}, {contextFromFlags}] = await Promise.all([
		import('../settings/settings-file.js'),
		import('../settings/resolve.js'),
		import('./context-flags.js'),
	]);
	dropDependencySignalHooks();
	const settingsFile = readSettingsFile();
	// serve refuses a dropped allowModels in one line of its own (cli/serve.ts), not after one that
	// says the default is used.
	const serveRefusesFile = command === 'serve' && !!settingsFile.droppedKeys?.includes('allowModels') && !flags.allowModels?.length && !flagGiven('--allow-models');
	if (settingsFile.notice && !serveRefusesFile) tell(process.stderr, `rlm-tui: ${settingsFile.notice}`);
	const cliFlags: Flags = {
		model: flags.model,
		backend: flags.backend,
		backendUrl: flags.backendUrl,
		backendKey: flags.backendKey,
		...(flags.header ? {header: flags.header} : {}),
		temperature: flags.temperature,
		maxIterations: flags.maxIterations,
		maxDepth: flags.maxDepth,
		subModel: flags.subModel,
		timeout: flags.timeout,
		...(flags.requestTimeout !== undefined ? {requestTimeout: flags.requestTimeout} : {}),
		memoryLimit: flags.memoryLimit,
		keepWarm: flags.keepWarm,
		maxBudget: flags.maxBudget,
		maxTimeout: flags.maxTimeout,
		maxTokens: flags.maxTokens,
		maxErrors: flags.maxErrors,
		maxSubCalls: flags.maxSubCalls,
		// meow reads an absent repeatable flag as []: only a given one counts.
		...(flags.allowModels?.length ? {allowModels: flags.allowModels} : {}),
		// meow reads an absent boolean as false: only the words on the line count.
		...(process.argv.includes('--no-compaction') ? {compaction: false} : process.argv.includes('--compaction') ? {compaction: true} : {}),
		...(flags.contextWindow !== undefined ? {contextWindow: flags.contextWindow} : {}),
		...(flags.subBackend !== undefined ? {subBackend: flags.subBackend} : {}),
		...(flags.subUrl !== undefined ? {subUrl: flags.subUrl} : {}),
		...(flags.system !== undefined ? {system: flags.system} : {}),
		...(flags.systemFile !== undefined ? {systemFile: await readSystemFile(flags.systemFile, '--system-file')} : {}),
		...(flags.tools !== undefined ? {tools: await readSystemFile(flags.tools, '--tools')} : {}),
		...(flags.subTools !== undefined ? {subTools: await readSystemFile(flags.subTools, '--sub-tools')} : {}),
		typed: cli.typed,
	};
	if (flags.resume && command !== 'serve' && command !== 'mcp' && flags.replay === undefined) {
		const {resumedBackendFlags} = await import('./resume-backend.js');
		Object.assign(cliFlags, resumedBackendFlags(cliFlags, flags.logDir, process.stderr));
	}
	const config = resolveConfig(cliFlags, process.env, settingsFile.settings);
	const {keepWarmSettingKnown, modeTookOver} = await import('./keep-warm.js');
	if (flags.replay === undefined) {
		keepWarmSettingKnown();
		const {cacheDirProblem} = await import('../sandbox/cache-dir.js');
		const {defaultCacheDir} = await import('../sandbox/paths.js');
		const problem = cacheDirProblem(defaultCacheDir());
		const noSpare = config.keepWarmMinutes ? ', and --keep-warm keeps no warm sandbox' : '';
		if (problem) tell(process.stderr, `rlm-tui: warning: the sandbox's snapshot cache is not used: ${problem}. Every start is a cold one (2 s or more)${noSpare}.`);
	}
	// In the app (a terminal), /set keep-warm may turn it on later: what it saves (or /unset's
	// default) wins over the flag, as for every run setting.
	let keepWarmSetHere: number | undefined;
	if (flags.replay === undefined && (config.keepWarmMinutes || (process.stdin.isTTY && process.stdout.isTTY))) {
		const {keepWarmAtExit} = await import('./keep-warm.js');
		await keepWarmAtExit(() => keepWarmSetHere ?? config.keepWarmMinutes, process.stderr);
	}

	if (command === 'serve') {
		keepWasmAtBaseline();
		const {runServe} = await import('./serve.js');
		modeTookOver();
		return runServe(
			config,
			{
				...(flags.port !== undefined ? {port: flags.port} : {}),
				...(flags.host ? {host: flags.host} : {}),
				...(flags.token ? {token: flags.token} : {}),
				...(flags.maxConcurrent !== undefined ? {maxConcurrent: flags.maxConcurrent} : {}),
				...(flags.logDir ? {logDir: flags.logDir} : {}),
				...(flags.cors?.length ? {cors: flags.cors} : {}),
				// meow drops an empty value of a repeatable flag: `--allow-models ""` is seen on the line.
				...(flags.allowModels?.length ? {allowModels: flags.allowModels} : flagGiven('--allow-models') ? {allowModels: []} : {}),
				settingsFile: {path: settingsFile.path, allowModels: settingsFile.settings.allowModels, allowModelsDropped: settingsFile.droppedKeys?.includes('allowModels') ?? false},
				typed: cli.typed,
			},
			process.stderr,
		);
	}

	if (command === 'mcp') {
		keepWasmAtBaseline();
		const {runMcp} = await import('./mcp.js');
		modeTookOver();
		return runMcp(
			config,
			{
				...(flags.http ? {http: true} : {}),
				...(flags.port !== undefined ? {port: flags.port} : {}),
				...(flags.host ? {host: flags.host} : {}),
				...(flags.token ? {token: flags.token} : {}),
				...(flags.maxConcurrent !== undefined ? {maxConcurrent: flags.maxConcurrent} : {}),
				...(flags.logDir ? {logDir: flags.logDir} : {}),
				...(flags.allowDir?.length ? {allowDir: flags.allowDir} : {}),
				...(flags.maxContextBytes !== undefined ? {maxContextBytes: flags.maxContextBytes} : {}),
				...pickDefined(flags, ['totalBudget', 'totalTokens']),
				typed: cli.typed,
			},
			process.stderr,
		);
	}
	if (flags.replay !== undefined) {
		// --replay shows a logged run and runs nothing: a question, a context or --resume would be dropped.
		const runFlag = flags.prompt !== undefined ? '-p' : flags.contextFile?.length ? '-c' : flags.resume ? '--resume' : undefined;
		if (runFlag) fail(`--replay shows a logged run and runs nothing, so ${runFlag} has no use with it: drop one of the two (--resume continues a log)`);
		const {runReplay} = await import('./replay.js');
		return runReplay(flags.replay, {json: Boolean(flags.json), interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY), verbose: Boolean(flags.verbose)});
	}

	// A headless question is in the log before its context is read and the engine loads (a pipe may
	// take its time, a hang-up may come meanwhile): trajectory/early-question.ts.
	const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
	if (!isBlankQuestion(flags.prompt)) await logQuestionEarly(flags, config, flags.prompt!);
	const cliContext = await contextFromFlags(flags, process.stderr);
	let context = cliContext.loaded?.context;
	let prompt = flags.prompt;
	if (!process.stdin.isTTY && !cliContext.fromStdin && (prompt === undefined || prompt === '' || context === undefined)) {
		const hasPrompt = prompt !== undefined && prompt !== '';
		const piped = await readStdin({optional: hasPrompt, input: hasPrompt ? stdinContext : stdinQuestion, onNote: (note) => tell(process.stderr, `rlm-tui: note: ${note}`), onSilent: (message) => tell(process.stderr, `rlm-tui: note: ${message}`)});
		if (!hasPrompt) prompt = piped ?? '';
		else if (piped?.trim()) context = piped;
		if (!hasPrompt && !isBlankQuestion(prompt)) await logQuestionEarly(flags, config, prompt!);
	}

	if (prompt !== undefined || !interactive) {
		// A question given in a form typeahead.ts cannot see in the raw words (-ep): no app reads keys.
		releaseTypeahead();
		// Blanks, escape sequences and invisible characters only: nothing to ask (printable's notion).
		if (flags.prompt !== undefined && isBlankQuestion(flags.prompt)) fail('-p/--prompt is only blanks or invisible characters: give the question, e.g. -p "what changed?"');
		if (prompt && isBlankQuestion(prompt)) fail('the question piped on stdin is only blanks or invisible characters: pipe the question, or pass -p "question"');
		if (!prompt) fail('no prompt: pass -p "question" or pipe one on stdin');
		const {savedBackendNote} = await import('../settings/saved-backend-note.js');
		const savedWins = savedBackendNote(cliFlags, process.env, settingsFile.settings, config, settingsFile.path);
		if (savedWins) tell(process.stderr, `rlm-tui: ${(await import('./known-secrets.js')).withoutSecrets(savedWins)}`);
		keepWasmAtBaseline();
		const {runHeadless} = await import('./headless.js');
		modeTookOver();
		// From here the engine has the early file: it takes it over, whatever happens to the run.
		const takenIn = earlyQuestion;
		earlyQuestion = undefined;
		return runHeadless({
			config,
			prompt: prompt!,
			...(takenIn ? {takenIn} : {}),
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

	const [{runTui}, {Rlm}, {rlmOptionsFrom}, {settingsStore}] = await Promise.all([
		import('../ui/run-tui.js'),
		import('../engine/rlm.js'),
		import('./headless.js'),
		import('../settings/store.js'),
	]);
	// The store loads conf, whose `when-exit` hooks the signals as it is imported (own-signals.ts).
	dropDependencySignalHooks();
	const settings = settingsStore(settingsFile);
	const rlm = new Rlm({...rlmOptionsFrom(config), memoryLimitName: '--memory-limit, /set memory-limit', ...(flags.logDir ? {logDir: flags.logDir} : {}), origin: 'tui'});
	if (context !== undefined) rlm.setContext(context);
	const {contextBadge, skippedLine} = await import('../context/index.js');
	const skipped = cliContext.loaded ? skippedLine(cliContext.loaded.skipped) : '';
	return runTui({
		rlm,
		config,
		settings: {
			path: settings.path,
			...(settings.notice ? {notice: settings.notice} : {}),
			get: () => settings.get(),
			save(patch) {
				if ('keepWarmMinutes' in patch) keepWarmSetHere = patch.keepWarmMinutes ?? 0;
				return settings.save(patch);
			},
			isSaved: (key) => settings.isSaved(key),
			subscribe: (listener) => settings.subscribe(listener),
		},
		notices: [...(settings.notice ? [settings.notice] : []), ...(skipped ? [`Context: ${skipped}.`] : [])],
		resume: Boolean(flags.resume),
		contextLoad: cliContext.options,
		...(cliContext.loaded ? {contextBadge: contextBadge(cliContext.loaded)} : {}),
		// The app shows from here: a Ctrl+C is its key, and a quit is the user's (keep-warm.ts).
		takeTypeahead: () => {
			takeTypeahead();
			modeTookOver();
		},
	});
}

/** The headless question's log file, written before the engine loaded; dropped when the run ends
 * on a usage or input error before the engine took it (a typo in -c is no turn of a session). */
let earlyQuestion: TakenIn | undefined;

/** Logs a headless question now: with --resume as the next turn of the session the resume will
 * find (by its files' names alone), else as turn 1 of a new session. */
async function logQuestionEarly(flags: ReturnType<typeof parseCli>['flags'], config: ResolvedConfig, question: string): Promise<void> {
	if (earlyQuestion) return;
	const [{writeEarlyQuestion}, {defaultLogDir}] = await Promise.all([import('../trajectory/early-question.js'), import('../trajectory/log-names.js')]);
	const session = flags.resume ? (await import('../engine/last-session.js')).nextTurnOfLastSession(flags.logDir, 'headless') : undefined;
	earlyQuestion = writeEarlyQuestion({dir: flags.logDir ?? defaultLogDir(), origin: 'headless', question, backend: config.backend, model: config.model, maxIterations: config.maxIterations, maxDepth: config.maxDepth, ...(session ? {session} : {})});
}

function pickDefined<T extends object, K extends keyof T>(values: T, names: readonly K[]): Partial<Pick<T, K>> {
	return Object.fromEntries(names.filter((name) => values[name] !== undefined).map((name) => [name, values[name]])) as Partial<Pick<T, K>>;
}

/** The most a --system-file or --tools file may hold: far more than any prompt or tool file (a
 * system prompt of 8 MiB is 2M tokens, past every model's window), far less than /dev/zero. */
const flagFileBytes = 8 * 1024 * 1024;

/** The text of a file a flag names (--system-file, --tools), without the byte order mark Windows
 * editors start a UTF-8 file with (Python reads past it in a file, not in code given as text).
 * A FIFO (`--tools <(cmd)`) is read up to the cap; a device is refused.
 * @throws UsageError when it cannot be read or is over the cap. */
async function readSystemFile(path: string, flag: string): Promise<{text: string; path: string}> {
	const {readInputFile, InputReadError} = await import('../protocol/bounded-read.js');
	try {
		const bytes = await readInputFile(path, {what: flag, limit: flagFileBytes, tooLarge: `give ${flag} a smaller file`, streams: true});
		const text = bytes.toString('utf8');
		return {text: text.startsWith('\uFEFF') ? text.slice(1) : text, path};
	} catch (error) {
		if (error instanceof InputReadError) {
			const why = {missing: 'no such file', folder: 'it is a folder', denied: 'permission denied'} as Partial<Record<string, string>>;
			return fail(why[error.reason] ? `${flag} ${path}: cannot read it (${why[error.reason]})` : error.message);
		}
		return fail(`${flag} ${path}: cannot read it (${(error as Error).message})`);
	}
}

main().then(
	(code) => exitWhenDrained(code),
	async (error: unknown) => {
		if (earlyQuestion) rmSync(earlyQuestion.path, {force: true});
		// A warm host being claimed is used up: wait for its hello, so keep-warm.ts can leave another.
		await (await import('./keep-warm.js')).warmClaimSettled();
		const {withoutSecrets} = await import('./known-secrets.js');
		if (error instanceof UsageError) {
			tell(process.stderr, `rlm-tui: ${withoutSecrets(error.message)}`);
			return exitWhenDrained(error.code);
		}
		// Loaded here, not up front: they are in the module cache already when one of them threw.
		const [{ConfigError}, {ContextLoadError}, {BackendError}, {LogReadError}] = await Promise.all([
			import('../settings/resolve.js'),
			import('../context/errors.js'),
			import('../backends/types.js'),
			import('../trajectory/read-log.js'),
		]);
		const known = error instanceof ConfigError || error instanceof ContextLoadError || error instanceof BackendError || error instanceof LogReadError || error instanceof StdinError;
		const message = error instanceof BackendError ? withAdvice(error) : error instanceof Error ? error.message : String(error);
		tell(process.stderr, `rlm-tui: ${withoutSecrets(known ? message : `unexpected error: ${message}`)}`);
		return exitWhenDrained(known ? 2 : 1);
	},
);

/** Whether `flag` is on the command line (before any `--`), with a value or not. */
function flagGiven(flag: string): boolean {
	const args = process.argv.slice(2);
	const end = args.indexOf('--');
	return (end === -1 ? args : args.slice(0, end)).some((word) => word === flag || word.startsWith(`${flag}=`));
}
