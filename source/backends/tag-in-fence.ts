// Whether a lone `</think>` line inside a code fence ends the thinking (a server that strips `<think>`,
// DeepSeek-R1 and QwQ behind vLLM or Ollama templates, leaves only the closing tag). Code a model
// means to run never holds one, but the thinking often leaves a fence open: a stray bare ``` line
// (musing about how a block ends) or a drafted ```python never closed. Read as CommonMark, the real
// answer after the tag is then "inside" that block. The rule, for a lone tag line in fence F:
// - F names Python and the tag is not inside a triple-quoted string: thinking ends. A lone
//   `</think>` line is not Python, so the block could never run (print("</think>") is no lone tag).
// - A fence line with an info string (```repl: a block opens) before F closes: thinking ends when F
//   is bare, or when a line of prose came between the tag and it (the answer began; not in a Python
//   fence, where the tag is in a string whose text reads as prose). Right after the tag it is F's
//   text (a ```text block quoting fence lines).
// - The reply ends with F open: thinking ends.
// - F closes: both readings are read on to the end of the reply, the tag as F's text and the tag as
//   the end of the thinking (the closing line then opens the answer's block). The one that leaves
//   every fence closed wins; if both or neither do, the one with fewer blocks opening (```repl)
//   inside a bare block it holds open; if still even, the tag is F's text. A real block ends at its
//   closing line and the text after it balances; a stray fence makes the answer's own closing line
//   open a block that never closes, or hold the answer's next ```repl inside a bare block.
// Until the lines decide, the text from the tag on is held back (reasoning.ts).

import {FenceLines, type LineEvent} from './fence-lines.js';

export type Verdict = 'code' | 'thinking';

/** The lines after a lone `</think>` line inside a fence, read until they decide. */
export class TagInFence {
	/** The text read with the tag as the fence's text, and as the end of the thinking. */
	#asCode: FenceLines;
	#asAnswer: FenceLines;
	#bare: boolean;
	/** Whether the prose rule applies (a fence that names Python decides by its strings instead). */
	#proseDecides: boolean;
	#prose = false;
	#closed = false;
	/** Per reading, how often a fence line with an info string came inside a bare fence: a block
	 * opening where a reading says a bare block is open. */
	#odd = {code: 0, answer: 0};

	/** `lines`: the reader at the start of the line after the tag's, inside the fence. Returns the
	 * verdict when the tag's place alone decides. */
	static start(lines: FenceLines): TagInFence | 'thinking' {
		const fence = lines.fence!;
		if (fence.python && !lines.inString) return 'thinking';
		return new TagInFence(lines.clone(), new FenceLines(), fence.bare, !fence.python);
	}

	private constructor(asCode: FenceLines, asAnswer: FenceLines, bare: boolean, proseDecides: boolean) {
		this.#asCode = asCode;
		this.#asAnswer = asAnswer;
		this.#bare = bare;
		this.#proseDecides = proseDecides;
	}

	/** More of the current line (no newline in it). */
	add(piece: string): void {
		this.#asCode.add(piece);
		this.#asAnswer.add(piece);
	}

	/** The current line is finished: the verdict, if it decides. */
	endLine(): Verdict | undefined {
		const blank = this.#asCode.lineBlank;
		const event = this.#endLine(this.#asCode, 'code');
		this.#endLine(this.#asAnswer, 'answer');
		if (this.#closed) return undefined;
		if (event === 'inner-block' && (this.#bare || (this.#proseDecides && this.#prose))) return 'thinking';
		if (event === 'close') this.#closed = true;
		else if (event === 'none' && !blank) this.#prose = true;
		return undefined;
	}

	#endLine(lines: FenceLines, reading: 'code' | 'answer'): LineEvent {
		const inBare = lines.fence?.bare === true;
		const event = lines.endLine();
		if (inBare && event === 'inner-block') this.#odd[reading]++;
		return event;
	}

	/** The reply ended (its last line finished). */
	end(): Verdict {
		if (!this.#closed) return 'thinking';
		const codeOpen = this.#asCode.fence !== undefined;
		const answerOpen = this.#asAnswer.fence !== undefined;
		if (codeOpen !== answerOpen) return codeOpen ? 'thinking' : 'code';
		return this.#odd.code > this.#odd.answer ? 'thinking' : 'code';
	}
}
