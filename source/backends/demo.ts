// The offline demo model: a scripted "model" that drives the whole RLM loop (REPL code,
// batched sub-calls, a final answer) on any prompt, so the app works with no server at all.
import type {Backend, ChatMessage, StreamChunk, StreamOptions} from './types.js';
import {BackendError} from './types.js';

const approxTokens = (text: string) => Math.ceil(text.length / 4);

const exploreReply = `Let me look at the context first: its type, its size and a sample.

\`\`\`repl
kind = type(context).__name__
print(kind, len(context) if hasattr(context, "__len__") else context)
print(context[:300] if isinstance(context, str) else list(context)[:10] if hasattr(context, "__iter__") else context)
\`\`\``;

const analyseReply = `Now I split the text into chunks, ask the sub-model about each chunk at once with llm_query_batched, and count words exactly in Python.

\`\`\`repl
from collections import Counter
import json
as_text = lambda value: value if isinstance(value, str) else json.dumps(value)
text = "\\n\\n".join(map(as_text, context.values())) if isinstance(context, dict) else as_text(context)
chunks = [text[i:i + 2000] for i in range(0, len(text), 2000)][:8] or [""]
notes = llm_query_batched(["Summarize in one sentence:\\n" + chunk for chunk in chunks])
words = [w.strip(".,;:!?\\"'()[]{}").lower() for w in text.split()]
# Words of four letters or more, unless the text has none ("the the the cat").
top = Counter(w for w in words if len(w) > 3).most_common(5) or Counter(w for w in words if w).most_common(5)
print(len(words), "words,", text.count("\\n") + 1, "lines,", len(chunks), "chunk(s)")
print("top words:", top)
for note in notes:
    print("-", note)
\`\`\``;

const answerReply = `I have what I need; submitting the answer from code.

\`\`\`repl
summary = "\\n".join("- " + note for note in notes)
common = ", ".join(f"{w} ({n})" for w, n in top) or "none"
llm_output(f"""**Demo answer** (the offline demo model: no real LLM was called).

Your text has **{len(words)} words** in {text.count(chr(10)) + 1} line(s). Most frequent words: {common}.

What the sub-model noted, chunk by chunk:
{summary}

Connect a real model with \`-b openai -u URL -m MODEL\` or \`-b anthropic\` (or /backend in the app).""")
\`\`\``;

function subModelReply(prompt: string): string {
	const body = prompt.replace(/^Summarize in one sentence:\n/, '').trim();
	if (!body) return 'Demo sub-model: the chunk is empty.';
	const sentence = /^[\s\S]*?[.!?](?=\s|$)/.exec(body)?.[0] ?? body;
	const clipped = sentence.length > 120 ? `${sentence.slice(0, 117)}...` : sentence;
	return `Demo sub-model: ${clipped.replace(/\s+/g, ' ')}`;
}

/** Picks the scripted reply for where the conversation stands. */
export function demoReply(messages: ChatMessage[]): string {
	const isRoot = messages.some((message) => message.role === 'system');
	const last = messages.at(-1)?.content ?? '';
	if (!isRoot) return subModelReply(last);
	if (/out of turns/i.test(last)) return 'Demo answer: the demo ran out of turns before it could finish.';
	const turn = messages.filter((message) => message.role === 'assistant').length;
	if (turn === 0) return exploreReply;
	if (turn === 1) return analyseReply;
	return answerReply;
}

const defaultDelayMs = () => {
	const fromEnv = Number(process.env.RLM_DEMO_DELAY_MS);
	return Number.isFinite(fromEnv) && fromEnv >= 0 ? fromEnv : 8;
};

export class DemoBackend implements Backend {
	readonly kind = 'demo' as const;
	readonly name = 'demo' as const;
	readonly baseURL = undefined;

	constructor(private readonly delayMs = defaultDelayMs()) {}

	async *stream(messages: ChatMessage[], options: StreamOptions): AsyncIterable<StreamChunk> {
		const text = demoReply(messages);
		const chunkSize = 12;
		for (let i = 0; i < text.length; i += chunkSize) {
			if (options.signal?.aborted) throw new BackendError('The demo model was cancelled', 'aborted');
			if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
			yield {type: 'text', text: text.slice(i, i + chunkSize)};
		}
		const input = messages.reduce((sum, message) => sum + approxTokens(message.content), 0);
		yield {type: 'usage', usage: {inputTokens: input, outputTokens: approxTokens(text)}, finishReason: 'stop'};
	}

	async listModels(): Promise<string[]> {
		return ['demo'];
	}
}
