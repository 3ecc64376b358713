// The library's host tools (`tools: {name: {description, fn}}`): functions the model's Python
// calls through the sandbox bridge and that run here, in the parent, with the parent's rights.
// Arguments and results are JSON, checked with zod where they cross; a failure reaches Python as
// a ToolError with one line. Each call is a `call` node of kind 'tool' in the tree.
import * as z from 'zod';
import type {HostToolSpec, JsonValue, Repl, ToolHandler, ToolOutcome} from '../protocol/repl.js';
import type {EngineContext} from './engine-context.js';
import type {HostTool, HostTools} from './types.js';
import {newId} from './ids.js';
import {formatCount} from '../protocol/numbers.js';

/** Names Python's REPL keeps for itself (prelude.py RESERVED and its numbered names). */
const reservedNames = new Set(['context', 'history', 'answer', 'full_history', 'llm_query', 'llm_query_batched', 'rlm_query', 'rlm_query_batched', 'llm_output', 'FINAL', 'FINAL_VAR', 'SHOW_VARS', 'ToolError']);
const pythonKeywords = new Set(
	'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case'.split(' '),
);

const toolName = z
	.string()
	.regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'a tool name is a Python identifier of at most 64 characters, starting with a letter')
	.refine((name) => !reservedNames.has(name) && !/^(context|history)_\d+$/.test(name), 'that name is reserved by the REPL')
	.refine((name) => !pythonKeywords.has(name), 'a Python keyword cannot be a tool name');
const toolSchema = z.object({
	description: z.string().trim().min(1, 'a tool needs a description').max(4000),
	signature: z.string().max(200).optional(),
	fn: z.custom<HostTool['fn']>((value) => typeof value === 'function', 'fn must be a function'),
});
const MAX_TOOLS = 100;

/** Thrown for a `tools` option that cannot work, with a one-line message. */
export class HostToolsError extends Error {
	override name = 'HostToolsError';
}

/** Checks the `tools` option. @throws HostToolsError naming the tool and what is wrong. */
export function checkHostTools(tools: unknown): HostTools {
	if (!tools || typeof tools !== 'object' || Array.isArray(tools)) throw new HostToolsError('tools: expected an object of name -> {description, fn}');
	const entries = Object.entries(tools);
	if (entries.length > MAX_TOOLS) throw new HostToolsError(`tools: at most ${MAX_TOOLS} tools`);
	const checked: Record<string, HostTool> = {};
	for (const [name, tool] of entries) {
		const named = toolName.safeParse(name);
		if (!named.success) throw new HostToolsError(`tools.${name}: ${named.error.issues[0]!.message}`);
		const parsed = toolSchema.safeParse(tool);
		if (!parsed.success) {
			const issue = parsed.error.issues[0]!;
			const where = issue.path.map(String).join('.');
			throw new HostToolsError(`tools.${name}${where ? `.${where}` : ''}: ${issue.message}`);
		}
		checked[name] = parsed.data;
	}
	return checked;
}

/** What Python is told to define. */
export function hostToolSpecs(tools: HostTools | undefined): HostToolSpec[] {
	return Object.entries(tools ?? {}).map(([name, tool]) => ({name, description: tool.description}));
}

/** Defines the host tools in `repl` (a REPL without the port's setHostTools gets none). */
export async function giveHostTools(repl: Pick<Repl, 'setHostTools'>, tools: HostTools | undefined): Promise<void> {
	if (tools && Object.keys(tools).length > 0) await repl.setHostTools?.(hostToolSpecs(tools));
}

/** The system prompt's section naming the host tools ('' when there are none). */
export function hostToolsSection(tools: HostTools | undefined): string {
	const entries = Object.entries(tools ?? {});
	if (entries.length === 0) return '';
	const lines = entries.map(([name, tool]) => `- \`${name}${tool.signature ?? '(input)'}\`: ${tool.description.replace(/\s*\n\s*/g, ' ')}`);
	return `Host tools in the REPL (they run outside the sandbox; pass one JSON value or keyword arguments; they return JSON data and raise ToolError when they fail):\n${lines.join('\n')}`;
}

/** Characters of a tool's input and result kept on its events (the whole reaches Python). */
const EVENT_TEXT_CHARS = 20_000;
const cut = (text: string) => (text.length > EVENT_TEXT_CHARS ? `${text.slice(0, EVENT_TEXT_CHARS)}… [${formatCount(text.length - EVENT_TEXT_CHARS)} more characters]` : text);
const firstLine = (error: unknown) => ((error instanceof Error ? error.message : String(error)).split('\n').find((line) => line.trim()) ?? 'it failed').trim();

/** JSON text without Python's spaces (as the result is shown); the text itself when it is not JSON. */
function compactJson(text: string): string {
	try {
		return JSON.stringify(JSON.parse(text));
	} catch {
		return text;
	}
}

/** Answers Python's host tool calls of one block, with a call.start / call.done pair for each. */
export function hostToolHandler(engine: EngineContext, site: {runId: string; iteration: number; block: number}, tools: HostTools): ToolHandler {
	return async (request, signal): Promise<ToolOutcome> => {
		const callId = newId('call');
		const started = performance.now();
		engine.emit({type: 'call.start', callId, runId: site.runId, iteration: site.iteration, block: site.block, kind: 'tool', fn: 'tool', index: 0, model: request.name, prompt: cut(compactJson(request.input))});
		const outcome = await runTool(tools, request.name, request.input, signal);
		const ms = performance.now() - started;
		const usage = {inputTokens: 0, outputTokens: 0};
		if (outcome.ok) engine.emit({type: 'call.done', callId, response: cut(JSON.stringify(outcome.value)), usage, ms});
		else engine.emit({type: 'call.done', callId, response: `Error: ${outcome.error}`, usage, ms, error: `Error: ${outcome.error}`});
		return outcome;
	};
}

/** One call: the input parsed and checked, the tool run, its result checked. Never rejects. */
export async function runTool(tools: HostTools, name: string, inputText: string, signal: AbortSignal): Promise<ToolOutcome> {
	const tool = Object.hasOwn(tools, name) ? tools[name] : undefined;
	if (!tool) return {ok: false, error: `${name}: no such host tool`};
	let input: JsonValue;
	try {
		input = z.json().parse(JSON.parse(inputText));
	} catch (error) {
		return {ok: false, error: `${name}: its argument is not JSON data (${firstLine(error)})`};
	}
	let result: unknown;
	try {
		result = await tool.fn(input, {signal});
	} catch (error) {
		return {ok: false, error: `${name}: ${firstLine(error)}`};
	}
	const checked = z.json().safeParse(result === undefined ? null : result);
	if (!checked.success) {
		const issue = checked.error.issues[0]!;
		const where = issue.path.length ? ` at ${issue.path.map(String).join('.')}` : '';
		return {ok: false, error: `${name} returned a value JSON cannot carry${where} (${issue.message})`};
	}
	return {ok: true, value: checked.data};
}
