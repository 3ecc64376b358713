// End-of-turn tokens a server leaves at the end of a reply's text when its chat template is wrong or
// it decodes with skip_special_tokens=false: Phi-3's `<|end|>` (ggml-org/llama.cpp#6903), `</s>`
// (ggml-org/llama.cpp#6872), Llama 3's `<|eot_id|>` (pytorch/torchchat#459), Gemma's
// `<end_of_turn>`, several in a row (apple/coreai-models#25), ChatML's `<|im_end|>`. Left in, a
// closing fence line `` ```<|im_end|> `` is no closing line and the block's last line is not Python.
// Only tokens at the very end go (with line breaks between and after them); a token with text after
// it is the text's (a mention), and so is `</s>` after an `<s>` (HTML strikethrough).

const TOKENS = ['<|end|>', '<|im_end|>', '</s>', '<|eot_id|>', '<|eom_id|>', '<|return|>', '<|endoftext|>', '<|end_of_text|>', '<end_of_turn>'] as const;
const LONGEST = Math.max(...TOKENS.map((token) => token.length));
/** An HTML strikethrough's opening tag (`<s>`, `<s class="…">`), whose `</s>` is the text's own. */
const STRIKE = /<s[\s>]/i;

function isSpace(char: string): boolean {
	return char === ' ' || char === '\t' || char === '\n' || char === '\r';
}

/** Streamed text with the end-of-turn tokens at its end dropped: what may be them is held back until
 * the text goes on or ends. */
export class EndOfTurnTokens {
	#held = '';
	/** Whether the text handed on held an `<s>` tag (its last characters: a tag split across deltas). */
	#strike = false;
	#tail = '';

	push(delta: string): string {
		const text = this.#held + delta;
		const end = this.#tokensFrom(text);
		this.#held = text.slice(end);
		return this.#handOn(text.slice(0, end));
	}

	/** The text ended: the held tokens are dropped; held text that is not only tokens is handed on. */
	end(): string {
		const held = this.#held;
		this.#held = '';
		return this.#onlyTokens(held) ? '' : this.#handOn(held);
	}

	#tokens(): readonly string[] {
		return this.#strike ? TOKENS.filter((token) => token !== '</s>') : TOKENS;
	}

	/** Where the text's end that may be end-of-turn tokens begins: a token's start cut by the delta's
	 * end, and before it whole tokens with whitespace between and after them. */
	#tokensFrom(text: string): number {
		const tokens = this.#tokens();
		let end = text.length;
		const open = text.lastIndexOf('<');
		if (open >= 0 && text.length - open < LONGEST) {
			const start = text.slice(open);
			if (tokens.some((token) => token.length > start.length && token.startsWith(start))) end = open;
		}
		for (;;) {
			let trimmed = end;
			while (trimmed > 0 && isSpace(text[trimmed - 1]!)) trimmed--;
			const token = tokens.find((candidate) => trimmed >= candidate.length && text.startsWith(candidate, trimmed - candidate.length));
			if (token === undefined) return end;
			end = trimmed - token.length;
		}
	}

	#onlyTokens(text: string): boolean {
		const tokens = this.#tokens();
		let rest = text.trim();
		while (rest !== '') {
			const token = tokens.find((candidate) => rest.startsWith(candidate));
			if (token === undefined) return false;
			rest = rest.slice(token.length).trimStart();
		}
		return true;
	}

	#handOn(text: string): string {
		if (!text) return text;
		const seen = this.#tail + text;
		if (STRIKE.test(seen)) this.#strike = true;
		this.#tail = seen.slice(-2);
		return text;
	}
}
