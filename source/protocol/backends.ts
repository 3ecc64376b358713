// The backends a user can name, in one place: the three kinds (OpenAI-compatible, Anthropic, the
// offline demo) and named presets for common hosts, each with its base URL and the environment
// variable its key usually lives in; and the rule for where a request goes when the user named
// no URL. A leaf: imports no one. Settings, the backends, the CLI and the TUI all read this list.

export const BACKEND_KINDS = ['openai', 'anthropic', 'demo'] as const;
export type BackendKind = (typeof BACKEND_KINDS)[number];

export interface BackendPreset {
	/** What the user types: `-b NAME`, `/backend NAME`. */
	readonly name: string;
	readonly kind: 'openai' | 'anthropic';
	/** For messages ("Cannot reach Groq at ..."). */
	readonly label: string;
	readonly baseURL: string;
	/** The environment variable its key usually lives in. */
	readonly keyEnv: string;
	/** A hosted service that refuses requests without a key. */
	readonly needsKey: boolean;
	/** The model used when none is chosen; absent: the first model the server lists. */
	readonly model?: string;
	/** The command that starts it, for a local server that cannot be reached. */
	readonly start?: string;
}

/** Base URLs and key variables from each host's documentation. */
export const BACKEND_PRESETS = [
	{name: 'ollama', kind: 'openai', label: 'Ollama', baseURL: 'http://localhost:11434/v1', keyEnv: 'OLLAMA_API_KEY', needsKey: false, model: 'cogito:14b', start: '`ollama serve`'},
	{name: 'lmstudio', kind: 'openai', label: 'LM Studio', baseURL: 'http://localhost:1234/v1', keyEnv: 'LM_API_TOKEN', needsKey: false, start: '`lms server start`'},
	{name: 'llamacpp', kind: 'openai', label: 'the llama.cpp server', baseURL: 'http://localhost:8080/v1', keyEnv: 'LLAMA_API_KEY', needsKey: false, start: '`llama-server -m MODEL.gguf`'},
	{name: 'vllm', kind: 'openai', label: 'vLLM', baseURL: 'http://localhost:8000/v1', keyEnv: 'VLLM_API_KEY', needsKey: false, start: '`vllm serve MODEL`'},
	{name: 'openrouter', kind: 'openai', label: 'OpenRouter', baseURL: 'https://openrouter.ai/api/v1', keyEnv: 'OPENROUTER_API_KEY', needsKey: true, model: 'openai/gpt-5-mini'},
	{name: 'groq', kind: 'openai', label: 'Groq', baseURL: 'https://api.groq.com/openai/v1', keyEnv: 'GROQ_API_KEY', needsKey: true, model: 'llama-3.3-70b-versatile'},
	{name: 'deepseek', kind: 'openai', label: 'DeepSeek', baseURL: 'https://api.deepseek.com/v1', keyEnv: 'DEEPSEEK_API_KEY', needsKey: true, model: 'deepseek-chat'},
	{name: 'gemini', kind: 'openai', label: "Gemini's OpenAI endpoint", baseURL: 'https://generativelanguage.googleapis.com/v1beta/openai', keyEnv: 'GEMINI_API_KEY', needsKey: true, model: 'gemini-2.5-flash'},
	{name: 'mistral', kind: 'openai', label: 'Mistral', baseURL: 'https://api.mistral.ai/v1', keyEnv: 'MISTRAL_API_KEY', needsKey: true, model: 'mistral-medium-latest'},
] as const satisfies readonly BackendPreset[];

export type PresetName = (typeof BACKEND_PRESETS)[number]['name'];
export type BackendName = BackendKind | PresetName;

/** Every name a user can give a backend: the kinds first, then the presets. */
export const BACKEND_NAMES: readonly BackendName[] = [...BACKEND_KINDS, ...BACKEND_PRESETS.map((preset) => preset.name)];

export const DEFAULT_OPENAI_BASE_URL = 'http://localhost:11434/v1';
export const OPENAI_API_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_ANTHROPIC_BASE_URL = 'https://api.anthropic.com';

/** Models used when none is chosen, per kind. */
export const DEFAULT_KIND_MODELS: Readonly<Record<BackendKind, string>> = {openai: 'cogito:14b', anthropic: 'claude-sonnet-5-5', demo: 'demo'};

export function isBackendName(value: string): value is BackendName {
	return (BACKEND_NAMES as readonly string[]).includes(value);
}

export function presetOf(name: string): BackendPreset | undefined {
	return (BACKEND_PRESETS as readonly BackendPreset[]).find((preset) => preset.name === name);
}

/** The kind of server a backend name talks to. */
export function kindOf(name: BackendName): BackendKind {
	return presetOf(name)?.kind ?? (name as BackendKind);
}

/** The model a backend uses when none is chosen; '' means the first model the server lists. */
export function defaultModelOf(name: BackendName): string {
	const preset = presetOf(name);
	if (preset) return preset.model ?? '';
	return DEFAULT_KIND_MODELS[name as BackendKind];
}

/** A model OpenAI itself serves (GPT-*, o-series, ChatGPT), not an open-weight model of the same
 * family on a local server (gpt-oss, or any Ollama name:tag). */
export function isOpenAIModel(model: string): boolean {
	const id = model.trim().toLowerCase();
	return !id.includes(':') && !id.includes('/') && /^(gpt-(?!oss)[\w.-]+|o[1-9](-[\w.-]+)?|chatgpt-[\w.-]+|codex-[\w.-]+)$/.test(id);
}

/** An Anthropic model id as Anthropic names it (a router's `anthropic/claude-…` is the router's). */
export const isClaudeModel = (model: string): boolean => /^claude-/i.test(model.trim());

/** Azure OpenAI hosts: they take the key as an `api-key` header and most URLs an `api-version`. */
export function isAzureURL(url: string): boolean {
	try {
		return /\.(openai\.azure\.com|cognitiveservices\.azure\.com|services\.ai\.azure\.com)$/i.test(new URL(url).hostname);
	} catch {
		return false;
	}
}

type Env = Readonly<Record<string, string | undefined>>;

const nonEmpty = (value: string | undefined): string | undefined => (value?.trim() ? value.trim() : undefined);

/** Ollama's client address from OLLAMA_HOST ("0.0.0.0:11434", "myhost", "https://host:port"),
 * as an OpenAI-compatible base URL; a bind-all address means this machine. */
export function ollamaBaseURL(host: string): string {
	const match = /^(?:([a-z][a-z0-9+.-]*):\/\/)?([^/]*)/i.exec(host.trim());
	const scheme = (match?.[1] ?? 'http').toLowerCase();
	const authority = match?.[2] ?? '';
	try {
		const url = new URL(`${scheme}://${authority}`);
		if (url.hostname === '0.0.0.0' || url.hostname === '[::]') url.hostname = '127.0.0.1';
		if (!/:\d+$/.test(authority) && scheme === 'http') url.port = '11434';
		return `${url.origin}/v1`;
	} catch {
		return DEFAULT_OPENAI_BASE_URL;
	}
}

/**
 * Where a backend's requests go when the user named no URL, from the environment. For `openai`:
 * OPENAI_BASE_URL; else OpenAI itself when OPENAI_API_KEY is set and the model is one OpenAI
 * serves; else Ollama at OLLAMA_HOST or localhost:11434. For `ollama`: OLLAMA_HOST or
 * localhost:11434. For `anthropic`: ANTHROPIC_BASE_URL or api.anthropic.com. A preset: its URL.
 */
export function defaultBaseURL(name: BackendName, env: Env, model?: string): string | undefined {
	const ollama = nonEmpty(env['OLLAMA_HOST']);
	switch (name) {
		case 'demo':
			return undefined;
		case 'anthropic':
			return nonEmpty(env['ANTHROPIC_BASE_URL']) ?? DEFAULT_ANTHROPIC_BASE_URL;
		case 'openai': {
			const url = nonEmpty(env['OPENAI_BASE_URL']);
			if (url) return url;
			if (nonEmpty(env['OPENAI_API_KEY']) && model !== undefined && isOpenAIModel(model)) return OPENAI_API_BASE_URL;
			return ollama ? ollamaBaseURL(ollama) : DEFAULT_OPENAI_BASE_URL;
		}
		case 'ollama':
			return ollama ? ollamaBaseURL(ollama) : DEFAULT_OPENAI_BASE_URL;
		default:
			return presetOf(name)!.baseURL;
	}
}

/** The environment variable a backend's key is read from (Azure URLs: AZURE_OPENAI_API_KEY first). */
export function keyEnvOf(name: BackendName, baseURL?: string): string {
	if (name === 'openai' && baseURL !== undefined && isAzureURL(baseURL)) return 'AZURE_OPENAI_API_KEY';
	if (name === 'anthropic') return 'ANTHROPIC_API_KEY';
	return presetOf(name)?.keyEnv ?? 'OPENAI_API_KEY';
}

/** The key for a backend from the environment (a preset's own variable only: OpenAI's key is never
 * sent to another host's preset). */
export function defaultApiKey(name: BackendName, env: Env, baseURL?: string): string | undefined {
	if (name === 'demo') return undefined;
	const own = nonEmpty(env[keyEnvOf(name, baseURL)]);
	if (own) return own;
	if (name === 'openai') return nonEmpty(env['OPENAI_API_KEY']);
	return undefined;
}

/**
 * The backend to use when the user chose none (no -b, no RLM_BACKEND, none saved): a URL means
 * OpenAI-compatible (-u is for those; Anthropic-compatible proxies take -b anthropic); a Claude
 * model means Anthropic; any other model means OpenAI-compatible; with no model and no URL,
 * Anthropic when only Anthropic is configured (ANTHROPIC_API_KEY, ANTHROPIC_AUTH_TOKEN or
 * ANTHROPIC_BASE_URL set, and neither OPENAI_API_KEY, OPENAI_BASE_URL nor OLLAMA_HOST); else
 * OpenAI-compatible (local Ollama unless the environment says otherwise).
 */
export function inferBackend(options: {model?: string; url?: string}, env: Env): BackendName {
	if (options.url !== undefined) return 'openai';
	if (options.model !== undefined) return isClaudeModel(options.model) ? 'anthropic' : 'openai';
	const anthropic = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'ANTHROPIC_BASE_URL'].some((name) => nonEmpty(env[name]));
	const openai = ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'OLLAMA_HOST'].some((name) => nonEmpty(env[name]));
	return anthropic && !openai ? 'anthropic' : 'openai';
}
