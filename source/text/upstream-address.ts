// What a serve or mcp client, and model-written code, may not learn: where the upstream LLM
// server is. Backend errors name it ("Server error from http://10.0.0.5:8000/v1 (500)") for the
// person at the terminal; text sent to a remote client (error bodies, progress narration) and the
// error strings Python gets from failed sub-calls say "the upstream server" instead. The
// trajectory log keeps the full message for the operator.

/** What the upstream's address is replaced with. */
export const UPSTREAM = 'the upstream server';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * `text` without the upstream at `baseURL`: any URL on its host (with or without userinfo, as
 * written or redacted, any path), then the bare `host:port` (`connect ECONNREFUSED 10.0.0.5:8000`)
 * and a bare host name with a dot in it. Text that does not name it comes back unchanged.
 */
export function hideUpstream(text: string, baseURL: string | undefined): string {
	if (!baseURL) return text;
	let parsed: URL;
	try {
		parsed = new URL(baseURL);
	} catch {
		return text.split(baseURL).join(UPSTREAM);
	}
	const hosts = [...new Set([parsed.host, parsed.hostname, parsed.hostname.replace(/^\[|\]$/g, '')])].filter(Boolean);
	let out = text;
	for (const host of hosts) {
		const after = '(?![\\w-]|\\.\\w|:\\d)';
		out = out.replace(new RegExp(`\\b[a-z][a-z0-9+.-]*://(?:[^\\s/@]*@)?${escape(host)}${after}(?:[^\\s"'<>)\\]]*[^\\s"'<>)\\].,:;!?])?`, 'gi'), UPSTREAM);
		if (host.includes(':') || host.includes('.')) out = out.replace(new RegExp(`(?<![\\w.-])${escape(host)}${after}`, 'gi'), UPSTREAM);
	}
	// "the OpenAI-compatible server at http://..." reads "the OpenAI-compatible upstream server".
	return out.replaceAll(`server at ${UPSTREAM}`, 'upstream server');
}

/** `text` without any of the upstreams at `baseURLs` (hideUpstream for each; absent ones are skipped). */
export function hideUpstreams(text: string, baseURLs: ReadonlyArray<string | undefined>): string {
	return baseURLs.reduce<string>((out, baseURL) => hideUpstream(out, baseURL), text);
}
