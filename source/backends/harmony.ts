// gpt-oss's "harmony" format left in the answer text by a server that did not parse it (llama.cpp
// without a reasoning format, LM Studio, MLX and SGLang servers, gateways; kekzl/imp#768,
// johnbean393/Sidekick#75, scouzi1966/maclocal-api#121, sgl-project/sglang#10061):
//   <|channel|>analysis<|message|>…thinking…<|end|><|start|>assistant<|channel|>final<|message|>…answer…<|return|>
// Each message is `<|start|>{header}<|message|>{body}` ended by `<|end|>`, `<|return|>` or `<|call|>`;
// the header names the channel (`analysis`, `commentary` with `to=functions.x <|constrain|>json`
// for a tool call, `final`) and the first message's `<|start|>assistant` is in the prompt
// (openai/harmony docs/format.md). The final channel is the answer; every other channel is
// thinking; the tokens and headers go. Decoded strings often drop `<|start|>assistant` after
// `<|end|>` (cuga-project/cuga-agent#672), and the model sometimes leaves out `<|message|>`
// (`<|channel|>final {"answer": …}<|return|>`, vllm-project/vllm#45213): the header's text after
// the channel name is then the body. Harmony with its tokens stripped is read by stripped-harmony.ts.

/** What the splitter hands on: answer text or thinking. */
export interface HarmonyPiece {
	type: 'text' | 'reasoning';
	text: string;
}

const TOKENS = ['<|start|>', '<|end|>', '<|message|>', '<|channel|>', '<|constrain|>', '<|return|>', '<|call|>'] as const;
const TOKEN = /<\|(start|end|message|channel|constrain|return|call)\|>/g;
/** The channel a header names, and what follows the name. */
const CHANNEL = /<\|channel\|>\s*([A-Za-z_]+)([\s\S]*)$/;
/** Longer than any real header (`assistant<|channel|>commentary to=functions.name <|constrain|>json`):
 * a header this long without `<|message|>` is a body whose `<|message|>` was left out. */
const HEADER_MAX = 160;

const CHANNEL_NAMES = ['analysis', 'commentary', 'final'] as const;
/** The starts of a harmony reply: a channel named, after the echoed `<|start|>assistant` or not. */
const OPENINGS = ['', '<|start|>assistant'].flatMap((start) => CHANNEL_NAMES.map((name) => `${start}<|channel|>${name}`));

/**
 * Whether text (after leading whitespace) starts as harmony does: a token and a channel's name
 * (`<|channel|>analysis`, `<|start|>assistant<|channel|>final`), not prose about a token
 * (`<|channel|> is a harmony token.`). `undecided` while it may still become one; at the end a
 * start cut after its first token is harmony (the stream was cut in it).
 */
export function harmonyOpener(lead: string, final: boolean): 'opens' | 'no' | 'undecided' {
	for (const opening of OPENINGS) {
		if (lead.startsWith(opening) && (lead.length > opening.length || final)) return /^[A-Za-z0-9_]/.test(lead.slice(opening.length)) ? 'no' : 'opens';
	}
	if (!OPENINGS.some((opening) => opening.startsWith(lead))) return 'no';
	if (!final) return 'undecided';
	return lead.startsWith('<|channel|>') || lead.startsWith('<|start|>') ? 'opens' : 'no';
}

/** Length of the longest suffix of `text` that is a proper prefix of a harmony token. */
function partialToken(text: string): number {
	const from = text.lastIndexOf('<');
	if (from < 0 || text.length - from >= '<|constrain|>'.length) return 0;
	const tail = text.slice(from);
	return TOKENS.some((token) => token.startsWith(tail)) ? tail.length : 0;
}

export class HarmonySplitter {
	#inBody = false;
	#route: HarmonyPiece['type'] = 'text';
	/** The current header's text (tokens kept, `<|start|>` dropped). */
	#header = '';
	/** A token split across deltas. */
	#pending = '';
	/** Thinking was handed on, and the next thinking is another message (a line break between). */
	#reasoned = false;
	#separate = false;

	push(delta: string, final: boolean): HarmonyPiece[] {
		const out: HarmonyPiece[] = [];
		const buffer = this.#pending + delta;
		// A token's start at the end of the delta waits for the next one. At the end, a started token
		// (`<|`, `<|ret`) is one the stream was cut inside: dropped; a lone `<` is the text's.
		const partial = partialToken(buffer);
		const keep = final && partial === 1 ? 0 : partial;
		const whole = buffer.slice(0, buffer.length - keep);
		this.#pending = final ? '' : buffer.slice(whole.length);
		let from = 0;
		for (const match of whole.matchAll(TOKEN)) {
			this.#text(whole.slice(from, match.index), out);
			this.#token(match[1]!, match[0], out);
			from = match.index + match[0].length;
		}
		this.#text(whole.slice(from), out);
		if (final && !this.#inBody) this.#headerWithoutMessage(out, false);
		return out;
	}

	#text(text: string, out: HarmonyPiece[]): void {
		if (!text) return;
		if (this.#inBody) {
			this.#say(this.#route, text, out);
			return;
		}
		this.#header += text;
		if (this.#header.length > HEADER_MAX) this.#headerWithoutMessage(out, true);
	}

	#token(name: string, token: string, out: HarmonyPiece[]): void {
		if (this.#inBody) {
			// `<|message|>` or `<|constrain|>` inside a body is dropped; anything else ends the message.
			if (name === 'message' || name === 'constrain') return;
			this.#inBody = false;
			this.#header = name === 'channel' ? token : '';
			return;
		}
		switch (name) {
			case 'message': {
				const channel = CHANNEL.exec(this.#header)?.[1];
				this.#begin(channel === undefined || channel === 'final' ? 'text' : 'reasoning');
				this.#header = '';
				return;
			}
			case 'constrain':
				this.#header += token;
				return;
			case 'channel':
				// A second channel in one header: the first message had no `<|message|>`.
				if (CHANNEL.test(this.#header)) this.#headerWithoutMessage(out, false);
				this.#header += token;
				return;
			default:
				// `<|start|>` begins a message, `<|end|>`, `<|return|>`, `<|call|>` end one.
				this.#headerWithoutMessage(out, false);
		}
	}

	/**
	 * The header ended (or grew too long) without `<|message|>`: what follows its channel name is the
	 * message's body. A header without a channel is dropped when it is a word at most (the role) and
	 * is answer text otherwise. `continues`: the body goes on in the next text.
	 */
	#headerWithoutMessage(out: HarmonyPiece[], continues: boolean): void {
		const header = this.#header;
		this.#header = '';
		const channel = CHANNEL.exec(header);
		const route = channel && channel[1] !== 'final' ? 'reasoning' : 'text';
		const body = (channel ? channel[2]! : header).replace(TOKEN, '').replace(/^\s+/, '');
		if (!continues && !channel && /^\s*\w*\s*$/.test(header)) return;
		this.#begin(route);
		this.#inBody = continues;
		if (body) this.#say(route, body, out);
	}

	#begin(route: HarmonyPiece['type']): void {
		this.#inBody = true;
		this.#route = route;
		this.#separate = route === 'reasoning' && this.#reasoned;
	}

	#say(type: HarmonyPiece['type'], text: string, out: HarmonyPiece[]): void {
		if (type === 'reasoning') {
			if (this.#separate) text = `\n${text}`;
			this.#separate = false;
			this.#reasoned = true;
		}
		out.push({type, text});
	}
}
