// `printable` for text that comes in pieces (a streamed reply): an escape sequence split between two
// pieces would have its introducer taken out of the first and its payload (an OSC 52 clipboard's
// base64, a window title) left as text in the second. So the end of a piece that may still become a
// sequence waits for the next piece, up to a bound.
import {printable, SEQUENCE_INTRODUCER} from './printable.js';

/** The most text held back for a sequence not yet ended: an OSC 52 clipboard write of a few KB. */
export const MAX_HELD_CHARS = 8192;

const introducers = new RegExp(SEQUENCE_INTRODUCER.source, 'g');
// What a piece may end with that is still the start of a sequence (ECMA-48, as ansi-regex reads it):
// a lone ESC; ESC and intermediates; a CSI without its final byte; a control string (OSC, DCS, SOS,
// PM, APC, a title) without its terminator, or with the ESC of its ESC \ terminator only.
const unfinished = new RegExp(
	[
		String.raw`^\u001b[\u0020-\u002f]*$`,
		String.raw`^(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*$`,
		String.raw`^(?:\u001b[\]PX^_k]|[\u009d\u0090\u0098\u009e\u009f])[^\u0007\u0018\u001a\u001b\u0080-\u009f]*\u001b?$`,
	].join('|'),
);

export interface PrintableStream {
	/** The printable text of `piece` with what was held before it; an unfinished sequence at its end is held. */
	push(piece: string): string;
	/** What is still held, made printable: the stream has ended. */
	end(): string;
}

/** A `printable` for a stream of pieces: the same text as `printable` of the whole, piece by piece. */
export function printableStream(): PrintableStream {
	let held = '';
	return {
		push(piece) {
			const text = held + piece;
			held = '';
			const from = unfinishedStart(text);
			if (from === -1) return printable(text);
			held = text.slice(from);
			return printable(text.slice(0, from));
		},
		end() {
			const rest = held;
			held = '';
			return printable(rest);
		},
	};
}

/** Where an unfinished sequence at the end of `text` starts (-1 for none, or one longer than the bound). */
function unfinishedStart(text: string): number {
	const starts: number[] = [];
	introducers.lastIndex = Math.max(0, text.length - MAX_HELD_CHARS);
	for (let match = introducers.exec(text); match; match = introducers.exec(text)) starts.push(match.index);
	// The earliest that reads as unfinished: an OSC's payload may end with the ESC of its terminator.
	return starts.find((at) => unfinished.test(text.slice(at))) ?? -1;
}
