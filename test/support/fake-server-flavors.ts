// How the common local servers tell their context window, and what each does with a prompt longer
// than it, for the fake LLM server. Shapes from their own docs and code:
// - Ollama: POST /api/show -> `model_info["<arch>.context_length"]` (trained) and `parameters`
//   ("num_ctx N" from a Modelfile); GET /api/ps -> loaded models with `context_length`. A prompt over
//   the loaded window is cut silently to num_ctx/2 + 2 tokens, and that is what it reports
//   (ollama/ollama#17427). Without num_ctx or OLLAMA_CONTEXT_LENGTH it loads 4096 tokens.
// - vLLM: GET /v1/models -> `max_model_len`; a longer prompt is a 400.
// - LM Studio: GET /api/v1/models -> models[{key, max_context_length, loaded_instances[{config:
//   {context_length}}]}]; GET /api/v0/models/{id} -> max_context_length.
// - llama.cpp server: GET /props -> default_generation_settings.n_ctx (per slot); /v1/models ->
//   data[].meta.n_ctx_train; a longer prompt is a 400 `exceed_context_size_error`.
import type {ChatMessage} from '../../source/backends/types.js';

export type ServerFlavor = 'ollama' | 'vllm' | 'lmstudio' | 'llamacpp';

export interface FakeModelWindow {
	/** The context length the model was trained for. */
	trained?: number;
	/** Ollama: `PARAMETER num_ctx` of the model's Modelfile. */
	numCtx?: number;
	/** The context the server runs the model with (Ollama OLLAMA_CONTEXT_LENGTH, vLLM --max-model-len,
	 * LM Studio's loaded context, llama.cpp -c). */
	loaded?: number;
}

/** Ollama's load-time default without num_ctx or OLLAMA_CONTEXT_LENGTH (0.6 to 0.11). */
export const OLLAMA_DEFAULT_CONTEXT = 4096;
const TRAINED_DEFAULT = 131_072;

export function effectiveWindow(flavor: ServerFlavor, window: FakeModelWindow | undefined): number {
	if (flavor === 'ollama') return window?.numCtx ?? window?.loaded ?? OLLAMA_DEFAULT_CONTEXT;
	return window?.loaded ?? window?.trained ?? TRAINED_DEFAULT;
}

export const tokensOf = (messages: ChatMessage[]) => Math.ceil(messages.reduce((sum, m) => sum + m.content.length, 0) / 4);

/** Ollama's silent truncation: the tail of the prompt that fits num_ctx/2 + 2 tokens. */
export function ollamaTruncate(messages: ChatMessage[], window: number): {messages: ChatMessage[]; kept: number} {
	const kept = Math.floor(window / 2) + 2;
	let budget = kept * 4;
	const out: ChatMessage[] = [];
	for (const message of [...messages].reverse()) {
		if (budget <= 0) break;
		const content = message.content.length <= budget ? message.content : message.content.slice(message.content.length - budget);
		budget -= content.length;
		out.unshift({...message, content});
	}
	return {messages: out, kept};
}

/** The 400 body a server that refuses an over-long prompt sends. */
export function overflowBody(flavor: ServerFlavor, window: number, tokens: number): unknown {
	if (flavor === 'llamacpp') {
		return {error: {code: 400, message: 'the request exceeds the available context size, try increasing it', type: 'exceed_context_size_error', n_prompt_tokens: tokens, n_ctx: window}};
	}
	if (flavor === 'lmstudio') {
		return {error: `The number of tokens to keep from the initial prompt is greater than the context length (n_keep: ${tokens} >= n_ctx: ${window}). Try to load the model with a larger context length, or provide a shorter input.`};
	}
	return {
		object: 'error',
		message: `This model's maximum context length is ${window} tokens. However, you requested ${tokens} tokens in the messages. Please reduce the length of the messages.`,
		type: 'BadRequestError',
		param: null,
		code: 400,
	};
}

/** Extra fields of a model in GET /v1/models. */
export function modelListFields(flavor: ServerFlavor | undefined, window: FakeModelWindow | undefined): Record<string, unknown> {
	if (flavor === 'vllm') return {owned_by: 'vllm', max_model_len: effectiveWindow('vllm', window)};
	if (flavor === 'llamacpp') return {owned_by: 'llamacpp', meta: {n_ctx_train: window?.trained ?? TRAINED_DEFAULT, n_vocab: 151_936}};
	if (flavor === 'ollama') return {owned_by: 'library'};
	return {};
}

/**
 * The flavor's own endpoints (not the OpenAI-compatible ones). Returns [status, body] or undefined
 * when the path is not one of them.
 */
export function flavorEndpoint(
	flavor: ServerFlavor,
	method: string,
	path: string,
	body: Record<string, unknown>,
	models: string[],
	windows: Record<string, FakeModelWindow>,
	loaded: ReadonlySet<string>,
): [number, unknown] | undefined {
	if (flavor === 'ollama') {
		if (method === 'GET' && path === '/') return [200, 'Ollama is running'];
		if (method === 'GET' && path === '/api/version') return [200, {version: '0.11.4'}];
		if (method === 'POST' && path === '/api/show') {
			const named = body['model'] ?? body['name'];
			const name = typeof named === 'string' ? named : '';
			if (!models.includes(name)) return [404, {error: `model '${name}' not found`}];
			const window = windows[name];
			return [
				200,
				{
					modelfile: `FROM ${name}\n${window?.numCtx ? `PARAMETER num_ctx ${window.numCtx}\n` : ''}`,
					parameters: [window?.numCtx ? `num_ctx                        ${window.numCtx}` : '', 'stop                           "<|im_end|>"'].filter(Boolean).join('\n'),
					template: '{{ .Prompt }}',
					details: {parent_model: '', format: 'gguf', family: 'qwen2', families: ['qwen2'], parameter_size: '7.6B', quantization_level: 'Q4_K_M'},
					model_info: {'general.architecture': 'qwen2', 'general.parameter_count': 7_615_616_512, 'qwen2.context_length': window?.trained ?? TRAINED_DEFAULT},
					capabilities: ['completion'],
				},
			];
		}
		if (method === 'GET' && path === '/api/ps') {
			return [
				200,
				{
					models: [...loaded].map((name) => ({
						name,
						model: name,
						size: 6_000_000_000,
						digest: 'fake',
						details: {format: 'gguf', family: 'qwen2'},
						expires_at: new Date(Date.now() + 300_000).toISOString(),
						size_vram: 6_000_000_000,
						context_length: effectiveWindow('ollama', windows[name]),
					})),
				},
			];
		}
	}
	if (flavor === 'lmstudio') {
		if (method === 'GET' && path === '/api/v1/models') {
			return [
				200,
				{
					models: models.map((key) => {
						const window = windows[key];
						return {
							type: 'llm',
							publisher: 'lmstudio-community',
							key,
							display_name: key,
							max_context_length: window?.trained ?? TRAINED_DEFAULT,
							loaded_instances: window?.loaded ? [{id: key, config: {context_length: window.loaded}}] : [],
						};
					}),
				},
			];
		}
		const one = /^\/api\/v0\/models\/(.+)$/.exec(path);
		if (method === 'GET' && one) {
			const id = decodeURIComponent(one[1]!);
			if (!models.includes(id)) return [404, {error: `Model ${id} not found`}];
			return [200, {id, object: 'model', type: 'llm', state: windows[id]?.loaded ? 'loaded' : 'not-loaded', max_context_length: windows[id]?.trained ?? TRAINED_DEFAULT}];
		}
	}
	if (flavor === 'llamacpp' && method === 'GET' && path === '/props') {
		const first = models[0] ?? '';
		return [200, {default_generation_settings: {n_ctx: effectiveWindow('llamacpp', windows[first]), params: {}}, total_slots: 1, model_path: `/models/${first}.gguf`}];
	}
	return undefined;
}
