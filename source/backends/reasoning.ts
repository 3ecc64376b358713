// Separating a model's thinking from its answer, for every shape servers send it in, in one place
// that every backend's stream goes through (the engine's callModel; `complete()` uses the same
// splitter on the whole text):
// - `reasoning` chunks (the backends read `reasoning_content` / `reasoning` delta fields and
//   Anthropic thinking blocks into them) pass through;
// - `<think>…</think>` (or `<thinking>…</thinking>`) at the start of the text becomes reasoning,
//   also when the tags arrive split across deltas; Qwen3's empty `<think>\n\n</think>` leaves nothing;
// - a text that holds only the closing `</think>` (the chat template put the opening tag in the
//   prompt): everything before it is reasoning. That text has already streamed as answer text when
//   the tag arrives, so a `retract` piece says so and the consumer moves it.

import type {StreamChunk} from './types.js';

/** What the splitter hands on: StreamChunks, plus `retract` (the `text` streamed so far as answer
 * text was the model's thinking: move it to the reasoning). */
export type SplitChunk = StreamChunk | {type: 'retract'; text: string} | {type: 'reasoning'; text: string; inText: true};

type Piece = {type: 'text' | 'reasoning'; text: string} | {type: 'retract'; text: string};

const OPEN_TAGS = ['<think>', '<thinking>'] as const;
/** A line that opens or closes a code fence. */
const FENCE_LINE = /^\s{0,3}(```|~~~)/;
/** Characters of a line that decide whether it is a fence (indent, then the fence itself). */
const LINE_HEAD_CHARS = 16;
const CLOSE_ONLY = '</think>';

/** Length of the longest suffix of `text` that is a proper prefix of `tag`. */
function partialSuffix(text: string, tag: string): number {
	for (let n = Math.min(tag.length - 1, text.length); n > 0; n--) {
		if (text.endsWith(tag.slice(0, n))) return n;
	}
	return 0;
}

/** Splits streamed answer text into answer and reasoning (see the module comment). */
export class ThinkSplitter {
	#mode: 'start' | 'thinking' | 'undecided' | 'answer' = 'start';
	#pending = '';
	#close = CLOSE_ONLY;
	/** Answer text handed on while undecided (what a retract moves). */
	#streamed = '';
	/** Code fences opened and not closed in #streamed (a `</think>` inside code is code). */
	#openFence = false;
	/** The start of #streamed's last line, enough to tell a fence (a long line is not kept whole:
	 * re-reading it on every delta made a 600 KB single-line reply take 19 s). */
	#lineHead = '';
	/** Whether #streamed holds `<think>`, and its last characters (a tag split across deltas). */
	#thinkSeen = false;
	#tail = '';
	/** Just past a closing tag: the answer's leading blank lines are dropped. */
	#trimStart = false;

	push(delta: string): Piece[] {
		const out: Piece[] = [];
		this.#feed(delta, false, out);
		return out;
	}

	/** The stream ended: flushes what was held back. */
	end(): Piece[] {
		const out: Piece[] = [];
		this.#feed('', true, out);
		return out;
	}

	#feed(delta: string, final: boolean, out: Piece[]): void {
		let buffer = this.#pending + delta;
		this.#pending = '';
		for (;;) {
			switch (this.#mode) {
				case 'start': {
					const lead = buffer.trimStart();
					const open = OPEN_TAGS.find((tag) => lead.startsWith(tag));
					if (open) {
						this.#mode = 'thinking';
						this.#close = `</${open.slice(1)}`;
						buffer = lead.slice(open.length);
						continue;
					}
					if (!final && (lead === '' || OPEN_TAGS.some((tag) => tag.startsWith(lead)))) {
						this.#pending = buffer;
						return;
					}
					this.#mode = 'undecided';
					continue;
				}
				case 'thinking': {
					const at = buffer.indexOf(this.#close);
					if (at >= 0) {
						if (at > 0) out.push({type: 'reasoning', text: buffer.slice(0, at)});
						this.#mode = 'answer';
						this.#trimStart = true;
						buffer = buffer.slice(at + this.#close.length);
						continue;
					}
					const keep = final ? 0 : partialSuffix(buffer, this.#close);
					if (buffer.length > keep) out.push({type: 'reasoning', text: buffer.slice(0, buffer.length - keep)});
					this.#pending = buffer.slice(buffer.length - keep);
					return;
				}
				case 'undecided': {
					const at = this.#closeOnlyAt(buffer, final);
					if (at === 'wait') {
						this.#pending = buffer;
						return;
					}
					if (at >= 0) {
						const before = buffer.slice(0, at);
						if (this.#streamed) out.push({type: 'retract', text: this.#streamed});
						if (before) out.push({type: 'reasoning', text: before});
						this.#streamed = '';
						this.#mode = 'answer';
						this.#trimStart = true;
						buffer = buffer.slice(at + CLOSE_ONLY.length);
						continue;
					}
					const keep = final ? 0 : partialSuffix(buffer, CLOSE_ONLY);
					const text = buffer.slice(0, buffer.length - keep);
					if (text) {
						out.push({type: 'text', text});
						this.#track(text);
					}
					this.#pending = buffer.slice(buffer.length - keep);
					return;
				}
				case 'answer': {
					if (this.#trimStart) {
						buffer = buffer.replace(/^\s+/, '');
						if (!buffer) return;
						this.#trimStart = false;
					}
					if (buffer) out.push({type: 'text', text: buffer});
					return;
				}
			}
		}
	}

	/**
	 * Where a lone `</think>` in `buffer` closes the thinking: it stands on its own (whitespace or the
	 * text's edge on both sides), outside code fences, and no `<think>` was written before it (that
	 * would make it a mention). -1 for none; 'wait' when the tag ends the buffer and the next character
	 * decides.
	 */
	#closeOnlyAt(buffer: string, final: boolean): number | 'wait' {
		let from = 0;
		for (;;) {
			const at = buffer.indexOf(CLOSE_ONLY, from);
			if (at < 0) return -1;
			const before = at > 0 ? buffer[at - 1]! : (this.#streamed.at(-1) ?? '');
			const afterIndex = at + CLOSE_ONLY.length;
			if (afterIndex === buffer.length && !final) return 'wait';
			const after = buffer[afterIndex] ?? '';
			const standsAlone = (before === '' || /\s/.test(before)) && (after === '' || /\s/.test(after));
			if (standsAlone && !this.#fenceOpenAt(buffer.slice(0, at)) && !this.#thinkSeen && !(this.#tail + buffer.slice(0, at)).includes('<think>')) return at;
			from = at + 1;
		}
	}

	#fenceOpenAt(prefix: string): boolean {
		let open = this.#openFence;
		const lines = prefix.split('\n');
		lines[0] = this.#lineHead + lines[0]!;
		for (const line of lines.slice(0, -1)) if (FENCE_LINE.test(line)) open = !open;
		return open;
	}

	#track(text: string): void {
		this.#streamed += text;
		const seen = this.#tail + text;
		if (seen.includes('<think>')) this.#thinkSeen = true;
		this.#tail = seen.slice(-'<think>'.length);
		const lines = text.split('\n');
		lines[0] = this.#lineHead + lines[0]!;
		const last = lines.pop()!;
		for (const line of lines) if (FENCE_LINE.test(line)) this.#openFence = !this.#openFence;
		this.#lineHead = last.slice(0, LINE_HEAD_CHARS);
	}
}

/** The stream with `<think>` text moved to reasoning (see the module comment). */
/** The splitter's pieces, its reasoning marked as found in the answer text (`<think>` tags), not in
 * a reasoning channel. */
function marked(pieces: Piece[]): SplitChunk[] {
	return pieces.map((piece): SplitChunk => {
		if (piece.type === 'reasoning') return {type: 'reasoning', text: piece.text, inText: true};
		return piece.type === 'text' ? {type: 'text', text: piece.text} : {type: 'retract', text: piece.text};
	});
}

export async function* separateReasoning(stream: AsyncIterable<StreamChunk>): AsyncGenerator<SplitChunk> {
	let splitter = new ThinkSplitter();
	let flushed = false;
	let thought = false;
	for await (const chunk of stream) {
		if (chunk.type === 'text') {
			const pieces = marked(splitter.push(chunk.text));
			thought ||= pieces.some((piece) => piece.type !== 'text');
			yield* pieces;
			continue;
		}
		if (chunk.type === 'reasoning') thought = true;
		if (chunk.type === 'notice' && chunk.code === 'stream_retried') {
			// The reply starts over (withStreamRetries): what the failed try held back is flushed, and the
			// new try's text is read from its start (its own <think>); its thinking starts a new paragraph.
			yield* marked(splitter.end());
			splitter = new ThinkSplitter();
			yield chunk;
			if (thought) yield {type: 'reasoning', text: '\n\n'};
			thought = false;
			continue;
		}
		if (chunk.type === 'usage' && !flushed) {
			flushed = true;
			yield* marked(splitter.end());
		}
		yield chunk;
	}
	if (!flushed) yield* marked(splitter.end());
}

/** A whole reply's text split into answer and reasoning (for non-streamed completions). */
export function splitThinkText(text: string): {text: string; reasoning: string} {
	const splitter = new ThinkSplitter();
	let answer = '';
	let reasoning = '';
	for (const piece of [...splitter.push(text), ...splitter.end()]) {
		if (piece.type === 'text') answer += piece.text;
		else if (piece.type === 'reasoning') reasoning += piece.text;
		else {
			answer = answer.slice(piece.text.length);
			reasoning += piece.text;
		}
	}
	return {text: answer, reasoning};
}

/** The reasoning text of an OpenAI-compatible delta or message: `reasoning_content` (vLLM, DeepSeek,
 * LM Studio, SGLang) or `reasoning` (Ollama's /v1, OpenRouter, newer vLLM). The SDK's types do not
 * declare either, so they are read from the raw object; one of them, never both. */
export function reasoningField(part: unknown): string {
	if (typeof part !== 'object' || part === null) return '';
	const record = part as Record<string, unknown>;
	for (const key of ['reasoning_content', 'reasoning']) {
		const value = record[key];
		if (typeof value === 'string' && value !== '') return value;
	}
	return '';
}

/**
 * An OpenAI-compatible `content` (of a delta or a message) as answer text and reasoning: a string is
 * all text; a list of chunks, as Mistral's Magistral models send it streamed and not, holds `text`
 * chunks (`{"type": "text", "text"}`) and `thinking` chunks (`{"type": "thinking", "thinking":
 * [{"type": "text", "text"}]}`, BerriAI/litellm#16272). Anything else is nothing.
 */
export function contentParts(content: unknown): {text: string; reasoning: string} {
	if (typeof content === 'string') return {text: content, reasoning: ''};
	if (!Array.isArray(content)) return {text: '', reasoning: ''};
	let text = '';
	let reasoning = '';
	for (const chunk of content as unknown[]) {
		if (typeof chunk !== 'object' || chunk === null) continue;
		const record = chunk as Record<string, unknown>;
		if (record['type'] === 'text' && typeof record['text'] === 'string') text += record['text'];
		else if (record['type'] === 'thinking') reasoning += contentParts(record['thinking']).text;
	}
	return {text, reasoning};
}
