// End-of-turn tokens a server leaves in a reply's text when its chat template is wrong or it decodes
// with skip_special_tokens=false: Phi-3's `<|end|>` (ggml-org/llama.cpp#6903), `</s>`
// (ggml-org/llama.cpp#6872), Llama 3's `<|eot_id|>` (pytorch/torchchat#459), Gemma's
// `<end_of_turn>`, several in a row (apple/coreai-models#25), ChatML's `<|im_end|>`. Left in, a
// closing fence line `` ```<|im_end|> `` is no closing line and the block's last line is not Python.
// - Tokens at the very end go (with line breaks between and after them). The first of them must be
//   glued to the text or start a line: after a space it is a word of the text (`…ends each turn
//   with </s>`), as is a token with text after it (a mention), and `</s>` after an `<s>` (HTML
//   strikethrough).
// - A token followed by a new turn's start (`<|im_end|>\n<|im_start|>user…`: the model ran on into
//   the next turn, which a server that did not know the token stops before) ends the reply there;
//   the rest goes. Not inside a code fence or inline code: an answer that shows a chat template.
//   Harmony's `<|end|><|start|>assistant` is the next message of the same reply, not a new turn.

import {CodeTracker} from './fence-lines.js';

const TOKENS = ['<|end|>', '<|im_end|>', '</s>', '<|eot_id|>', '<|eom_id|>', '<|return|>', '<|endoftext|>', '<|end_of_text|>', '<end_of_turn>'] as const;
/** What opens another turn: ChatML, Llama 3, Gemma, Phi-3 and Zephyr, harmony (any role but the
 * assistant's, whose next message belongs to the same reply), Llama 2 and Mistral. */
const TURN_STARTS = ['<|im_start|>', '<|start_header_id|>', '<start_of_turn>', '<|user|>', '<|system|>', '<|assistant|>', '<|start|>user', '<|start|>system', '<|start|>developer', '<s>[INST]', '[INST]'] as const;
const LONGEST = Math.max(...TOKENS.map((token) => token.length));
/** An HTML strikethrough's opening tag (`<s>`, `<s class="…">`), whose `</s>` is the text's own. */
const STRIKE = /<s[\s>]/i;
/** How much of the text handed on is kept to read what a token at the next text's start follows. */
const TAIL = 64;

function isSpace(char: string): boolean {
	return char === ' ' || char === '\t' || char === '\n' || char === '\r';
}

/** Streamed text with the end-of-turn tokens at its end dropped, cut at a token that a new turn's
 * start follows: what may be them is held back until the text goes on or ends. */
export class EndOfTurnTokens {
	#held = '';
	/** Whether the text handed on held an `<s>` tag. */
	#strike = false;
	/** The last characters handed on. */
	#tail = '';
	#code = new CodeTracker();
	/** A new turn began: the rest of the stream is not this reply's. */
	#cut = false;

	push(delta: string): string {
		if (this.#cut) return '';
		const text = this.#held + delta;
		const cut = this.#turnEnd(text);
		if (cut >= 0) {
			this.#cut = true;
			this.#held = '';
			const kept = text.slice(0, cut);
			return this.#handOn(kept.slice(0, this.#tokensFrom(kept, true)));
		}
		const end = this.#tokensFrom(text, false);
		this.#held = text.slice(end);
		return this.#handOn(text.slice(0, end));
	}

	/** The text ended: the held tokens are dropped; held text that is not only tokens is handed on. */
	end(): string {
		const held = this.#held;
		this.#held = '';
		if (this.#cut || held === '') return '';
		// Tokens, then a new turn's start the stream was cut inside: both go.
		const turn = Math.min(...['<', '['].map((open) => held.lastIndexOf(open)).filter((at) => at > 0 && TURN_STARTS.some((start) => start.startsWith(held.slice(at)))));
		const text = Number.isFinite(turn) && this.#tokensFrom(held.slice(0, turn), true) < turn ? held.slice(0, turn) : held;
		return this.#handOn(text.slice(0, this.#tokensFrom(text, true)));
	}

	#tokens(): readonly string[] {
		return this.#strike ? TOKENS.filter((token) => token !== '</s>') : TOKENS;
	}

	/** Where a token (or a row of them) that a whole new turn's start follows begins, outside code; or -1. */
	#turnEnd(text: string): number {
		const tokens = this.#tokens();
		const code = this.#code.fork();
		let read = 0;
		for (let at = text.indexOf('<'); at >= 0; at = text.indexOf('<', at + 1)) {
			const token = tokens.find((candidate) => text.startsWith(candidate, at));
			if (token === undefined) continue;
			// Tokens in a row before the new turn: the reply ends at the first.
			let next = at + token.length;
			for (;;) {
				while (next < text.length && isSpace(text[next]!)) next++;
				const another = tokens.find((candidate) => text.startsWith(candidate, next));
				if (another === undefined) break;
				next += another.length;
			}
			if (!TURN_STARTS.some((start) => text.startsWith(start, next))) continue;
			code.feed(text.slice(read, at));
			read = at;
			if (!code.endsInCode()) return at;
		}
		return -1;
	}

	/**
	 * Where the text's end that may be end-of-turn tokens begins: a token's or a new turn's start cut
	 * by the delta's end, and before it whole tokens with whitespace between and after them, the
	 * first glued to the text or starting a line. `final`: nothing comes after the text.
	 */
	#tokensFrom(text: string, final: boolean): number {
		const tokens = this.#tokens();
		let end = text.length;
		if (!final) {
			const open = text.lastIndexOf('<');
			const start = text.lastIndexOf('[');
			for (const at of [open, start]) {
				if (at < 0 || text.length - at >= LONGEST + '[INST]'.length) continue;
				const rest = text.slice(at);
				if (tokens.some((token) => token.length > rest.length && token.startsWith(rest)) || TURN_STARTS.some((turn) => turn.startsWith(rest))) {
					end = Math.min(end, at);
				}
			}
		}
		for (;;) {
			let trimmed = end;
			while (trimmed > 0 && isSpace(text[trimmed - 1]!)) trimmed--;
			const token = tokens.find((candidate) => trimmed >= candidate.length && text.startsWith(candidate, trimmed - candidate.length));
			if (token === undefined || this.#afterSpace(text, trimmed - token.length)) return end;
			end = trimmed - token.length;
		}
	}

	/** Whether the token at `at` follows a space or tab (after the text, not after another token). */
	#afterSpace(text: string, at: number): boolean {
		const seen = this.#tail + text.slice(Math.max(0, at - TAIL), at);
		const gap = /[ \t]+$/.exec(seen);
		if (!gap) return false;
		const beforeGap = seen.slice(0, seen.length - gap[0].length);
		return beforeGap !== '' && !/\n$/.test(beforeGap) && !this.#tokens().some((token) => beforeGap.endsWith(token));
	}

	#handOn(text: string): string {
		if (!text) return text;
		const seen = this.#tail + text;
		if (STRIKE.test(seen)) this.#strike = true;
		this.#tail = seen.slice(-TAIL);
		this.#code.feed(text);
		return text;
	}
}
