// The warm host's message framing on its Unix socket (warm-link.ts, host-channel.ts): each
// message is a 4-byte big-endian length and the message in V8's serialization, the format Node's
// `serialization: 'advanced'` IPC uses for a child host, so both transports carry the same values.
import v8 from 'node:v8';

/** The longest frame a reader accepts, in bytes: above a snapshot (host-messages.ts snapshotBytes)
 * plus the serializer's header. A longer length is a broken or hostile peer. */
export const maxFrameBytes = 2 ** 31 + 1024;

/** One message as a frame: [length, body]. */
export function encodeFrame(message: unknown): Buffer {
	const body = v8.serialize(message);
	const frame = Buffer.allocUnsafe(4 + body.length);
	frame.writeUInt32BE(body.length, 0);
	body.copy(frame, 4);
	return frame;
}

/** Splits a byte stream into messages. */
export class FrameReader {
	#chunks: Buffer[] = [];
	#buffered = 0;
	#need: number | null = null;

	/**
	 * Adds bytes; returns the messages they complete, in order.
	 * @throws Error when a frame is longer than maxFrameBytes or its body does not deserialize.
	 */
	push(chunk: Buffer): unknown[] {
		this.#chunks.push(chunk);
		this.#buffered += chunk.length;
		const messages: unknown[] = [];
		for (;;) {
			if (this.#need === null) {
				if (this.#buffered < 4) return messages;
				const length = this.#take(4).readUInt32BE(0);
				if (length > maxFrameBytes) throw new Error(`a frame of ${length} bytes, above the limit of ${maxFrameBytes}`);
				this.#need = length;
			}
			if (this.#buffered < this.#need) return messages;
			const body = this.#take(this.#need);
			this.#need = null;
			messages.push(v8.deserialize(body));
		}
	}

	/** The first `bytes` buffered bytes, removed. */
	#take(bytes: number): Buffer {
		const whole = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#buffered);
		const taken = whole.subarray(0, bytes);
		const rest = whole.subarray(bytes);
		this.#chunks = rest.length > 0 ? [rest] : [];
		this.#buffered = rest.length;
		return taken;
	}
}
