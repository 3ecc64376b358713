// A child RLM started by rlm_query: its own REPL, the prompt as its context, one level deeper.
import type {ChildRunParams, EngineContext} from './engine-context.js';
import {contextInfo} from './context-info.js';
import {newId} from './ids.js';
import {runLoop} from './run-loop.js';
import type {CompletionResult} from './types.js';

/** Prompts up to this size are also shown to the child model as its question. */
const maxInlineQuestionChars = 4000;

export async function runChild(
	engine: EngineContext,
	params: ChildRunParams,
): Promise<CompletionResult> {
	const repl = await engine.startRepl();
	try {
		await repl.setContext(params.prompt);
		await repl.beginTurn([]);
		return await runLoop(engine, {
			runId: newId('run'),
			parentCallId: params.parentCallId,
			depth: params.depth,
			model: params.model,
			question: params.prompt.length <= maxInlineQuestionChars ? params.prompt : null,
			displayQuestion: params.prompt,
			context: contextInfo(params.prompt),
			repl,
			historyTurns: 0,
			variables: [],
			signal: params.signal,
		});
	} finally {
		await repl.dispose();
	}
}
