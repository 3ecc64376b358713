// A persistent (immutable, structurally shared) vector of nodes, chunked so that an update copies
// one chunk and the short outer array, never the whole list. Node ids are their indices.

const SHIFT = 8;
const CHUNK = 1 << SHIFT;
const MASK = CHUNK - 1;

export interface NodeVector<T> {
	readonly chunks: ReadonlyArray<ReadonlyArray<T>>;
	readonly size: number;
}

export function emptyVector<T>(): NodeVector<T> {
	return {chunks: [], size: 0};
}

export function vectorGet<T>(vector: NodeVector<T>, index: number): T | undefined {
	if (index < 0 || index >= vector.size) return undefined;
	return vector.chunks[index >> SHIFT]![index & MASK];
}

/** Batches several writes against one base vector: each touched chunk is copied once. */
export class VectorDraft<T> {
	#outer: T[][] | undefined;
	readonly #copied = new Set<number>();
	#size: number;

	constructor(readonly base: NodeVector<T>) {
		this.#size = base.size;
	}

	get size(): number {
		return this.#size;
	}

	get(index: number): T {
		if (index < 0 || index >= this.#size) throw new RangeError(`no node ${index}`);
		const chunks = this.#outer ?? this.base.chunks;
		return chunks[index >> SHIFT]![index & MASK]!;
	}

	set(index: number, value: T): void {
		if (index < 0 || index >= this.#size) throw new RangeError(`no node ${index}`);
		this.#writable(index >> SHIFT)[index & MASK] = value;
	}

	push(value: T): number {
		const index = this.#size;
		const chunkIndex = index >> SHIFT;
		const outer = this.#outerCopy();
		if (chunkIndex === outer.length) {
			outer.push([]);
			this.#copied.add(chunkIndex);
		}
		this.#writable(chunkIndex).push(value);
		this.#size++;
		return index;
	}

	get changed(): boolean {
		return this.#outer !== undefined;
	}

	finish(): NodeVector<T> {
		if (!this.#outer) return this.base;
		return {chunks: this.#outer, size: this.#size};
	}

	#outerCopy(): T[][] {
		this.#outer ??= this.base.chunks.slice() as T[][];
		return this.#outer;
	}

	#writable(chunkIndex: number): T[] {
		const outer = this.#outerCopy();
		if (!this.#copied.has(chunkIndex)) {
			outer[chunkIndex] = outer[chunkIndex]!.slice();
			this.#copied.add(chunkIndex);
		}
		return outer[chunkIndex]!;
	}
}
