/** How many times in a row something has happened (failed blocks, empty replies, ...): the count
 * starts over at the first time it does not. */
export class InARow {
	#count = 0;

	/** Counts one more time: one more when it `happened`, none when not. Returns the new count. */
	note(happened: boolean): number {
		this.#count = happened ? this.#count + 1 : 0;
		return this.#count;
	}

	get count(): number {
		return this.#count;
	}
}
