// Which optional request parameters a model takes. Known families are handled up front on every
// host (the same models are served by OpenAI, Azure, OpenRouter and other gateways under other
// hostnames); for the rest, a 400 that names a parameter is learned from, per base URL and model.

export {DEFAULT_TEMPERATURE} from '../protocol/defaults.js';

/**
 * OpenAI's reasoning families (GPT-5 and the o-series, also behind a router's `openai/` prefix):
 * they reject `temperature` other than 1 (400 `unsupported_value`) and `max_tokens` (400
 * `unsupported_parameter`: "Use 'max_completion_tokens' instead"), per OpenAI's API reference and
 * the error bodies users report.
 */
export function isReasoningFamily(model: string): boolean {
	const id = model.trim().toLowerCase().split('/').at(-1) ?? '';
	return /^(gpt-5|o[1-9])([-.:_]|$)/.test(id);
}

/** Optional parameters this client sends and can do without (or rename). */
export const OPTIONAL_PARAMS = ['temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'stream_options'] as const;
export type OptionalParam = (typeof OPTIONAL_PARAMS)[number];

/** The two names of the output-token limit: a server that refuses one usually takes the other. */
const ALTERNATIVES: Partial<Record<OptionalParam, OptionalParam>> = {
	max_tokens: 'max_completion_tokens',
	max_completion_tokens: 'max_tokens',
};

/** Keys inside a parameter that a refusal may name instead of it: AWS Bedrock fronts refuse
 * `stream_options` as "extraneous key [include_usage] is not permitted" (BerriAI/litellm#9916). */
const NESTED_NAMES: Partial<Record<OptionalParam, readonly string[]>> = {
	stream_options: ['include_usage'],
};

/** What was learned about one base URL and model: parameters to leave out, and renamed ones. */
interface Learned {
	drop: Set<OptionalParam>;
	rename: Map<OptionalParam, OptionalParam>;
	/** The model takes no `system` role: system messages go as user messages. */
	systemAsUser: boolean;
	/** The server refuses to stream this model: replies are asked for whole. */
	noStream: boolean;
}

/** What a request may change beside its optional parameters. */
export type Restriction = 'systemAsUser' | 'noStream';

/** What a rejection asks for: leave `param` out, or send it as `replacement`. */
export interface Adjustment {
	param: OptionalParam;
	replacement?: OptionalParam;
}

/** The memory's key for a base URL and model. */
const keyOf = (baseURL: string, model: string) => `${baseURL}\n${model}`;

/**
 * Parameters servers refused, remembered for the rest of the session (the process), per base URL and
 * model, so each refusal costs one extra request once.
 */
export class ParamMemory {
	readonly #learned = new Map<string, Learned>();

	/** What was learned about this base URL and model, if anything. */
	#found(baseURL: string, model: string): Learned | undefined {
		return this.#learned.get(keyOf(baseURL, model));
	}

	#entry(baseURL: string, model: string): Learned {
		const key = keyOf(baseURL, model);
		let entry = this.#learned.get(key);
		if (!entry) this.#learned.set(key, (entry = {drop: new Set(), rename: new Map(), systemAsUser: false, noStream: false}));
		return entry;
	}

	/** Records an adjustment; true the first time it is learned (so it is reported once). */
	learn(baseURL: string, model: string, adjustment: Adjustment): boolean {
		const entry = this.#entry(baseURL, model);
		if (adjustment.replacement !== undefined) {
			if (entry.rename.get(adjustment.param) === adjustment.replacement) return false;
			entry.rename.set(adjustment.param, adjustment.replacement);
			return true;
		}
		if (entry.drop.has(adjustment.param)) return false;
		entry.drop.add(adjustment.param);
		return true;
	}

	/** Records a restriction; true the first time it is learned. */
	restrict(baseURL: string, model: string, restriction: Restriction): boolean {
		const entry = this.#entry(baseURL, model);
		if (entry[restriction]) return false;
		entry[restriction] = true;
		return true;
	}

	/** Whether the server was found to refuse streaming for this base URL and model. */
	refusesStreaming(baseURL: string, model: string): boolean {
		return this.#found(baseURL, model)?.noStream === true;
	}

	/** `params` with what was learned applied (a copy; the input is not changed). */
	apply<T extends object>(baseURL: string, model: string, params: T): T {
		const entry = this.#found(baseURL, model);
		if (!entry) return params;
		const out = {...params} as Record<string, unknown>;
		for (const [from, to] of entry.rename) {
			if (from in out && !(to in out)) {
				out[to] = out[from];
				delete out[from];
			}
		}
		for (const param of entry.drop) delete out[param];
		if (entry.systemAsUser && Array.isArray(out['messages'])) {
			out['messages'] = (out['messages'] as unknown[]).map((message) =>
				typeof message === 'object' && message !== null && (message as {role?: unknown}).role === 'system' ? {...message, role: 'user'} : message,
			);
		}
		return out as T;
	}
}

/** The session's memory, shared by every backend of the process. */
export const sessionParamMemory = new ParamMemory();

const REFUSAL =
	/unsupported|not supported|unrecogni[sz]ed|unknown|extra (inputs|fields)|not permitted|not allowed|does not support|doesn't support|not a valid|invalid|unexpected|cannot be used|is not available/i;

/**
 * The optional parameter a 400 refuses, if it names one that was sent: from OpenAI's `param` field,
 * or from the message ("Unsupported parameter: 'max_tokens' ... Use 'max_completion_tokens'
 * instead", "Unrecognized request argument supplied: stream_options", pydantic's
 * "stream_options: Extra inputs are not permitted", ...). The output-token limit is renamed rather
 * than dropped, unless its other name was tried already.
 */
export function refusedParameter(
	said: {message: string; param?: unknown; code?: unknown},
	sent: readonly string[],
	/** Parameter names already adjusted for this request (never renamed back to). */
	tried: ReadonlySet<string> = new Set(),
): Adjustment | undefined {
	const candidates = OPTIONAL_PARAMS.filter((param) => sent.includes(param));
	if (candidates.length === 0) return undefined;
	let param: OptionalParam | undefined;
	// OpenAI names the parameter in `param` for any invalid value ("max_tokens is too large"): it
	// counts only as a refusal of the parameter itself.
	const refused = REFUSAL.test(said.message) || /unsupported/i.test(typeof said.code === 'string' ? said.code : '');
	if (!refused) return undefined;
	// `param` may name a key inside the parameter ("stream_options.include_usage").
	const paramField = typeof said.param === 'string' ? said.param.split(/[.[]/)[0] : undefined;
	if (paramField !== undefined) param = candidates.find((candidate) => candidate === paramField);
	if (param === undefined) {
		// The first sent parameter the message names, or a key inside it (as a word: max_tokens is not
		// inside max_completion_tokens).
		let earliest = Infinity;
		for (const candidate of candidates) {
			for (const name of [candidate, ...(NESTED_NAMES[candidate] ?? [])]) {
				const at = said.message.search(new RegExp(`(^|[^A-Za-z0-9_])${name}([^A-Za-z0-9_]|$)`));
				if (at >= 0 && at < earliest) {
					earliest = at;
					param = candidate;
				}
			}
		}
	}
	if (param === undefined) return undefined;
	const named = /use [`'"]?([a-z_]+)[`'"]? instead/i.exec(said.message)?.[1];
	const replacement =
		named && named !== param && (OPTIONAL_PARAMS as readonly string[]).includes(named) ? (named as OptionalParam) : ALTERNATIVES[param];
	if (replacement !== undefined && !sent.includes(replacement) && !tried.has(replacement)) return {param, replacement};
	return {param};
}

/**
 * Whether a 400 refuses streaming itself: OpenAI's "Your organization must be verified to stream
 * this model" for o3 and GPT-5 on unverified organizations (`param: "stream"`, code
 * `unsupported_value`: continuedev/continue#8209, charmbracelet/crush#1216), and the o1 family's
 * early "Unsupported value: 'stream' does not support true with this model" (Azure too).
 */
export function refusesStreaming(said: {message: string; param?: unknown}): boolean {
	if (said.param === 'stream') return true;
	return /verified to stream|'stream' does not support true|streaming is not supported/i.test(said.message);
}

/**
 * Whether a 400 refuses the `system` role: o1-mini and o1-preview (on OpenAI and Azure deployments)
 * answer "Unsupported value: 'messages[0].role' does not support 'system' with this model."
 * (`param: "messages[0].role"`, code `unsupported_value`: OpenHands/OpenHands#4839,
 * browser-use/web-ui#372).
 */
export function refusesSystemRole(said: {message: string; param?: unknown}): boolean {
	return /does not support 'system'|system (role|messages?) (is|are) not supported/i.test(said.message) &&
		(said.param === undefined || said.param === null || (typeof said.param === 'string' && /^messages\[\d+\]\.role$/.test(said.param)));
}

/** The notice for a learned adjustment, e.g. "gpt-5 at https://… does not take temperature: sent without it". */
export function adjustmentNotice(model: string, baseURL: string, adjustment: Adjustment): string {
	const change = adjustment.replacement ? `sent ${adjustment.replacement} instead` : 'sent without it';
	return `${model} at ${baseURL} does not take ${adjustment.param}: ${change} for the rest of this session.`;
}

/** The notice for a learned restriction. */
export function restrictionNotice(model: string, baseURL: string, restriction: Restriction, said: string): string {
	if (restriction === 'systemAsUser') return `${model} at ${baseURL} does not take a system message: the instructions go as a user message for the rest of this session.`;
	return `${model} at ${baseURL} does not stream for this key (${said.replace(/\.$/, '')}): replies arrive whole, with no live text, for the rest of this session.`;
}
