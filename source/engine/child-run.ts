// A child RLM started by rlm_query: its own REPL (once the host pool has a slot for it), the
// prompt as its context, one level deeper.
import {forChildRuns, type ChildRunParams, type EngineContext} from './engine-context.js';
import {contextInfo} from './context-info.js';
import {newId} from './ids.js';
import {loadTools} from './tools.js';
import {giveHostTools} from './host-tools.js';
import {runLoop} from './run-loop.js';
import type {CompletionResult} from './types.js';

/** Prompts up to this size are also shown to the child model as its question. */
const maxInlineQuestionChars = 4000;

/** @throws HostPoolFull when no REPL slot can be had; the signal's reason when it aborts first. */
export async function runChild(
	parentEngine: EngineContext,
	params: ChildRunParams,
): Promise<CompletionResult> {
	const engine = forChildRuns(parentEngine);
	const slot = await engine.hosts.acquire(params.parentSlot, AbortSignal.any([params.signal, engine.limits.signal]));
	try {
		const repl = await engine.startRepl();
		try {
			await repl.setContext(params.prompt);
			await repl.beginTurn([]);
			await giveHostTools(repl, engine.options.hostTools);
			const sub = engine.options.subTools;
			const tools = sub ? await loadTools(repl, sub.code, sub.source) : [];
			return await runLoop(engine, {
				runId: newId('run'),
				parentCallId: params.parentCallId,
				depth: params.depth,
				model: params.model,
				question: params.prompt.length <= maxInlineQuestionChars ? params.prompt : null,
				displayQuestion: params.prompt,
				context: contextInfo(params.prompt),
				repl,
				hostSlot: slot,
				historyTurns: 0,
				...(sub ? {tools, toolsSource: sub.source, reloadTools: () => loadTools(repl, sub.code, sub.source)} : {}),
				variables: [],
				signal: params.signal,
			});
		} finally {
			await repl.dispose();
		}
	} finally {
		slot.release();
	}
}
