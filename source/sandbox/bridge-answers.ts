// Answers one sub-call from Python through the block's handler: always one string per prompt,
// errors included, so Python never sees a missing slot.
import {errorText} from './notices.js';
import type {BridgeHandler, BridgeRequest, ToolHandler, ToolOutcome, ToolRequest} from './types.js';

const NO_BRIDGE = 'Error: sub-calls are not available here';
const NO_ANSWER = 'Error: the sub-call returned no answer';

export async function answerBridge(request: BridgeRequest, signal: AbortSignal, onCall: BridgeHandler | undefined): Promise<string[]> {
	const count = request.prompts.length;
	if (!onCall) return Array.from({length: count}, () => NO_BRIDGE);
	try {
		const results: unknown = await onCall(request, signal);
		if (!Array.isArray(results)) return Array.from({length: count}, () => NO_ANSWER);
		return Array.from({length: count}, (_, i) => {
			const value: unknown = results[i];
			if (typeof value === 'string') return value;
			if (value === undefined || value === null) return NO_ANSWER;
			if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
			return JSON.stringify(value) ?? NO_ANSWER;
		});
	} catch (error) {
		const text = `Error: ${errorText(error)}`;
		return Array.from({length: count}, () => text);
	}
}

/** Runs one host tool call through the block's handler: always an outcome, as the JSON text Python
 * reads ({"ok": true, "value": ...} or {"ok": false, "error": "one line"}). */
export async function answerTool(request: ToolRequest, signal: AbortSignal, onTool: ToolHandler | undefined): Promise<string> {
	let outcome: ToolOutcome;
	if (!onTool) outcome = {ok: false, error: `${request.name}: host tools are not available here`};
	else {
		try {
			outcome = await onTool(request, signal);
		} catch (error) {
			outcome = {ok: false, error: errorText(error)};
		}
	}
	try {
		return JSON.stringify(outcome.ok ? {ok: true, value: outcome.value ?? null} : {ok: false, error: String(outcome.error)});
	} catch (error) {
		return JSON.stringify({ok: false, error: `${request.name} returned a value JSON cannot carry (${errorText(error)})`});
	}
}
