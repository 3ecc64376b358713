// A model's real context window, asked of the server that runs it. Each local server tells it its
// own way (shapes from their docs and code):
// - vLLM: `max_model_len` on each model of GET /v1/models.
// - Ollama: POST /api/show gives the trained length (`model_info["<arch>.context_length"]`) and a
//   Modelfile's `num_ctx` (`parameters`); GET /api/ps gives `context_length` of a loaded model, which
//   is what it really holds (OLLAMA_CONTEXT_LENGTH or its default otherwise). A prompt past it is cut
//   silently, so this is the figure that matters.
// - llama.cpp server: GET /props -> `default_generation_settings.n_ctx` (per slot).
// - LM Studio: GET /api/v1/models -> `loaded_instances[].config.context_length` of a loaded model.
// - Routers and hosted APIs: `context_length` / `context_window` on /v1/models (OpenRouter, Groq).

export const SERVER_FLAVORS = ['ollama', 'vllm', 'lmstudio', 'llamacpp'] as const;
export type ServerFlavor = (typeof SERVER_FLAVORS)[number];

/** The server a backend name stands for: the local presets are named after their server. */
export function flavorOfName(name: string): ServerFlavor | undefined {
	return (SERVER_FLAVORS as readonly string[]).includes(name) ? (name as ServerFlavor) : undefined;
}

/** A context window in tokens, and where the figure came from (for messages). */
export interface ContextWindow {
	tokens: number;
	source: string;
}

/** What a probe learned: the window when the server says what it holds now, and the server's kind. */
export interface ProbeResult {
	window?: ContextWindow;
	server?: ServerFlavor;
}

/** GETs or POSTs JSON; rejects on any failure (status, network, time). */
export type JsonRequest = (method: 'get' | 'post', url: string, body?: Record<string, unknown>) => Promise<unknown>;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const positive = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : undefined);
const quietly = <T>(promise: Promise<T>): Promise<T | undefined> => promise.catch(() => undefined);

/** The server's root: the base URL without its trailing /v1 (where Ollama's and LM Studio's own APIs live). */
export function serverOrigin(baseURL: string): string {
	return baseURL.replace(/\/+$/, '').replace(/\/v1$/, '');
}

async function fromModelList(request: JsonRequest, baseURL: string, model: string): Promise<ProbeResult | undefined> {
	const list = await quietly(request('get', `${baseURL}/models`));
	const data: unknown[] = isRecord(list) && Array.isArray(list['data']) ? list['data'] : [];
	const entry = data.find((item) => isRecord(item) && item['id'] === model);
	if (!isRecord(entry)) return undefined;
	const vllm = positive(entry['max_model_len']);
	if (vllm) return {window: {tokens: vllm, source: 'vLLM max_model_len'}, server: 'vllm'};
	const hosted = positive(entry['context_length']) ?? positive(entry['context_window']);
	if (hosted) return {window: {tokens: hosted, source: 'the server’s model list'}};
	return undefined;
}

function ollamaNamed(entry: Record<string, unknown>, model: string): boolean {
	const names = [entry['name'], entry['model']].filter((name): name is string => typeof name === 'string');
	return names.some((name) => name === model || name === `${model}:latest`);
}

async function fromOllama(request: JsonRequest, origin: string, model: string): Promise<ProbeResult | undefined> {
	const show = await quietly(request('post', `${origin}/api/show`, {model}));
	if (!isRecord(show) || !isRecord(show['model_info'])) return undefined;
	const info = show['model_info'];
	const trained = Object.entries(info)
		.filter(([key]) => key.endsWith('.context_length'))
		.map(([, value]) => positive(value))
		.find((value) => value !== undefined);
	const numCtx = positive(Number(/(?:^|\n)\s*num_ctx\s+(\d+)/.exec(typeof show['parameters'] === 'string' ? show['parameters'] : '')?.[1]));
	const cap = (tokens: number) => (trained ? Math.min(tokens, trained) : tokens);
	if (numCtx) return {window: {tokens: cap(numCtx), source: 'Ollama num_ctx'}, server: 'ollama'};
	const ps = await quietly(request('get', `${origin}/api/ps`));
	const running = isRecord(ps) && Array.isArray(ps['models']) ? (ps['models'] as unknown[]).find((item) => isRecord(item) && ollamaNamed(item, model)) : undefined;
	const loaded = isRecord(running) ? positive(running['context_length']) : undefined;
	if (loaded) return {window: {tokens: cap(loaded), source: 'the context Ollama loaded it with'}, server: 'ollama'};
	// Not loaded yet: what it will hold depends on the server's settings; ask again once it is.
	return {server: 'ollama'};
}

async function fromLlamaCpp(request: JsonRequest, origin: string): Promise<ProbeResult | undefined> {
	const props = await quietly(request('get', `${origin}/props`));
	const settings = isRecord(props) ? props['default_generation_settings'] : undefined;
	const nCtx = isRecord(settings) ? positive(settings['n_ctx']) : undefined;
	return nCtx ? {window: {tokens: nCtx, source: 'llama.cpp n_ctx'}, server: 'llamacpp'} : undefined;
}

async function fromLmStudio(request: JsonRequest, origin: string, model: string): Promise<ProbeResult | undefined> {
	const list = await quietly(request('get', `${origin}/api/v1/models`));
	const models = isRecord(list) && Array.isArray(list['models']) ? (list['models'] as unknown[]) : undefined;
	if (!models) return undefined;
	const entry = models.find((item) => isRecord(item) && item['key'] === model);
	const instances = isRecord(entry) && Array.isArray(entry['loaded_instances']) ? entry['loaded_instances'] : [];
	const loaded = instances
		.map((instance) => (isRecord(instance) && isRecord(instance['config']) ? positive(instance['config']['context_length']) : undefined))
		.filter((value): value is number => value !== undefined);
	if (loaded.length > 0) return {window: {tokens: Math.min(...loaded), source: 'the context LM Studio loaded it with'}, server: 'lmstudio'};
	return {server: 'lmstudio'};
}

/**
 * Asks the server at `baseURL` for `model`'s window: the probes for `server` when its kind is known
 * (a preset, or an earlier answer), else all of them at once, the first in this order that answers
 * winning (a run waits on this before its first request: one round trip, not four, on a server
 * that answers none). Never rejects: what cannot be learned is left out.
 */
export async function probeWindow(request: JsonRequest, baseURL: string, model: string, server?: ServerFlavor): Promise<ProbeResult> {
	const origin = serverOrigin(baseURL);
	const probes: Record<ServerFlavor | 'list', () => Promise<ProbeResult | undefined>> = {
		list: () => fromModelList(request, baseURL, model),
		ollama: () => fromOllama(request, origin, model),
		vllm: () => fromModelList(request, baseURL, model),
		llamacpp: () => fromLlamaCpp(request, origin),
		lmstudio: () => fromLmStudio(request, origin, model),
	};
	const order: Array<keyof typeof probes> = server ? [server] : ['list', 'ollama', 'llamacpp', 'lmstudio'];
	const answers = order.map((name) => quietly(probes[name]()));
	for (const answer of answers) {
		const found = await answer;
		if (found?.window || found?.server) return found;
	}
	return {};
}

/** How to give a model a larger window on each server, for warnings. */
export function windowAdviceFor(server: ServerFlavor, model: string): string {
	switch (server) {
		case 'ollama':
			return `Give Ollama a larger window: restart it with OLLAMA_CONTEXT_LENGTH=32768 ollama serve, or set PARAMETER num_ctx 32768 in a Modelfile (ollama create NAME -f Modelfile), or send smaller prompts.`;
		case 'vllm':
			return `Start vLLM with a larger --max-model-len, or send smaller prompts.`;
		case 'lmstudio':
			return `Load ${model} in LM Studio with a larger context length (lms load ${model} --context-length 32768), or send smaller prompts.`;
		case 'llamacpp':
			return `Start llama-server with a larger -c (context size; with -np N it is shared by N slots), or send smaller prompts.`;
	}
}
