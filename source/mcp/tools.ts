// One MCP session's server: the tools (rlm_query, rlm_runs, rlm_run) and the trajectories as
// resources, over the runtime every session shares. Runs are tools because agents call tools on
// their own in every client; resources are for clients that let a person attach a trajectory.
import {basename} from 'node:path';
import {McpServer, ResourceTemplate} from '@modelcontextprotocol/sdk/server/mcp.js';
import type {CallToolResult} from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import {ContextLoadError, contextFormats} from '../context/index.js';
import {LogReadError} from '../trajectory/read-log.js';
import {CALL_LIMIT_NAMES, snakeName, type CallLimits} from '../protocol/limits.js';
import {quotedClip} from '../protocol/quoted.js';
import {clientRoots} from './roots.js';
import {findRunFile, fullTrajectory, listRunFiles, loggedSummary, readLoggedRun, type RunSummary} from './run-log.js';
import {CallRefused, limitsOut, type McpRuntime} from './runtime.js';
import {formatCount} from '../protocol/numbers.js';

const runUri = (file: string) => `rlm-tui://runs/${encodeURIComponent(basename(file))}`;

const instructions = `rlm-tui runs a Recursive Language Model (RLM): a model that answers a question over material far larger than its context window by writing Python in a sandbox, where the material is a variable it can slice, search and hand to sub-models. Use rlm_query for questions over large files, folders or logs (pass them as paths; relative paths start at the first root). Runs can take minutes; each writes a trajectory that rlm_run shows.`;

const usageShape = z.object({input_tokens: z.number(), output_tokens: z.number(), total_tokens: z.number()});

const queryOutput = {
	answer: z.string().optional().describe('The answer (with status limited, the best one the run had). Absent when the run was cancelled or failed: it has no answer.'),
	partial_answer: z.string().optional().describe('With status cancelled or failed: what the run had found so far (the answer dict\'s draft, else its code\'s last output, else the model\'s last reply); not a final answer.'),
	status: z.enum(['answered', 'forced', 'limited', 'cancelled', 'failed']).describe('answered: code submitted the answer; forced: out of iterations, one last call gave it; limited: a limit stopped the run; cancelled; failed.'),
	run_id: z.string(),
	iterations: z.number().describe('Iterations of the root model.'),
	usage: usageShape.describe('Tokens of the whole tree: root, sub-calls and child runs.'),
	cost_usd: z.number().optional().describe('Estimated cost in USD, from the model catalog\'s prices.'),
	ms: z.number().describe('Wall-clock milliseconds.'),
	trajectory_file: z.string().optional().describe('The JSONL trajectory (over HTTP, its file name in the server\'s log folder); `rlm-tui --replay FILE` shows it, rlm_run takes its name.'),
	limit: z.string().optional().describe('With status limited: the limit that stopped the run (max_budget, max_timeout, max_tokens, max_errors, max_sub_calls; total_budget or total_tokens when it was the run\'s share of the server\'s --total-budget or --total-tokens); `error` says how. With status forced: max_iterations (out of iterations, the answer was asked for once more).'),
	error: z.string().optional(),
	error_code: z.string().optional().describe('With error: its stable code (unreachable, auth, not_found, rate_limited, timeout, ...).'),
	limits: z.record(z.string(), z.number()).describe('The caps the run had.'),
	notes: z.array(z.string()).describe('Asks lowered to the server\'s limits, files skipped.'),
};

const summaryShape = z.object({
	run_id: z.string(),
	status: z.string(),
	question: z.string(),
	model: z.string(),
	answer: z.string().optional(),
	partial_answer: z.string().optional(),
	iterations: z.number(),
	max_iterations: z.number(),
	code_blocks: z.number(),
	failed_blocks: z.number(),
	sub_calls: z.number(),
	failed_sub_calls: z.number(),
	usage: usageShape,
	cost_usd: z.number().optional(),
	ms: z.number().optional(),
	error: z.string().optional(),
	error_code: z.string().optional(),
	trajectory_file: z.string().optional(),
	started_at: z.string().optional(),
});

/** A tool error the agent reads: one line saying what to do. */
const toolError = (message: string): CallToolResult => ({isError: true, content: [{type: 'text', text: message}]});

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** Why a run is not shown: none by that name, or not one made over MCP (run-log.ts). */
const noRun = (ref: string) => `No MCP run ${quotedClip(ref, 200)}: rlm_run shows the runs made over MCP; give a run_id or a file name from rlm_runs.`;

/** The text an agent reads for a finished run. */
function answerText(summary: RunSummary, notes: string[], maxIterations: number | undefined): string {
	const lines: string[] = [];
	if (summary.status === 'forced') lines.push(`[rlm-tui: out of iterations${maxIterations ? ` (${maxIterations})` : ''}; this answer was forced from the work so far]`);
	if (summary.status === 'limited') {
		const why = summary.error ? `: ${summary.error.replace(/\.$/, '')}` : '';
		lines.push(`[rlm-tui: a limit stopped the run${why}; ${summary.answer ? 'below, the best answer it had' : 'it stopped before any answer'}]`);
	}
	const partial = summary.partial_answer ? '; below, what it had found so far, not a final answer' : '';
	if (summary.status === 'cancelled') lines.push(`[rlm-tui: cancelled${partial}]`);
	if (summary.status === 'failed') lines.push(`[rlm-tui: the run failed: ${(summary.error ?? 'unknown error').replace(/\.$/, '')}${partial}]`);
	for (const note of notes) lines.push(`[rlm-tui: ${note}]`);
	const body = summary.answer ?? summary.partial_answer;
	return [...lines, ...(body ? [body] : [])].join('\n\n') || '(no answer)';
}

/** The limits a call asks for, from its snake_case arguments. */
function callLimitsFrom(args: Partial<Record<string, unknown>>): CallLimits {
	return Object.fromEntries(CALL_LIMIT_NAMES.filter((name) => typeof args[snakeName(name)] === 'number').map((name) => [name, args[snakeName(name)] as number]));
}

/** A new server for one client session, over the shared runtime. */
export function createMcpServer(runtime: McpRuntime, version: string): McpServer {
	const server = new McpServer({name: 'rlm-tui', version}, {instructions, capabilities: {logging: {}}});
	const roots = clientRoots(server.server);
	const logDir = runtime.options.logDir;

	server.registerTool(
		'rlm_query',
		{
			title: 'Ask an RLM',
			description:
				'Answers a question over material too large for your context window: files, folders (honouring .gitignore) and globs given as `paths`, and/or text given as `context`. A model explores the material by writing Python in a sandbox and calling sub-models, for as many iterations as it needs. Returns the answer; structured content adds status, iterations, token usage, cost and the trajectory file. Sends progress notifications when given a progressToken; cancelling the request stops the run.',
			inputSchema: {
				question: z.string().min(1).describe('The question to answer about the material.'),
				paths: z
					.array(z.string().min(1))
					.max(10_000)
					.optional()
					.describe('Files, folders and quoted globs (e.g. "logs/**/*.log") to load as the context. Relative paths start at the first root; only paths inside the roots (or the server\'s --allow-dir folders) are read. Several paths become a dict of name -> text.'),
				context: z.string().optional().describe('Text to use as the context (beside the paths, if any).'),
				context_format: z.enum(contextFormats).optional().describe('text (default), or json: .json files parsed, .jsonl as lists.'),
				model: z.string().optional().describe(`The root model (default: the server's). Allowed: ${runtime.models.join(', ')}.`),
				max_iterations: z.number().int().min(1).optional().describe('Most iterations of the root model (no higher than the server\'s).'),
				max_depth: z.number().int().min(1).optional().describe('1: rlm_query inside the run is a plain sub-call; 2+: child RLMs (no higher than the server\'s).'),
				max_budget: z.number().positive().optional().describe('Most estimated USD for the whole call (no higher than the server\'s).'),
				max_timeout: z.number().positive().optional().describe('Most wall-clock seconds for the whole call (no higher than the server\'s).'),
				max_tokens: z.number().int().min(1).optional().describe('Most input + output tokens for the whole call (no higher than the server\'s).'),
				max_errors: z.number().int().min(1).optional().describe('Most failed code blocks in a row (no higher than the server\'s).'),
				max_sub_calls: z.number().int().min(0).optional().describe('Most sub-calls, each slot of a batch counting one (no higher than the server\'s).'),
			},
			outputSchema: queryOutput,
			annotations: {readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true},
		},
		async (args, extra) => {
			const token = extra._meta?.progressToken;
			let outcome;
			try {
				outcome = await runtime.query(
					{
						question: args.question,
						...(args.paths ? {paths: args.paths} : {}),
						...(args.context !== undefined ? {context: args.context} : {}),
						...(args.context_format ? {format: args.context_format} : {}),
						...(args.model ? {model: args.model} : {}),
						limits: callLimitsFrom(args),
					},
					{
						folders: () => roots.folders(extra),
						signal: extra.signal,
						...(token !== undefined
							? {
									onProgress: (step) => {
										extra.sendNotification({method: 'notifications/progress', params: {progressToken: token, ...step}}).catch(() => undefined);
									},
								}
							: {}),
					},
				);
			} catch (error) {
				if (error instanceof CallRefused || error instanceof ContextLoadError) return toolError(error.message);
				throw error;
			}
			const {result, summary, limits, limit, notes} = outcome;
			const structured = {
				...(summary.answer !== undefined ? {answer: summary.answer} : {}),
				...(summary.partial_answer ? {partial_answer: summary.partial_answer} : {}),
				status: result.status,
				run_id: result.runId,
				// One count with rlm_runs and rlm_run, from the run's tree (RunSummary.iterations).
				iterations: summary.iterations,
				usage: summary.usage,
				...(summary.cost_usd !== undefined ? {cost_usd: summary.cost_usd} : {}),
				ms: Math.round(result.executionTimeMs),
				...(summary.trajectory_file ? {trajectory_file: summary.trajectory_file} : {}),
				...(limit ? {limit: snakeName(limit)} : {}),
				...(result.error ? {error: result.error} : {}),
				...(result.errorCode ? {error_code: result.errorCode} : {}),
				limits: limitsOut(limits),
				notes,
			};
			return {
				...(result.status === 'failed' ? {isError: true} : {}),
				content: [
					{type: 'text', text: answerText(summary, notes, limits.maxIterations)},
					...(summary.trajectory_file
						? [{type: 'resource_link' as const, uri: runUri(summary.trajectory_file), name: basename(summary.trajectory_file), mimeType: 'application/json', description: 'The run\'s trajectory'}]
						: []),
				],
				structuredContent: structured,
			};
		},
	);

	server.registerTool(
		'rlm_runs',
		{
			title: 'Recent RLM runs',
			description: 'Lists RLM runs made over MCP, newest first: those in progress, then those in the trajectory log. Each with its id, status, question, iterations, tokens and trajectory file.',
			inputSchema: {limit: z.number().int().min(1).max(200).optional().describe('Most runs to list (default 20).')},
			outputSchema: {runs: z.array(summaryShape)},
			annotations: {readOnlyHint: true, openWorldHint: false},
		},
		async ({limit = 20}) => {
			const live = runtime.liveRuns();
			const liveFiles = new Set(live.map((run) => run.trajectory_file));
			const logged: RunSummary[] = [];
			for (const file of await listRunFiles(logDir, limit)) {
				if (liveFiles.has(file)) continue;
				try {
					logged.push(loggedSummary(file));
				} catch {
					// a file that is not a readable trajectory is not listed
				}
			}
			const runs = [...live, ...logged].slice(0, limit).map((run) => ({
				...run,
				question: clip(run.question, 300),
				...(run.answer !== undefined ? {answer: clip(run.answer, 300)} : {}),
				...(run.partial_answer !== undefined ? {partial_answer: clip(run.partial_answer, 300)} : {}),
			}));
			const lines = runs.map((run) => `${run.run_id}  ${run.status}  ${run.iterations} it  ${run.usage.total_tokens} tokens  ${run.question.replace(/\s+/g, ' ').slice(0, 80)}`);
			return {content: [{type: 'text', text: lines.length ? lines.join('\n') : `No runs yet (trajectories go to ${logDir}).`}], structuredContent: {runs}};
		},
	);

	server.registerTool(
		'rlm_run',
		{
			title: 'One RLM run',
			description: 'Shows one run made over MCP, by its run_id or trajectory file name (from rlm_query or rlm_runs): its summary (status, answer, iterations, code blocks, sub-calls, tokens), or with detail "full" the whole trajectory (every iteration\'s reply, code, output and sub-calls, as `rlm-tui --replay FILE --json` prints it).',
			inputSchema: {
				run: z.string().min(1).describe('A run_id, or a trajectory file name.'),
				detail: z.enum(['summary', 'full']).optional().describe('summary (default) or full.'),
				max_chars: z.number().int().min(1000).optional().describe('With detail full: most characters to return (default 200,000); the rest is cut, and the result says so.'),
			},
			annotations: {readOnlyHint: true, openWorldHint: false},
		},
		async ({run: ref, detail = 'summary', max_chars: maxChars = 200_000}) => {
			const live = runtime.liveRun(ref);
			if (live && detail === 'summary') return {content: [{type: 'text', text: JSON.stringify(live, null, 2)}], structuredContent: {...live}};
			const file = await findRunFile(logDir, ref);
			if (!file) return toolError(live ? `Run ${ref} is still in progress: its full trajectory is written as it goes, at ${live.trajectory_file ?? 'a file named when it starts'}.` : noRun(ref));
			try {
				const logged = readLoggedRun(file);
				if (detail === 'summary') {
					const summary = live ?? loggedSummary(file, logged);
					return {content: [{type: 'text', text: JSON.stringify(summary, null, 2)}], structuredContent: {...summary}};
				}
				const text = JSON.stringify(fullTrajectory(logged));
				const cut = text.length > maxChars;
				return {
					content: [
						{type: 'text', text: cut ? text.slice(0, maxChars) : text},
						...(cut ? [{type: 'text' as const, text: `[rlm-tui: cut at ${formatCount(maxChars)} of ${formatCount(text.length)} characters; ask with a larger max_chars, or read ${file}]`}] : []),
					],
				};
			} catch (error) {
				if (error instanceof LogReadError) return toolError(error.message);
				throw error;
			}
		},
	);

	server.registerResource(
		'trajectory',
		new ResourceTemplate('rlm-tui://runs/{file}', {
			list: async () => ({
				resources: (await listRunFiles(logDir, 50)).map((file) => ({uri: runUri(file), name: basename(file), mimeType: 'application/json'})),
			}),
		}),
		{title: 'RLM run trajectory', description: 'A run\'s whole trajectory, as `rlm-tui --replay FILE --json` prints it.', mimeType: 'application/json'},
		async (uri, variables) => {
			const name = decodeURIComponent(String(variables.file));
			const file = await findRunFile(logDir, name);
			if (!file) throw new Error(noRun(name));
			return {contents: [{uri: uri.href, mimeType: 'application/json', text: JSON.stringify(fullTrajectory(readLoggedRun(file)))}]};
		},
	);

	return server;
}
