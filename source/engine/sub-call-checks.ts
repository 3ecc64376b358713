// The checks a sub-call request from model code must pass before anything about it is emitted,
// logged or sent: how many prompts one call may carry, how large each prompt and the whole
// request may be, and which models `model=` may name. Model code chooses all of these, so none
// is taken on trust.
import {Buffer} from 'node:buffer';
import type {BridgeRequest} from '../protocol/repl.js';
import type {SettledOptions} from './engine-context.js';
import {formatCount} from '../protocol/numbers.js';

/** Characters of a refused prompt shown in the tree and the log. */
export const PROMPT_PREVIEW_CHARS = 200;

/** Bytes all the prompts of one request may hold together (at least one prompt's cap): 64 MiB. */
export const MAX_REQUEST_BYTES = 64 * 1024 * 1024;

const count = (n: number) => formatCount(n);

/** Characters of a model name repeated back in an error (it comes from model code). */
const shownName = (name: string) => JSON.stringify(name.length > 100 ? `${name.slice(0, 100)}…` : name);

export type CheckedRequest =
	/** Refused whole: every slot holds `error`; `notice` tells the user once. */
	| {ok: false; error: string; notice: string}
	/** `model` to send to (aliases resolved); `oversized`: slots over maxPromptBytes, with their size. */
	| {ok: true; model: string; oversized: Map<number, number>};

/** Why a prompt over maxPromptBytes was not sent, for the model (a slot holds "Error: " and this). */
export function promptBytesError(bytes: number, max: number): string {
	return `this prompt is ${count(bytes)} bytes, over the ${count(max)}-byte limit of one sub-call prompt (maxPromptBytes); it was not sent. Split it, and put only what the sub-model needs into each prompt.`;
}

export function checkRequest(options: SettledOptions, request: BridgeRequest): CheckedRequest {
	const {prompts, fn} = request;
	if (prompts.length > options.maxBatchPrompts) {
		const error = `Error: ${fn} refused: ${count(prompts.length)} prompts, over the limit of ${count(options.maxBatchPrompts)} in one call (maxBatchPrompts); none was sent. Send fewer, larger prompts, or several calls.`;
		return {ok: false, error, notice: `A ${fn} of ${count(prompts.length)} prompts was refused (at most ${count(options.maxBatchPrompts)} per call).`};
	}
	let model = options.subModel;
	if (request.model !== null) {
		model = options.resolveModel(request.model);
		if (!options.allowedModels.has(model) && !options.allowedModels.has(request.model)) {
			const allowed = [...options.allowedModels].map((name) => JSON.stringify(name)).join(', ');
			const error = `Error: model=${shownName(request.model)} is not allowed for sub-calls; none was sent. Leave model= out (the sub-model), or use one of: ${allowed} (the user can allow others with --allow-models).`;
			return {ok: false, error, notice: `A sub-call asked for model ${shownName(request.model)}, which is not allowed (--allow-models lists the others a run may use).`};
		}
	}
	const oversized = new Map<number, number>();
	let total = 0;
	prompts.forEach((prompt, index) => {
		// A UTF-8 byte is at least a third of a UTF-16 unit: most prompts need no count at all.
		const bytes = prompt.length * 3 <= options.maxPromptBytes ? prompt.length : Buffer.byteLength(prompt, 'utf8');
		if (bytes > options.maxPromptBytes) oversized.set(index, Buffer.byteLength(prompt, 'utf8'));
		else total += bytes;
	});
	const maxTotal = Math.max(MAX_REQUEST_BYTES, options.maxPromptBytes);
	if (total > maxTotal) {
		const error = `Error: ${fn} refused: its prompts hold about ${count(total)} bytes together, over the ${count(maxTotal)}-byte limit of one call; none was sent. Filter with code first, or use several calls.`;
		return {ok: false, error, notice: `A ${fn} of about ${count(total)} bytes was refused (at most ${count(maxTotal)} per call).`};
	}
	return {ok: true, model, oversized};
}
