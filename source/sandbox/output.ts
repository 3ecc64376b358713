// Captures a block's stdout and stderr while they are produced, keeping only a head and a tail
// (in UTF-16 code units, as JavaScript counts string length). Bytes between the two are counted,
// never decoded or stored, so printing 100 MB costs one pass over it and a few kilobytes kept.

export type StreamName = 'stdout' | 'stderr';

const decoder = new TextDecoder('utf-8');

/** Length of the prefix of `bytes` that ends on a whole UTF-8 sequence. */
export function completeLength(bytes: Uint8Array): number {
	const n = bytes.length;
	let i = n - 1;
	let back = 0;
	while (i >= 0 && back < 3 && (bytes[i] & 0xc0) === 0x80) {
		i--;
		back++;
	}
	if (i < 0) return n;
	const lead = bytes[i];
	const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
	return n - i >= need ? n : i;
}

/** UTF-16 code units that these (whole) UTF-8 sequences decode to. */
export function countUnits(bytes: Uint8Array, from = 0, to = bytes.length): number {
	let units = 0;
	for (let i = from; i < to; i++) {
		const b = bytes[i];
		if ((b & 0xc0) !== 0x80) units += b >= 0xf0 ? 2 : 1;
	}
	return units;
}

/** Keeps the last `capacity` bytes written. */
class ByteTail {
	readonly #buf: Uint8Array;
	#pos = 0;
	#filled = 0;

	constructor(capacity: number) {
		this.#buf = new Uint8Array(Math.max(capacity, 4));
	}

	write(bytes: Uint8Array): void {
		const cap = this.#buf.length;
		if (bytes.length >= cap) {
			this.#buf.set(bytes.subarray(bytes.length - cap));
			this.#pos = 0;
			this.#filled = cap;
			return;
		}
		const first = Math.min(bytes.length, cap - this.#pos);
		this.#buf.set(bytes.subarray(0, first), this.#pos);
		if (first < bytes.length) this.#buf.set(bytes.subarray(first), 0);
		this.#pos = (this.#pos + bytes.length) % cap;
		this.#filled = Math.min(cap, this.#filled + bytes.length);
	}

	read(): Uint8Array {
		if (this.#filled < this.#buf.length) return this.#buf.subarray(0, this.#filled);
		const out = new Uint8Array(this.#buf.length);
		out.set(this.#buf.subarray(this.#pos));
		out.set(this.#buf.subarray(0, this.#pos), this.#buf.length - this.#pos);
		return out;
	}
}

interface StreamState {
	carry: Uint8Array;
	head: string[];
	pending: string;
	tail: ByteTail;
	/** Units that went past the head (kept in the tail or dropped). */
	tailUnits: number;
}

export interface CapturedOutput {
	stdout: string;
	stderr: string;
	truncatedChars: number;
}

export function omissionMarker(chars: number): string {
	// Grouped by hand: toLocaleString would load ICU's number formatting into the host (protocol's
	// formatCount is out of the host's reach).
	const count = String(chars).replace(/\B(?=(\d{3})+$)/g, ',');
	return `\n... [${count} characters omitted] ...\n`;
}

export class OutputCapture {
	readonly #emit: (stream: StreamName, text: string) => void;
	readonly #tailBudget: number;
	#headLeft: number;
	/** 0 so the first write goes out at once (a print before a long computation shows live). */
	#lastEmit = 0;
	readonly #streams: Record<StreamName, StreamState>;

	/** `emit` receives text as it is produced (the head only; the tail comes at finish). */
	constructor(maxChars: number, emit: (stream: StreamName, text: string) => void) {
		const max = Math.max(0, Math.floor(maxChars));
		this.#headLeft = Math.floor(max / 2);
		this.#tailBudget = max - this.#headLeft;
		this.#emit = emit;
		const state = (): StreamState => ({
			carry: new Uint8Array(0),
			head: [],
			pending: '',
			tail: new ByteTail(this.#tailBudget * 3 + 4),
			tailUnits: 0,
		});
		this.#streams = {stdout: state(), stderr: state()};
	}

	write(stream: StreamName, chunk: Uint8Array): void {
		const s = this.#streams[stream];
		let data = chunk;
		if (s.carry.length) {
			data = new Uint8Array(s.carry.length + chunk.length);
			data.set(s.carry);
			data.set(chunk, s.carry.length);
		}
		const end = completeLength(data);
		s.carry = end < data.length ? data.slice(end) : new Uint8Array(0);
		let cut = 0;
		if (this.#headLeft > 0) {
			let units = 0;
			while (cut < end) {
				const b = data[cut];
				const u = (b & 0xc0) === 0x80 ? 0 : b >= 0xf0 ? 2 : 1;
				if (units + u > this.#headLeft) break;
				units += u;
				cut++;
			}
			if (cut > 0) {
				const text = decoder.decode(data.subarray(0, cut));
				s.head.push(text);
				s.pending += text;
				this.#headLeft -= units;
			}
		}
		if (cut < end) {
			const rest = data.subarray(cut, end);
			s.tailUnits += countUnits(rest);
			s.tail.write(rest);
		}
		if (s.pending.length >= 16_384 || Date.now() - this.#lastEmit >= 50) this.flush();
	}

	/** Sends the head text produced since the last flush. */
	flush(): void {
		this.#lastEmit = Date.now();
		for (const name of ['stdout', 'stderr'] as const) {
			const s = this.#streams[name];
			if (s.pending) {
				const text = s.pending;
				s.pending = '';
				this.#emit(name, text);
			}
		}
	}

	finish(): CapturedOutput {
		this.flush();
		const out = this.#streams.stdout;
		const err = this.#streams.stderr;
		for (const s of [out, err]) {
			if (s.carry.length) {
				// A sequence cut short at the very end: decode what there is (as U+FFFD).
				const rest = s.carry;
				s.carry = new Uint8Array(0);
				const units = decoder.decode(rest).length;
				s.tailUnits += units;
				s.tail.write(rest);
			}
		}
		const budget = this.#tailBudget;
		let errKeep = Math.min(err.tailUnits, budget);
		let outKeep = Math.min(out.tailUnits, budget - errKeep);
		if (out.tailUnits + err.tailUnits > budget) {
			errKeep = Math.min(err.tailUnits, Math.max(Math.floor(budget / 2), budget - out.tailUnits));
			outKeep = Math.min(out.tailUnits, budget - errKeep);
		}
		let truncated = 0;
		const finishStream = (name: StreamName, s: StreamState, keep: number): string => {
			let tail = '';
			if (keep > 0) {
				const bytes = s.tail.read();
				let start = 0;
				while (start < bytes.length && (bytes[start] & 0xc0) === 0x80) start++;
				const decoded = decoder.decode(bytes.subarray(start));
				tail = decoded.slice(Math.max(0, decoded.length - keep));
				const first = tail.charCodeAt(0);
				if (first >= 0xdc00 && first <= 0xdfff) tail = tail.slice(1);
			}
			const omitted = s.tailUnits - tail.length;
			truncated += omitted;
			const extra = (omitted > 0 ? omissionMarker(omitted) : '') + tail;
			if (extra) this.#emit(name, extra);
			return s.head.join('') + extra;
		};
		const stdout = finishStream('stdout', out, outKeep);
		const stderr = finishStream('stderr', err, errKeep);
		return {stdout, stderr, truncatedChars: truncated};
	}
}
