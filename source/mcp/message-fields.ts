// The `id` and `method` of a JSON-RPC message too large to keep, read as its bytes stream past:
// the server answers an oversized request by its id without holding the request in memory.
// Clients put the id anywhere (the official TypeScript SDK writes it last, after `params`).

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const wanted = new Set(['id', 'method']);
/** A top-level key longer than this is not one we want; a value longer than this is not an id. */
const MAX_KEPT = 512;

/** Scans one JSON text, fed in chunks, for the values of its top-level `id` and `method`. */
export class MessageFields {
	#depth = 0;
	#inString = false;
	#escaped = false;
	#expectKey = false;
	#key: number[] | null = null;
	#lastKey = '';
	#value: {key: string; bytes: number[]} | null = null;
	readonly #found = new Map<string, unknown>();

	feed(chunk: Uint8Array): void {
		for (const byte of chunk) this.#byte(byte);
	}

	/** The request id (a string or a number), if the message had one. */
	get id(): string | number | undefined {
		const id = this.#found.get('id');
		return typeof id === 'string' || typeof id === 'number' ? id : undefined;
	}

	get method(): string | undefined {
		const method = this.#found.get('method');
		return typeof method === 'string' ? method : undefined;
	}

	#byte(byte: number): void {
		if (this.#inString) {
			if (this.#escaped) this.#escaped = false;
			else if (byte === BACKSLASH) this.#escaped = true;
			else if (byte === QUOTE) {
				this.#inString = false;
				if (this.#key) {
					this.#lastKey = this.#key.length <= MAX_KEPT ? Buffer.from(this.#key).toString('utf8') : '';
					this.#key = null;
					return;
				}
			}
			if (this.#key && this.#key.length <= MAX_KEPT) this.#key.push(byte);
			this.#keep(byte);
			return;
		}
		if (this.#depth === 1) {
			if (byte === 0x2c /* , */) {
				this.#endValue();
				this.#expectKey = true;
				return;
			}
			if (byte === 0x7d /* } */) {
				this.#endValue();
				this.#depth = 0;
				return;
			}
			if (byte === 0x3a /* : */ && !this.#value) {
				this.#expectKey = false;
				if (wanted.has(this.#lastKey)) this.#value = {key: this.#lastKey, bytes: []};
				return;
			}
			if (byte === QUOTE && this.#expectKey) {
				this.#inString = true;
				this.#key = [];
				return;
			}
		}
		if (byte === QUOTE) this.#inString = true;
		else if (byte === 0x7b /* { */ || byte === 0x5b /* [ */) {
			this.#depth++;
			if (this.#depth === 1) this.#expectKey = byte === 0x7b;
		} else if (byte === 0x7d || byte === 0x5d /* ] */) this.#depth = Math.max(0, this.#depth - 1);
		this.#keep(byte);
	}

	#keep(byte: number): void {
		if (this.#value && this.#value.bytes.length <= MAX_KEPT) this.#value.bytes.push(byte);
	}

	#endValue(): void {
		const value = this.#value;
		this.#value = null;
		if (!value || value.bytes.length > MAX_KEPT) return;
		try {
			this.#found.set(value.key, JSON.parse(Buffer.from(value.bytes).toString('utf8')));
		} catch {
			// not a JSON value: not an id
		}
	}
}
