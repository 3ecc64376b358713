// gpt-oss's "harmony" reply as servers that do not parse it leave it in the answer text: the
// template's message tokens (openai/harmony docs/format.md) in the variants seen in the wild.

/**
 * How a harmony reply is written out. The default is the canonical decoded string:
 * `<|channel|>analysis<|message|>…<|end|><|start|>assistant<|channel|>final<|message|>…<|return|>`
 * (kekzl/imp#768, johnbean393/Sidekick#75, scouzi1966/maclocal-api#121).
 */
export interface HarmonyVariant {
	/** What ends the reply: `<|return|>` (the default), nothing (vLLM and llama.cpp stop on
	 * `<|return|>` and drop it), or `<|end|>`. */
	end?: '<|return|>' | '' | '<|end|>';
	/** `<|start|>assistant` before each message after the first (default true; decoded strings often
	 * drop it: cuga-project/cuga-agent#672). */
	restart?: boolean;
	/** The reply itself opens with `<|start|>assistant` (a server that echoes the header). */
	opensWithStart?: boolean;
	/** A commentary-channel message between the analysis and the final answer: a preamble (`text`),
	 * or a tool call (`to`, sent as `commentary to=functions.{to} <|constrain|>json` and ended by
	 * `<|call|>`). */
	commentary?: {text: string; to?: string};
	/** The final channel's header carries a constraint (`<|channel|>final <|constrain|>json`), as
	 * with structured output. */
	constrain?: string;
	/** The final channel's `<|message|>` left out by the model: its header runs into the answer
	 * (`<|channel|>final {"answer": …}<|return|>`: vllm-project/vllm#45213). */
	finalWithoutMessage?: boolean;
	/** A line break between messages, as the format's examples print them. */
	newlines?: boolean;
	/** The special tokens stripped, as a decoder with skip_special_tokens leaves them: the channel and
	 * role names run into the text (`analysisWe need…assistantfinalfour`: Augustas11/macprovider#743). */
	stripped?: boolean;
}

/** `reasoning` as the analysis channel and `text` as the final channel, written as `variant` says. */
export function harmonyText(reasoning: string, text: string, variant: HarmonyVariant = {}): string {
	const start = variant.restart === false ? '' : '<|start|>assistant';
	const between = variant.newlines ? '\n' : '';
	const messages = [`${variant.opensWithStart ? '<|start|>assistant' : ''}<|channel|>analysis<|message|>${reasoning}<|end|>`];
	if (variant.commentary) {
		const {text: said, to} = variant.commentary;
		messages.push(to === undefined ? `${start}<|channel|>commentary<|message|>${said}<|end|>` : `${start}<|channel|>commentary to=functions.${to} <|constrain|>json<|message|>${said}<|call|>`);
	}
	const header = variant.constrain === undefined ? '<|channel|>final' : `<|channel|>final <|constrain|>${variant.constrain}`;
	messages.push(`${start}${header}${variant.finalWithoutMessage ? ' ' : '<|message|>'}${text}${variant.end ?? '<|return|>'}`);
	const written = messages.join(between);
	return variant.stripped ? written.replace(/<\|(start|end|message|channel|constrain|return|call)\|>/g, '') : written;
}
