// Headless mode (-p, or piped stdin): one completion, the answer on stdout, progress on stderr.
import {rmSync} from 'node:fs';
import {Rlm} from '../engine/rlm.js';
import type {ResolvedConfig} from '../settings/resolve.js';
import type {SandboxContext} from '../protocol/repl.js';
import {execLogWriter} from './exec-log.js';
import {safeText} from '../text/safe-text.js';
import {emptyTrajectory, reduceTrajectory, type TrajectoryState} from '../trajectory/tree.js';
import {formatCost} from '../text/units.js';
import {sessionJson} from '../trajectory/serialize.js';
import type {CompletionResult} from '../engine/types.js';
import type {Usage} from '../protocol/llm.js';
import {exitWhenDrained} from './exit.js';
import {SIGNAL_EXIT_CODES} from './own-signals.js';
import {partialAnswerTracker} from './partial-answer.js';
import {startProgress} from './progress.js';
import {tell} from './tell.js';
import {blockNotes, missingContextNotes, resumedSessionText, unansweredNotes} from '../trajectory/resume.js';
import {withAdvice} from '../protocol/errors.js';
import {servedModelsNote} from './served-models-note.js';
import {formatCount} from '../protocol/numbers.js';
import {jsonText} from '../text/json-text.js';
import {namesSummary} from '../text/names-summary.js';
import type {TakenIn} from '../trajectory/early-question.js';

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
	/** The question's log file, written before the engine loaded (trajectory/early-question.ts). */
	takenIn?: TakenIn;
}

export function rlmOptionsFrom(config: ResolvedConfig) {
	return {
		model: config.model,
		backend: config.backend,
		...(config.baseURL ? {baseURL: config.baseURL} : {}),
		...(config.apiKey ? {apiKey: config.apiKey} : {}),
		...(config.headers ? {headers: config.headers} : {}),
		...(config.temperature !== undefined ? {temperature: config.temperature} : {}),
		maxIterations: config.maxIterations,
		maxDepth: config.maxDepth,
		...(config.subModel ? {subModel: config.subModel} : {}),
		...(config.subModelSource ? {subModelSource: config.subModelSource} : {}),
		timeoutSeconds: config.timeoutSeconds,
		...(config.requestTimeoutSeconds !== undefined ? {requestTimeoutMs: config.requestTimeoutSeconds * 1000} : {}),
		...(config.memoryLimitMb !== undefined ? {memoryLimitMb: config.memoryLimitMb} : {}),
		memoryLimitName: '--memory-limit',
		...config.limits,
		...(config.toolsCode ? {toolsCode: config.toolsCode, toolsSource: config.toolsSource ?? 'tools'} : {}),
		...(config.subToolsCode ? {subToolsCode: config.subToolsCode, subToolsSource: config.subToolsSource ?? 'sub-tools'} : {}),
		...(config.compaction === false ? {compaction: false} : {}),
		...(config.contextWindow ? {contextWindow: config.contextWindow, contextWindowName: config.fromFlags?.includes('contextWindow') ? '--context-window' : 'contextWindow in the settings file'} : {}),
		...(config.subBackend ? {subBackend: config.subBackend} : {}),
		...(config.subBaseURL ? {subBaseURL: config.subBaseURL} : {}),
		...(config.subApiKey ? {subApiKey: config.subApiKey} : {}),
		...(config.instructions ? {instructions: config.instructions} : {}),
		...(config.systemPrompt ? {systemPrompt: config.systemPrompt} : {}),
		...(config.systemPromptSource ? {systemPromptSource: config.systemPromptSource} : {}),
	};
}

/** The exit code of a run a run-wide limit stopped (its best answer is on stdout). */
export const EXIT_LIMITED = 3;

/** Runs one completion; resolves with the process exit code. */
export async function runHeadless(options: HeadlessOptions): Promise<number> {
	const {takenIn} = options;
	let rlm: Rlm;
	try {
		rlm = new Rlm({...rlmOptionsFrom(options.config), ...(options.logDir ? {logDir: options.logDir} : {}), origin: 'headless', ...(takenIn && !options.resume ? {sessionId: takenIn.sessionId} : {})});
	} catch (error) {
		// Refused before the engine took the question in (a missing key): no turn of a session.
		if (takenIn) rmSync(takenIn.path, {force: true});
		throw error;
	}
	// The whole tree, reduced as it grows: usage per model (for cost) and the --json session.
	let tree = emptyTrajectory();
	rlm.on('event', (event) => {
		tree = reduceTrajectory(tree, event);
	});
	// The question is taken in now, before the resume re-runs the old session's code: it is in the
	// log (as that session's next turn, queued) from here on, and runs once the resume has ended.
	const controller = new AbortController();
	let resumed: Promise<void> | undefined;
	if (options.resume) {
		// The context given now (-c, a pipe) stands in for logged turns' contexts too big to log.
		if (options.context !== undefined) rlm.setContext(options.context);
		// The question logged before the engine loaded is no turn of the session it looks for.
		resumed = rlm.resumeLast(undefined, takenIn ? {exceptFile: takenIn.path} : {}).then((result) => {
			if (result.status !== 'resumed') options.stderr.write('rlm-tui: nothing to resume: no earlier session in the log dir\n');
			else {
				const {summary, turns, session} = result;
				if (session.emptyNewer) tell(options.stderr, `rlm-tui: passed over ${session.emptyNewer} newer session(s) whose log is empty (the process ended before it wrote a line)`);
				tell(options.stderr, `rlm-tui: resumed ${resumedSessionText(turns, session.started)}, re-ran ${summary.blocks} block(s); variables: ${namesSummary(summary.variables.map((v) => v.name))}`);
				for (const note of [...unansweredNotes(turns), ...missingContextNotes(summary), ...blockNotes(summary)]) tell(options.stderr, `rlm-tui: ${note}`);
			}
		});
	}
	// A resume that failed leaves the question logged as a cancelled turn.
	const completing = rlm.completion(options.prompt, {
		...(options.context !== undefined ? {context: options.context} : {}),
		signal: controller.signal,
		...(resumed ? {after: resumed.catch(() => controller.abort())} : {}),
		...(takenIn ? {takenIn: {path: takenIn.path, runId: takenIn.runId}} : {}),
	});
	// (Without a resume nothing is awaited here: the listeners below are on before the run's first event.)
	if (resumed) {
		try {
			await resumed;
		} catch (error) {
			await completing.catch(() => undefined);
			await rlm.dispose();
			throw error;
		}
	}
	if (options.execLog || options.verbose) {
		const log = execLogWriter((line) => options.stderr.write(`${line}\n`), {
			verbose: options.verbose,
			costUsd: () => tree.costUsd,
			backendBreakdown: () => backendBreakdown(tree),
		});
		rlm.on('event', log);
	} else {
		// Without the log, warnings (a truncated prompt, a reply cut at the limit) still reach the user.
		rlm.on('event', (event) => {
			if (event.type === 'notice' && event.level !== 'info') tell(options.stderr, `rlm-tui: warning: ${safeText(event.message)}`);
		});
	}
	const progress = startProgress(options.stderr as NodeJS.WriteStream, options.config.maxIterations);
	if (progress) rlm.on('event', (event) => progress.onEvent(event, tree));
	const partial = partialAnswerTracker();
	rlm.on('event', (event) => partial.onEvent(event));
	const writeResult = (result: CompletionResult) => {
		progress?.stop();
		if (options.json) {
			const {backend, model, subModel} = options.config;
			const session = sessionJson({backend, model, ...(subModel ? {subModel} : {}), history: rlm.history, state: tree});
			options.stdout.write(`${jsonText({...result, session}, 2)}\n`);
		} else if (result.response) {
			// On a terminal, the answer must not carry escape sequences; piped, it stays exact.
			const shown = (options.stdout as NodeJS.WriteStream).isTTY ? safeText(result.response) : result.response;
			options.stdout.write(shown.endsWith('\n') ? shown : `${shown}\n`);
		}
	};
	// Ctrl+C (SIGINT) or SIGTERM: the first stops the run, which then prints what it has; a
	// second leaves at once, still printing the partial answer.
	let written = false;
	let stoppedCode = 130;
	const onSignal = (signal: NodeJS.Signals) => {
		const code = signal === 'SIGTERM' ? 143 : 130;
		if (!controller.signal.aborted) {
			stoppedCode = code;
			controller.abort();
			return;
		}
		if (!written) {
			written = true;
			writeResult(cancelledResult(partial.text, tree.usage, 'stopped again before the run wound down: the iterations are in session'));
		}
		progress?.stop();
		options.stderr.write('rlm-tui: cancelled\n');
		void exitWhenDrained(code);
	};
	// SIGQUIT (Ctrl+\) quits at once, as in the app: no wind-down, nothing more printed; the run
	// stays in the log as it is (an unfinished turn that --resume brings back), exit code 131.
	const onQuit = () => {
		progress?.stop();
		void exitWhenDrained(SIGNAL_EXIT_CODES.SIGQUIT ?? 131);
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	process.on('SIGQUIT', onQuit);
	try {
		const completed = await completing;
		const result = completed.status === 'cancelled' && !completed.response ? {...completed, response: partial.text} : completed;
		progress?.stop();
		if (!written) {
			written = true;
			if (result.status !== 'failed' || options.json) writeResult(result);
		}
		if (result.status === 'failed') {
			// No such model on the server: name the ones it serves, when its list says.
			const served = result.errorCode === 'not_found' ? await servedModelsNote((signal) => rlm.listModels(signal), rlm.options.model) : '';
			tell(options.stderr, `rlm-tui: ${withAdvice({message: result.error ?? 'the run failed', ...(result.errorAdvice ? {advice: result.errorAdvice} : {})})}${served}`);
			return 1;
		}
		if (result.status === 'cancelled') {
			tell(options.stderr, `rlm-tui: cancelled${result.response && !options.json ? ' (above: the run\'s best partial answer, not a final answer)' : ''}`);
			return stoppedCode;
		}
		if (result.status === 'limited') {
			const best = result.response && !options.json ? ' (above: the best answer it had)' : '';
			options.stderr.write(`rlm-tui: stopped by a limit: ${safeText(result.error ?? result.limit ?? 'a run-wide limit')}${best}\n`);
			return EXIT_LIMITED;
		}
		if (result.status === 'forced') {
			// Nothing came of the forced call either: a turn limit that stopped the run without an answer.
			if (!result.response.trim()) {
				tell(options.stderr, `rlm-tui: out of iterations (${options.config.maxIterations}) with no answer, even when asked for one: raise --max-iterations, or ask again`);
				return EXIT_LIMITED;
			}
			if (result.answerCut) {
				tell(options.stderr, `rlm-tui: out of iterations (${options.config.maxIterations}); the answer was forced from the work so far, and that reply was cut off (${result.answerCut}): it is incomplete`);
				return EXIT_LIMITED;
			}
			tell(options.stderr, `rlm-tui: note: out of iterations (${options.config.maxIterations}); the answer was forced from the work so far`);
		}
		return 0;
	} finally {
		progress?.stop();
		process.off('SIGINT', onSignal);
		process.off('SIGTERM', onSignal);
		process.off('SIGQUIT', onQuit);
		await rlm.dispose();
	}
}

/** `openai 1,200 in / 50 out ~$0.01; ollama 8,000 in / 900 out`: who answered what, when more
 * than one backend did (cost where the engine priced that backend's calls). */
export function backendBreakdown(tree: Pick<TrajectoryState, 'usageByBackend' | 'costByBackend'>): string {
	const entries = Object.entries(tree.usageByBackend);
	if (entries.length < 2) return '';
	return entries
		.map(([backend, models]) => {
			const total = Object.values(models).reduce((sum, usage) => ({inputTokens: sum.inputTokens + usage.inputTokens, outputTokens: sum.outputTokens + usage.outputTokens}), {inputTokens: 0, outputTokens: 0});
			const cost = tree.costByBackend[backend];
			return `${backend} ${formatCount(total.inputTokens)} in / ${formatCount(total.outputTokens)} out${cost !== undefined ? ` ~${formatCost(cost)}` : ''}`;
		})
		.join('; ');
}

/** The result printed when a second signal ends the process before the run reports back. */
function cancelledResult(response: string, usage: Usage, error: string): CompletionResult {
	return {response, status: 'cancelled', iterations: [], usage: {...usage, totalTokens: usage.inputTokens + usage.outputTokens}, executionTimeMs: 0, runId: '', error};
}
