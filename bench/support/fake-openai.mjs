// A minimal OpenAI-compatible server for the benchmarks (plain JS, so bench/ needs no compiler):
// POST /v1/chat/completions as JSON or SSE (with usage when stream_options.include_usage), and
// GET /v1/models. A responder decides each reply; `delayMs` holds the reply back, as a slow model.
import {createServer} from 'node:http';

/** @typedef {{role: string, content: string}} Message */
/** @typedef {{model: string, messages: Message[], stream: boolean, body: any}} FakeRequest */
/** @typedef {{text: string, delayMs?: number, chunkSize?: number}} FakeReply */

const contentText = (content) =>
	typeof content === 'string' ? content : Array.isArray(content) ? content.map((part) => part?.text ?? '').join('') : '';

/** Root requests carry a system prompt; sub-calls (llm_query) do not. */
export const isRoot = (request) => request.messages.some((m) => m.role === 'system' || m.role === 'developer');

/** A root reply with one ```repl block. */
export const repl = (code, before = 'Working on it.') => ({text: `${before}\n\n\`\`\`repl\n${code}\n\`\`\``});

/**
 * @param {(request: FakeRequest) => FakeReply | Promise<FakeReply>} responder
 * @returns {Promise<{url: string, baseURL: string, requests: number, setResponder(r: typeof responder): void, close(): Promise<void>}>}
 */
export async function startFakeOpenAI(responder = () => ({text: 'ok'})) {
	let respond = responder;
	let sequence = 0;
	const state = {requests: 0};
	const server = createServer((req, res) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', () => {
			handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((error) => {
				if (!res.headersSent) json(res, 500, {error: {message: String(error), type: 'server_error'}});
				else res.destroy();
			});
		});
	});
	server.keepAliveTimeout = 60_000;

	async function handle(req, res, raw) {
		const path = (req.url ?? '/').split('?')[0];
		if (req.method === 'GET' && path === '/v1/models') {
			json(res, 200, {object: 'list', data: ['m', 'sub'].map((id) => ({id, object: 'model', created: 1_700_000_000, owned_by: 'bench'}))});
			return;
		}
		if (req.method !== 'POST' || path !== '/v1/chat/completions') {
			json(res, 404, {error: {message: `Unknown request URL: ${req.method} ${path}`, type: 'invalid_request_error'}});
			return;
		}
		const body = raw ? JSON.parse(raw) : {};
		const request = {
			model: String(body.model ?? ''),
			messages: (body.messages ?? []).map((m) => ({role: m.role, content: contentText(m.content)})),
			stream: body.stream === true,
			body,
		};
		state.requests++;
		const reply = await respond(request);
		if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
		if (res.destroyed) return;
		const id = `chatcmpl-bench${++sequence}`;
		const created = Math.floor(Date.now() / 1000);
		const inputTokens = Math.ceil(request.messages.reduce((n, m) => n + m.content.length, 0) / 4);
		const outputTokens = Math.ceil(reply.text.length / 4);
		const usage = {prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens};
		if (!request.stream) {
			json(res, 200, {
				id,
				object: 'chat.completion',
				created,
				model: request.model,
				choices: [{index: 0, message: {role: 'assistant', content: reply.text, refusal: null}, logprobs: null, finish_reason: 'stop'}],
				usage,
			});
			return;
		}
		const chunk = (choices, extra = {}) =>
			`data: ${JSON.stringify({id, object: 'chat.completion.chunk', created, model: request.model, choices, ...extra})}\n\n`;
		const size = reply.chunkSize ?? 64;
		let out = chunk([{index: 0, delta: {role: 'assistant', content: ''}, logprobs: null, finish_reason: null}]);
		for (let i = 0; i < reply.text.length; i += size)
			out += chunk([{index: 0, delta: {content: reply.text.slice(i, i + size)}, logprobs: null, finish_reason: null}]);
		out += chunk([{index: 0, delta: {}, logprobs: null, finish_reason: 'stop'}]);
		if (body.stream_options?.include_usage) out += chunk([], {usage});
		out += 'data: [DONE]\n\n';
		res.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive'});
		res.end(out);
	}

	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', resolve);
	});
	const url = `http://127.0.0.1:${server.address().port}`;
	return {
		url,
		baseURL: `${url}/v1`,
		get requests() {
			return state.requests;
		},
		setResponder(next) {
			respond = next;
		},
		close() {
			return new Promise((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
		},
	};
}

function json(res, status, body) {
	const text = JSON.stringify(body);
	res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)});
	res.end(text);
}
