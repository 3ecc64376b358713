// A mistake on the command line: one line on stderr (`rlm-tui: ...`), exit 2 unless `code` says otherwise.
export class UsageError extends Error {
	constructor(
		message: string,
		readonly code = 2,
	) {
		super(message);
		this.name = 'UsageError';
	}
}
