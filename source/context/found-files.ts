// What a walk of a folder or a glob finds: files to read, and what it passed over and why.

/** A file a folder or a glob found, to be read if it is text. */
export interface FoundFile {
	/** Absolute path. */
	path: string;
	/** The dict key: the path relative to the folder (or as the glob matched it), with `/`. */
	key: string;
}

export type SkipReason =
	| 'binary'
	| 'unreadable'
	| 'not a regular file'
	/** A link whose target is missing (or that loops). */
	| 'broken link'
	| 'link to a folder'
	| 'link leading out of the folder'
	| 'outside the allowed folders';

/** A file passed over, named as the user would find it. */
export interface SkippedFile {
	name: string;
	reason: SkipReason;
}
