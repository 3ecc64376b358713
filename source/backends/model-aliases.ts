// Short model names users type, per backend. `sonnet` means Anthropic's current Sonnet on the
// anthropic backend; on an OpenAI-compatible server it means nothing and is passed on as typed.
// Targets are model ids the providers' own SDKs list (@anthropic-ai/sdk's `Model`, newest first,
// none in its DEPRECATED_MODELS; openai's `ChatModel`); each is an undated id the provider keeps
// pointed at that model's newest snapshot.
import type {BackendKind} from './types.js';

export const MODEL_ALIASES: Readonly<Record<BackendKind, Readonly<Record<string, string>>>> = {
	anthropic: {
		sonnet: 'claude-sonnet-5-5',
		opus: 'claude-opus-5-5',
		haiku: 'claude-haiku-5-5',
	},
	openai: {
		gpt5: 'gpt-5',
		'5-mini': 'gpt-5-mini',
		'5-nano': 'gpt-5-nano',
		'4o': 'gpt-4o',
		'4o-mini': 'gpt-4o-mini',
		'4.1': 'gpt-4.1',
		'4.1-mini': 'gpt-4.1-mini',
	},
	demo: {},
};

/** The model id `name` stands for on `backend` (case-insensitive), or `name` itself. */
export function resolveModelAlias(backend: BackendKind, name: string): string {
	const aliases = MODEL_ALIASES[backend] ?? {};
	const key = name.trim().toLowerCase();
	return Object.hasOwn(aliases, key) ? aliases[key]! : name;
}

/** One line per backend with aliases, e.g. `anthropic: sonnet, opus, haiku`, for help screens. */
export function aliasSummary(): string[] {
	return Object.entries(MODEL_ALIASES)
		.filter(([, aliases]) => Object.keys(aliases).length > 0)
		.map(([backend, aliases]) => `${backend}: ${Object.entries(aliases).map(([alias, id]) => (alias === id ? alias : `${alias} = ${id}`)).join(', ')}`);
}
