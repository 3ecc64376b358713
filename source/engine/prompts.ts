// Every text the engine sends the root model. Size-aware, and reminding the model of the turn.
import type {ContextInfo, SystemPromptChoice} from '../protocol/events.js';
import type {VariableInfo} from '../protocol/repl.js';
import {formatCount} from '../protocol/numbers.js';
import {PYTHON_LANGUAGES} from '../protocol/code-fence.js';
import {fenced} from './fence.js';

export type SizeClass = 'small' | 'medium' | 'large' | 'huge';

/** Seed thresholds (<= 2000 small, <= 6000 medium), plus a class for contexts far past a window. */
export function sizeClass(chars: number): SizeClass {
	if (chars <= 2000) return 'small';
	if (chars <= 6000) return 'medium';
	if (chars <= 200_000) return 'large';
	return 'huge';
}

const sizeHints: Record<SizeClass, string> = {
	small: 'The context is SMALL: read it whole in one pass, then answer.',
	medium: 'The context is MEDIUM: scan its beginning and end first, then look closer where it matters.',
	large:
		'The context is LARGE: never print it whole. Inspect its structure, then process it in segments of 3,000-4,000 characters, using Python (regex, counting, parsing) where you can and llm_query for judgement on a segment.',
	huge: 'The context is HUGE, far larger than your window: never print it whole. Find its structure with Python, filter with code first, and fan out over chunks with llm_query_batched (or rlm_query_batched for chunks that need several steps), then combine the results in Python.',
};

export function systemPrompt(options: {
	depth: number;
	maxDepth: number;
	maxIterations: number;
	/** The sub-model's real window (from its server or the model catalog) and the prompt size it leaves room for. */
	subModelWindow?: {tokens: number; chars: number};
}): string {
	const promptSize = options.subModelWindow
		? `Keep each prompt under about ${formatCount(options.subModelWindow.chars)} characters: the sub-model's window is ${formatCount(options.subModelWindow.tokens)} tokens, and a longer prompt is cut or refused.`
		: 'Keep each prompt well under ~100,000 characters.';
	const recursive =
		options.depth + 1 < options.maxDepth
			? '`rlm_query(prompt)` starts a child RLM with its own REPL (its `context` is your prompt); use it for sub-tasks that need several steps of code.'
			: '`rlm_query(prompt)` is a plain sub-model call here (the depth limit is reached).';
	return `You are a Recursive Language Model: you answer by writing Python that runs in a persistent REPL.

The REPL holds:
- \`context\`: the material to work on (a str, or a dict of name -> text when several files were given). It can be far larger than your window: look at it through code, never all at once.
- \`llm_query(prompt, model=None) -> str\`: asks a sub-model. It sees ONLY the prompt you pass (not \`context\`, not this conversation), so put the text it needs into the prompt. ${promptSize}
- \`llm_query_batched(prompts, model=None) -> list[str]\`: the same for many prompts at once, answered concurrently, results in order. Much faster than a loop of llm_query.
- ${recursive}
- \`rlm_query_batched(prompts, model=None) -> list[str]\`: several of those concurrently.
- \`SHOW_VARS()\`: your variables and their types. \`history\`: earlier questions and answers of this chat, as [{"question", "answer"}].
- \`llm_output(answer)\`: submits the final answer and ends the run. Also possible: \`FINAL_VAR("name")\` for a variable, or \`answer["content"] = ...; answer["ready"] = True\`.

How to work:
1. Write code in \`\`\`repl blocks. Every block in your reply runs, in order, in the same namespace; variables persist between turns. After your reply you see each block's output (long output is cut), so print what you need to see, and stop writing after your code: you cannot know its output yet.
2. Explore first (type, length, structure, samples), then compute. Prefer Python for anything exact (counting, searching, arithmetic); use sub-model calls for reading and judgement over pieces.
3. When a sub-call fails its slot holds a string starting with "Error:"; check for it.
4. Submit only from code, with llm_output(...) once you are sure. A full, direct answer to the question; not a description of your process.

You have ${options.maxIterations} turns.`;
}

/** The session's system-prompt choice (RlmOptions.instructions / systemPrompt) with one call's
 * instructions (CompletionOptions.instructions, e.g. serve's response_format) appended after the
 * session's: one list of instructions, one heading in the prompt. Undefined when there is none. */
export function systemPromptChoice(session: SystemPromptChoice | undefined, callInstructions: string | undefined): SystemPromptChoice | undefined {
	const call = callInstructions?.trim();
	if (!call) return session;
	const instructions = [session?.instructions?.trim(), call].filter(Boolean).join('\n\n');
	return {...session, instructions};
}

/** The system prompt as sent: the built-in one (or the user's replacement), then the user's
 * instructions under a heading of their own. */
export function withUserSystem(builtIn: string, choice: SystemPromptChoice | undefined, tools = ''): string {
	const base = `${choice?.replacement ? choice.replacement.text.trimEnd() : builtIn}${tools ? `\n\n${tools}` : ''}`;
	if (!choice?.instructions?.trim()) return base;
	return `${base}\n\nInstructions for this task (follow them; they override the defaults above where they differ, but not how you submit the answer):\n${choice.instructions.trim()}`;
}

/** What a replacement system prompt lacks for the loop to work ([] when nothing): the model must
 * write ```repl blocks and submit from code. */
export function missingFromSystemPrompt(text: string): string[] {
	const missing: string[] = [];
	if (!/```\s*repl|\brepl\b/i.test(text)) missing.push('that code goes in ```repl blocks');
	if (!/llm_output|FINAL_VAR|FINAL\(|answer\[/.test(text)) missing.push('how to submit the answer (llm_output(...), FINAL_VAR(name) or the answer dict)');
	return missing;
}

export function describeContext(context: ContextInfo): string {
	if (context.type === 'none') return 'There is no separate context: `context` is an empty string.';
	const chars = formatCount(context.chars);
	if (context.type === 'dict') {
		const keys = context.keys ?? [];
		const shown = keys.slice(0, 20).map((key) => JSON.stringify(key)).join(', ');
		const more = keys.length > 20 ? `, and ${keys.length - 20} more` : '';
		if (context.values === 'json')
			return `Your context is a dict of ${keys.length} entries parsed from JSON (${chars} characters in all as text), keyed by ${shown}${more}. Values may be str, int, float, bool, None, list or dict.`;
		return `Your context is a dict of ${keys.length} documents (${chars} characters in all), keyed by ${shown}${more}.`;
	}
	if (context.type === 'list')
		return `Your context is a list of ${formatCount(context.items ?? 0)} items parsed from JSON (${chars} characters in all as text). Items may be str, int, float, bool, None, list or dict.`;
	if (context.type !== 'str') return `Your context is a${context.type === 'int' ? 'n' : ''} ${context.type} parsed from JSON (${chars} characters as text).`;
	return `Your context is a str of ${chars} characters.`;
}

/** Variables named in a message to the root model (the REPL may hold any number), and the
 * characters of each name and type name shown: a block that makes 100,000 variables must not
 * make the next request megabytes long. */
export const LISTED_VARIABLES = 100;
const LISTED_NAME_CHARS = 60;
const LISTED_TYPE_CHARS = 40;

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** `a (int), b (str), … and 1,234 more`: the first LISTED_VARIABLES variables, names cut.
 * `count`: how many there are in all (the REPL may list only some). */
export function variableListing(variables: readonly VariableInfo[], count = variables.length, withTypes = true): string {
	const shown = variables.slice(0, LISTED_VARIABLES).map((v) => (withTypes ? `${cut(v.name, LISTED_NAME_CHARS)} (${cut(v.type, LISTED_TYPE_CHARS)})` : cut(v.name, LISTED_NAME_CHARS)));
	const more = Math.max(count, variables.length) - shown.length;
	return `${shown.join(', ')}${more > 0 ? `, and ${formatCount(more)} more (SHOW_VARS() lists them all)` : ''}`;
}

export function firstUserMessage(options: {
	question: string | null;
	context: ContextInfo;
	historyTurns: number;
	/** Contexts in the REPL (context_0 … context_{n-1}, the last one `context`). */
	contextCount?: number;
	variables: VariableInfo[];
	/** How many variables there are (the REPL may list only some). */
	variableCount?: number;
}): string {
	const parts = [describeContext(options.context), sizeHints[sizeClass(options.context.chars)]];
	const contexts = options.contextCount ?? 1;
	// As in the original RLM, every question asked adds its context_N, and only an answered one
	// adds to `history`: the turns that ended without an answer are the difference.
	const unanswered = Math.max(0, contexts - 1 - options.historyTurns);
	const listed = options.variables.length ? `: ${variableListing(options.variables.slice(0, 30), options.variableCount ?? options.variables.length, false)}` : '';
	const numbered = options.historyTurns === 1 ? '`history_0`' : `\`history_0\` through \`history_${options.historyTurns - 1}\``;
	if (unanswered > 0) {
		const answered =
			options.historyTurns === 0
				? 'None was answered, so `history` is empty.'
				: options.historyTurns === 1
					? '1 was answered: its question and answer are in `history`, and its messages in `history_0`.'
					: `${options.historyTurns} were answered: their questions and answers are in \`history\`, and the messages of each in ${numbered}.`;
		parts.push(
			`This chat has ${options.historyTurns + unanswered} earlier turn(s). ${answered} ${unanswered} ended without an answer (cancelled, failed or cut short), so ${unanswered === 1 ? 'it is' : 'they are'} not in \`history\`; ${unanswered === 1 ? 'its context is' : 'their contexts are'} still among the \`context_N\`.${listed ? ` Your variables from them are still defined${listed}.` : ''}`,
		);
	} else if (options.historyTurns > 0)
		parts.push(`This chat has ${options.historyTurns} earlier turn(s): their questions and answers are in \`history\`, and the messages of each in ${numbered}. Your variables from them are still defined${listed}.`);
	if (contexts > 1)
		parts.push(`You have ${contexts} contexts available (\`context_0\` through \`context_${contexts - 1}\`, one per turn of this chat, answered or not); \`context\` is this turn's, \`context_${contexts - 1}\`.`);
	if (options.question) parts.push(`The question: ${options.question}`);
	else parts.push('The task is in `context` itself: read it to find what is asked.');
	parts.push('Begin by examining `context` in the REPL. Do not answer yet.');
	return parts.join('\n\n');
}

export function turnReminder(nextIteration: number, maxIterations: number): string {
	const left = maxIterations - nextIteration + 1;
	let reminder = `[Turn ${nextIteration}/${maxIterations}]`;
	if (left <= 3) reminder += ` URGENT: ${left} turn(s) left. Submit your best answer with llm_output(...) now.`;
	else if (nextIteration - 1 === Math.floor(maxIterations / 2))
		reminder += ' You are halfway through your turns: start converging on an answer.';
	reminder += ' Continue: write code, or submit with llm_output(answer). Remember that llm_query cannot see `context`.';
	return reminder;
}

const WRITE_REPL = 'Write Python in a ```repl block to work on `context`, or submit your answer from code with llm_output(answer).';

/** Told when nothing in a reply ran; `otherBlocks`: the fenced blocks it held that do not run, by
 * language ('' untagged; a Python one is empty), so the model hears what it wrote instead. */
export function noCodeNudge(otherBlocks: readonly string[] = []): string {
	if (otherBlocks.length === 0) return `Your reply had no \`\`\`repl block, so nothing ran. ${WRITE_REPL}`;
	const kinds = [...new Set(otherBlocks)].map((lang) =>
		lang === '' ? 'a code block with no language tag (``` alone)' : PYTHON_LANGUAGES.has(lang) ? `an empty \`\`\`${lang} block` : `a \`\`\`${lang} block`,
	);
	const found = kinds.length === 1 ? kinds[0]! : `${kinds.slice(0, -1).join(', ')} and ${kinds.at(-1)!}`;
	return `Your reply had ${found}, but only \`\`\`repl (or \`\`\`python) blocks with code in them run, so nothing ran. ${WRITE_REPL}`;
}

/**
 * An answer submitted empty (llm_output(""), FINAL(""), FINAL_VAR of "", answer["content"] = ""
 * with ready; None, an empty container, text with nothing visible: visible-text.ts) is not taken: the model is told and the run goes on, within its iterations; out of
 * them, the one forced final call asks for the answer as usual. The original RLM passes an empty
 * final answer over silently (it takes only a truthy one).
 */
export const emptyAnswerNote =
	'Your final answer is empty, so it was not taken and the run goes on: submit the answer text itself, e.g. llm_output(result) with result holding what you found (or answer["content"] = result, then answer["ready"] = True).';

/** Told when a reply wrote FINAL(text) in prose beside code: it is not taken (it was written before
 * the code's output was seen: the original RLM's issue of invented output followed by FINAL). */
export const proseFinalBesideCodeNote =
	'Your FINAL(...) was written beside code, before you saw its output, so it was not taken as the answer. If it still holds after the output above, submit it with llm_output(answer).';

export const forcedFinalPrompt =
	'You are out of turns. Give your final answer now, in plain text, as complete as the work so far allows. No code.';

/** The last call of a run a limit stopped (`reason`: the limit's message). */
export function limitedFinalPrompt(reason: string): string {
	return `${reason} This run must stop now. Give your final answer in plain text, as complete as the work so far allows. No code.`;
}

export interface BlockFeedback {
	code: string;
	ok: boolean;
	stdout: string;
	stderr: string;
	error?: string;
	truncatedChars: number;
	restarted: boolean;
	limit?: string;
}

/** The user message after a reply's blocks ran: each block's output, then the variable names
 * (at most LISTED_VARIABLES; `variableCount`: how many there are in all). */
export function feedbackMessage(blocks: BlockFeedback[], variables: VariableInfo[], variableCount = variables.length): string {
	const parts: string[] = [];
	blocks.forEach((block, index) => {
		// On a line of its own: a fence starts a line.
		const label = blocks.length > 1 ? `Block ${index + 1}:\n` : '';
		let output = [block.stdout, block.stderr].filter(Boolean).join(block.stdout.endsWith('\n') ? '' : '\n');
		if (block.truncatedChars > 0 && !/omitted/.test(output))
			output += `\n[... ${formatCount(block.truncatedChars)} characters of output omitted ...]`;
		// Output and errors may quote the context (a document): fenced so that no line of theirs ends the block.
		if (block.ok) {
			parts.push(`${label}${fenced('result', output.trim() ? output.trimEnd() : '(no output - did you forget to print?)')}`);
		} else {
			const shown = output.trim() ? `${output.trimEnd()}\n` : '';
			parts.push(`${label}${fenced('error', `${shown}${block.error ?? 'the block failed'}`)}`);
		}
		if (block.restarted)
			parts.push('The REPL was restarted: every variable you defined is gone (`context`, `history` and the functions are back). Recompute what you need.');
	});
	parts.push(`REPL variables: ${variables.length ? variableListing(variables, variableCount) : '(none yet)'}`);
	return parts.join('\n\n');
}
