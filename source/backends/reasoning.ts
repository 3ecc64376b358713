// Separating a model's thinking from its answer, for every shape servers send it in, in one place
// that every backend's stream goes through (the engine's callModel; `complete()` uses the same
// splitter on the whole text):
// - `reasoning` chunks (the backends read `reasoning_content` / `reasoning` delta fields and
//   Anthropic thinking blocks into them) pass through;
// - `<think>…</think>` (or `<thinking>…</thinking>`) at the start of the text becomes reasoning,
//   also when the tags arrive split across deltas; Qwen3's empty `<think>\n\n</think>` leaves nothing;
// - a text that holds only the closing `</think>` (the chat template put the opening tag in the
//   prompt): everything before it is reasoning. That text has already streamed as answer text when
//   the tag arrives, so a `retract` piece says so and the consumer moves it. A lone `</think>` line
//   inside a code fence (one the thinking may have left open) is held back until the lines after it
//   decide (tag-in-fence.ts);
// - gpt-oss's harmony channels left in the text (harmony.ts): the final channel is the answer; with
//   its tokens stripped (`analysisWe need…assistantfinal42`), what follows the final channel's name
//   is (stripped-harmony.ts); a start that is stripped harmony only if a final channel follows
//   (`analysisMaybe:\n…`) is held back until one does or the reply ends;
// - end-of-turn tokens a server left at the end of the text (`<|im_end|>`, `<|eot_id|>`, `</s>`…) go,
//   and one that a new turn's start follows ends the reply (end-of-turn.ts).

import {EndOfTurnTokens} from './end-of-turn.js';
import {FenceLines} from './fence-lines.js';
import {harmonyOpener, HarmonySplitter} from './harmony.js';
import {strippedOpener, StrippedThinking} from './stripped-harmony.js';
import {TagInFence} from './tag-in-fence.js';
import type {StreamChunk} from './types.js';

/** What the splitter hands on: StreamChunks, plus `retract` (the `text` streamed so far as answer
 * text was the model's thinking: move it to the reasoning). */
export type SplitChunk = StreamChunk | {type: 'retract'; text: string} | {type: 'reasoning'; text: string; inText: true};

type Piece = {type: 'text' | 'reasoning'; text: string} | {type: 'retract'; text: string};

const OPEN_TAGS = ['<think>', '<thinking>'] as const;
const CLOSE_ONLY = '</think>';

/** Length of the longest suffix of `text` that is a proper prefix of `tag`. */
function partialSuffix(text: string, tag: string): number {
	for (let n = Math.min(tag.length - 1, text.length); n > 0; n--) {
		if (text.endsWith(tag.slice(0, n))) return n;
	}
	return 0;
}

/** A lone `</think>` line inside a code fence, held back until what follows tells whether it closes
 * the thinking (tag-in-fence.ts): the text from the tag on. */
interface Held {
	parts: string[];
	/** Whether anything but whitespace followed the tag on its line. */
	trailing: boolean;
	/** Once the tag's line ended: its length (from the tag, its newline included), and the reading of
	 * the lines after it. */
	tagLine: number;
	reading: TagInFence | undefined;
}

type HoldResult = {kind: 'wait'} | {kind: 'closed'; rest: string} | {kind: 'released'; again: string};

/** Splits streamed answer text into answer and reasoning (see the module comment). */
export class ThinkSplitter {
	#mode: 'start' | 'thinking' | 'undecided' | 'answer' | 'harmony' | 'stripped' | 'strippedIfFinal' = 'start';
	#pending = '';
	#close = CLOSE_ONLY;
	/** Answer text handed on while undecided (what a retract moves). */
	#streamed = '';
	/** Code fences in #streamed (a `</think>` inside code is code). */
	#lines = new FenceLines();
	#held: Held | undefined;
	/** Whether #streamed holds `<think>`, and its last characters (a tag split across deltas). */
	#thinkSeen = false;
	#tail = '';
	/** Just past a closing tag: the answer's leading blank lines are dropped. */
	#trimStart = false;
	#harmony: HarmonySplitter | undefined;
	#stripped: StrippedThinking | undefined;
	/** A reply that is stripped harmony only if a final channel follows (strippedIfFinal): all of its
	 * text, and the thinking read from it so far. */
	#whole = '';
	#wholeThinking = '';
	#endOfTurn = new EndOfTurnTokens();

	push(delta: string): Piece[] {
		const out: Piece[] = [];
		this.#feed(this.#endOfTurn.push(delta), false, out);
		return out;
	}

	/** The stream ended: flushes what was held back. */
	end(): Piece[] {
		const out: Piece[] = [];
		this.#feed(this.#endOfTurn.end(), true, out);
		return out;
	}

	#feed(delta: string, final: boolean, out: Piece[]): void {
		let buffer = this.#pending + delta;
		this.#pending = '';
		if (this.#mode === 'strippedIfFinal') this.#whole += delta;
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
					const harmony = harmonyOpener(lead, final);
					if (harmony === 'opens') {
						this.#mode = 'harmony';
						this.#harmony = new HarmonySplitter();
						buffer = lead;
						continue;
					}
					const stripped = strippedOpener(lead, final);
					if (typeof stripped === 'object') {
						this.#mode = stripped.sure ? 'stripped' : 'strippedIfFinal';
						this.#stripped = new StrippedThinking();
						this.#whole = buffer;
						buffer = lead.slice(stripped.opens);
						continue;
					}
					if (!final && (lead === '' || OPEN_TAGS.some((tag) => tag.startsWith(lead)) || harmony === 'undecided' || stripped === 'undecided')) {
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
					const rest = this.#undecided(buffer, final, out);
					if (rest === undefined) return;
					this.#mode = 'answer';
					this.#trimStart = true;
					buffer = rest;
					continue;
				}
				case 'stripped': {
					const read = this.#stripped!.read(buffer, final);
					if (read.thinking) out.push({type: 'reasoning', text: read.thinking});
					this.#pending = read.pending;
					if (read.answer === undefined) return;
					this.#mode = 'answer';
					this.#trimStart = true;
					buffer = read.answer;
					continue;
				}
				case 'strippedIfFinal': {
					// Held back until a final channel (the text was thinking) or the end (an answer).
					const read = this.#stripped!.read(buffer, final);
					this.#wholeThinking += read.thinking;
					this.#pending = read.pending;
					if (read.answer !== undefined) {
						if (this.#wholeThinking) out.push({type: 'reasoning', text: this.#wholeThinking});
						this.#whole = this.#wholeThinking = '';
						this.#mode = 'answer';
						this.#trimStart = true;
						buffer = read.answer;
						continue;
					}
					if (!final) return;
					this.#mode = 'undecided';
					this.#pending = '';
					buffer = this.#whole;
					continue;
				}
				case 'harmony': {
					out.push(...this.#harmony!.push(buffer, final));
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
	 * Answer text until a lone `</think>` closes the thinking; then the text after it. A `</think>`
	 * closes when it stands on its own (whitespace or the text's edge on both sides) and no `<think>`
	 * was written before it (that would make it a mention); inside a code fence only on a line of its
	 * own, and then what follows decides (#hold). undefined: waiting for more text.
	 */
	#undecided(text: string, final: boolean, out: Piece[]): string | undefined {
		let buffer = text;
		let from = 0;
		for (;;) {
			if (this.#held) {
				const held = this.#hold(buffer, from, final, out);
				if (held.kind === 'wait') return undefined;
				if (held.kind === 'closed') return held.rest;
				// The tag was code: what came after its line is read again, other tags in it too.
				buffer = held.again;
				from = 0;
				continue;
			}
			const at = buffer.indexOf(CLOSE_ONLY, from);
			if (at < 0) {
				const keep = final ? 0 : partialSuffix(buffer.slice(from), CLOSE_ONLY);
				this.#emit(buffer.slice(from, buffer.length - keep), out);
				this.#pending = buffer.slice(buffer.length - keep);
				return undefined;
			}
			this.#emit(buffer.slice(from, at), out);
			const afterIndex = at + CLOSE_ONLY.length;
			if (afterIndex === buffer.length && !final) {
				// The next character decides whether the tag stands alone.
				this.#pending = buffer.slice(at);
				return undefined;
			}
			const before = this.#streamed.at(-1) ?? '';
			const after = buffer[afterIndex] ?? '';
			const standsAlone = (before === '' || /\s/.test(before)) && (after === '' || /\s/.test(after));
			if (standsAlone && !this.#thinkSeen) {
				if (!this.#lines.fence) return this.#closed(buffer.slice(afterIndex), out);
				if (this.#lines.lineBlank) {
					this.#held = {parts: [], trailing: false, tagLine: 0, reading: undefined};
					from = at;
					continue;
				}
			}
			this.#emit(CLOSE_ONLY, out);
			from = afterIndex;
		}
	}

	/** A lone `</think>` line inside a fence: its line and the lines after it are held back until
	 * they decide (tag-in-fence.ts). */
	#hold(buffer: string, from: number, final: boolean, out: Piece[]): HoldResult {
		const held = this.#held!;
		for (;;) {
			const newline = buffer.indexOf('\n', from);
			const lineEnd = newline < 0 ? buffer.length : newline;
			const end = newline < 0 ? buffer.length : newline + 1;
			if (end > from) held.parts.push(buffer.slice(from, end));
			const line = buffer.slice(from, lineEnd);
			const rest = () => held.parts.join('').slice(CLOSE_ONLY.length) + buffer.slice(end);
			if (!held.reading) {
				// Still on the tag's line: it belongs to the reading of the text as it was.
				this.#lines.add(line);
				held.trailing ||= /\S/.test(held.parts.length === 1 ? line.slice(CLOSE_ONLY.length) : line);
				if (newline < 0 && !final) return {kind: 'wait'};
				this.#lines.endLine();
				if (held.trailing) return this.#release(held.parts.join('').length, buffer.slice(end), out);
				if (newline < 0) return this.#closedAt(rest(), out);
				held.tagLine = held.parts.join('').length;
				const reading = TagInFence.start(this.#lines);
				if (reading === 'thinking') return this.#closedAt(rest(), out);
				held.reading = reading;
				from = end;
				continue;
			}
			held.reading.add(line);
			if (newline < 0 && !final) return {kind: 'wait'};
			const verdict = held.reading.endLine() ?? (newline < 0 ? held.reading.end() : undefined);
			if (verdict === 'thinking') return this.#closedAt(rest(), out);
			if (verdict === 'code') return this.#release(held.tagLine, buffer.slice(end), out);
			from = end;
		}
	}

	#closedAt(rest: string, out: Piece[]): HoldResult {
		this.#held = undefined;
		return {kind: 'closed', rest: this.#closed(rest, out)};
	}

	/** The held tag was code: its line is answer text (the fence reader has read it), and what was
	 * held after it is read again with `after`. */
	#release(tagLine: number, after: string, out: Piece[]): HoldResult {
		const text = this.#held!.parts.join('');
		this.#held = undefined;
		this.#emit(text.slice(0, tagLine), out, false);
		return {kind: 'released', again: text.slice(tagLine) + after};
	}

	/** The thinking closed: what was handed on as answer text is reasoning; `rest` is the answer. */
	#closed(rest: string, out: Piece[]): string {
		// This call's text is not handed on as answer text only to be retracted.
		let fresh = '';
		while (out.at(-1)?.type === 'text') fresh = out.pop()!.text + fresh;
		const old = this.#streamed.slice(0, this.#streamed.length - fresh.length);
		if (old) out.push({type: 'retract', text: old});
		if (fresh) out.push({type: 'reasoning', text: fresh});
		this.#streamed = '';
		return rest;
	}

	/** Hands on answer text while undecided. `lines`: feed it to the fence reader (held text was). */
	#emit(text: string, out: Piece[], lines = true): void {
		if (!text) return;
		out.push({type: 'text', text});
		this.#streamed += text;
		const seen = this.#tail + text;
		if (seen.includes('<think>')) this.#thinkSeen = true;
		this.#tail = seen.slice(-'<think>'.length);
		if (lines) this.#lines.feed(text);
	}
}

/** The splitter's pieces, its reasoning marked as found in the answer text (`<think>` tags), not in
 * a reasoning channel. */
function marked(pieces: Piece[]): SplitChunk[] {
	return pieces.map((piece): SplitChunk => {
		if (piece.type === 'reasoning') return {type: 'reasoning', text: piece.text, inText: true};
		return piece.type === 'text' ? {type: 'text', text: piece.text} : {type: 'retract', text: piece.text};
	});
}

/** The stream with `<think>` text moved to reasoning (see the module comment). */
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
