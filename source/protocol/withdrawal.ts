/**
 * The reason a question's AbortSignal is aborted with when its asker takes it back before its run
 * starts (the TUI's ↑ on a queued question). The engine then leaves no turn behind: no run events,
 * no log file, and (when it was the last question taken in) its turn number is given back. Aborted
 * after its run began, or with a later question already taken in, it is an ordinary cancel.
 */
export class Withdrawal extends Error {
	constructor() {
		super('taken back before it started');
		this.name = 'Withdrawal';
	}
}
