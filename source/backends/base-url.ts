// A base URL as the SDKs can use it. Both SDKs append paths to the base URL as text, so a query
// in it would end up before the path; and fetch refuses URLs with credentials in them. So the
// query becomes default query parameters sent with every request (gateways that take `?key=`,
// Azure's `api-version`), and userinfo becomes an `Authorization: Basic` header, as curl, requests
// and httpx send it (a proxy with basic auth in front of a server).

export interface SplitBaseURL {
	/** The URL without userinfo, query or fragment, and without trailing slashes. */
	baseURL: string;
	/** The URL's query parameters (empty when it had none). */
	query: Record<string, string>;
	/** `Basic base64(user:password)` when the URL carried userinfo. */
	basicAuth?: string;
}

export function splitBaseURL(url: string): SplitBaseURL {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return {baseURL: url.replace(/\/+$/, ''), query: {}};
	}
	const query = Object.fromEntries(parsed.searchParams);
	const basicAuth =
		parsed.username || parsed.password
			? `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}`
			: undefined;
	parsed.username = '';
	parsed.password = '';
	parsed.search = '';
	parsed.hash = '';
	const baseURL = parsed.toString().replace(/\/+$/, '');
	return basicAuth ? {baseURL, query, basicAuth} : {baseURL, query};
}
