// Headless mode (-p, or piped stdin): one completion, the answer on stdout, progress on stderr.
import {Rlm} from '../engine/rlm.js';
import type {ResolvedConfig} from '../settings/resolve.js';
import type {SandboxContext} from '../sandbox/types.js';
import {execLogWriter} from './exec-log.js';
import {safeText} from '../ui/safe-text.js';
import {reduceAll} from '../trajectory/tree.js';
import {sessionJson} from '../trajectory/serialize.js';
import type {RlmEvent} from '../engine/events.js';
import {lastSessionFiles, readTrajectoryLog} from '../trajectory/read-log.js';
import {resumeTurns} from '../trajectory/resume.js';
import {defaultLogDir} from '../trajectory/jsonl-log.js';

export interface HeadlessOptions {
	config: ResolvedConfig;
	prompt: string;
	context?: SandboxContext;
	json: boolean;
	resume?: boolean;
	logDir?: string;
	execLog: boolean;
	verbose: boolean;
	stdout: NodeJS.WritableStream;
	stderr: NodeJS.WritableStream;
}

export function rlmOptionsFrom(config: ResolvedConfig) {
	return {
		model: config.model,
		backend: config.backend,
		...(config.baseURL ? {baseURL: config.baseURL} : {}),
		...(config.apiKey ? {apiKey: config.apiKey} : {}),
		temperature: config.temperature,
		maxIterations: config.maxIterations,
		maxDepth: config.maxDepth,
		...(config.subModel ? {subModel: config.subModel} : {}),
		timeoutSeconds: config.timeoutSeconds,
	};
}

const sessionIdOf = (file: string) => /_([0-9a-f]{8})_t\d+_/.exec(file)?.[1];

/** Runs one completion; resolves with the process exit code. */
export async function runHeadless(options: HeadlessOptions): Promise<number> {
	const rlm = new Rlm({...rlmOptionsFrom(options.config), ...(options.logDir ? {logDir: options.logDir} : {})});
	const events: RlmEvent[] = [];
	if (options.json) rlm.on('event', (event) => events.push(event));
	if (options.resume) {
		const files = lastSessionFiles(options.logDir ?? defaultLogDir());
		if (files.length === 0) options.stderr.write('rlm-tui: nothing to resume: no earlier session in the log dir\n');
		else {
			const logs = files.map((file) => readTrajectoryLog(file));
			const summary = await rlm.resume(resumeTurns(logs), sessionIdOf(files[0]!));
			options.stderr.write(`rlm-tui: resumed ${summary.turns} turn(s), re-ran ${summary.blocks} block(s); variables: ${summary.variables.map((v) => v.name).join(', ') || 'none'}\n`);
			if (summary.missingContexts)
				options.stderr.write(`rlm-tui: ${summary.missingContexts} turn(s) had a context too big to log: their code was re-run against the current context\n`);
		}
	}
	if (options.execLog || options.verbose) {
		const log = execLogWriter((line) => options.stderr.write(`${line}\n`), {verbose: options.verbose});
		rlm.on('event', log);
	}
	const controller = new AbortController();
	const onSigint = () => {
		if (controller.signal.aborted) process.exit(130);
		controller.abort();
	};
	process.on('SIGINT', onSigint);
	try {
		const result = await rlm.completion(options.prompt, {
			...(options.context !== undefined ? {context: options.context} : {}),
			signal: controller.signal,
		});
		if (options.json) {
			const {backend, model, subModel} = options.config;
			const session = sessionJson({backend, model, ...(subModel ? {subModel} : {}), history: rlm.history, state: reduceAll(events)});
			options.stdout.write(`${JSON.stringify({...result, session}, null, 2)}\n`);
		} else if (result.status === 'answered' || result.status === 'forced') {
			// On a terminal, the answer must not carry escape sequences; piped, it stays exact.
			const shown = (options.stdout as NodeJS.WriteStream).isTTY ? safeText(result.response) : result.response;
			options.stdout.write(shown.endsWith('\n') ? shown : `${shown}\n`);
		}
		if (result.status === 'failed') {
			options.stderr.write(`rlm-tui: ${result.error ?? 'the run failed'}\n`);
			return 1;
		}
		if (result.status === 'cancelled') {
			options.stderr.write('rlm-tui: cancelled\n');
			return 130;
		}
		if (result.status === 'forced')
			options.stderr.write(`rlm-tui: note: out of iterations (${options.config.maxIterations}); the answer was forced from the work so far\n`);
		return 0;
	} finally {
		process.off('SIGINT', onSigint);
		await rlm.dispose();
	}
}
