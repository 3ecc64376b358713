// @anthropic-ai/sdk warns with console.warn, not its logger (logLevel 'off' does not quiet it), on
// every messages.create for a deprecated model: raw lines on stderr in a headless run, once per
// request. The warning is written synchronously as the call starts, so it is caught around the call.

/** Runs `call` with console.warn held: what it wrote comes back beside its result, not on stderr. */
export function withSdkWarnings<T>(call: () => T): {result: T; warnings: string[]} {
	const warnings: string[] = [];
	const original = console.warn;
	console.warn = (...args: unknown[]) => {
		warnings.push(args.map(String).join(' '));
	};
	try {
		return {result: call(), warnings};
	} finally {
		console.warn = original;
	}
}

/** The SDK's "The model 'x' is deprecated and will reach end-of-life on DATE\nPlease migrate…" */
const DEPRECATED = /^The model '([^']+)' is deprecated and will reach end-of-life on ([^\n]+?)\s*(?:\n|$)/;

/** The page the SDK points to for its deprecations. */
const DEPRECATIONS_PAGE = 'https://docs.anthropic.com/en/docs/resources/model-deprecations';

/** A notice for the SDK's deprecation warning, in one line (undefined for another warning). */
export function deprecationNotice(warning: string): string | undefined {
	const match = DEPRECATED.exec(warning);
	if (!match) return undefined;
	return `Anthropic has deprecated the model '${match[1]}' (end of life: ${match[2]}): choose a newer model; see ${DEPRECATIONS_PAGE}`;
}
