// What a client may not learn from the server: where the upstream LLM servers are (as serve: backend
// errors and trajectories name them, the client reads "the upstream server"), and, for a client
// over --http, where the server keeps its logs (a trajectory is named by its file name, which
// rlm_run and the resources take). Every message the server sends passes through here, so no tool,
// error or notification can forget it; the trajectory files and stderr keep it all for the operator.
import {sep} from 'node:path';
import type {Transport} from '@modelcontextprotocol/sdk/shared/transport.js';
import {hideUpstreams} from '../text/upstream-address.js';

/** Where the server's logs are, in words, for a client that is not told the path. */
export const LOG_FOLDER = 'the server\'s log folder';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The text filter for one transport: the upstream addresses (root and sub-call backends) out, and
 * with `logDir` given, that folder out (`<logDir>/rlm_x.jsonl` becomes `rlm_x.jsonl`).
 */
export function clientFilter(upstreams: ReadonlyArray<string | undefined>, logDir?: string): (text: string) => string {
	const folder = logDir?.replace(/[\\/]+$/, '');
	const inFolder = folder ? new RegExp(`${escape(folder + sep)}(?=[^\\s"'<>]+)`, 'g') : undefined;
	const bare = folder ? new RegExp(`${escape(folder)}(?![\\w.-])`, 'g') : undefined;
	return (text) => {
		const out = hideUpstreams(text, upstreams);
		return inFolder && bare ? out.replace(inFolder, '').replace(bare, LOG_FOLDER) : out;
	};
}

/** `value` with `filter` applied to every string in it (keys stay). */
export function filtered<T>(value: T, filter: (text: string) => string): T {
	if (typeof value === 'string') return filter(value) as T;
	if (Array.isArray(value)) return value.map((item: unknown) => filtered(item, filter)) as T;
	if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, filtered(item, filter)])) as T;
	return value;
}

/** Makes every message `transport` sends pass through `filter`. */
export function filterOutgoing<T extends Transport>(transport: T, filter: (text: string) => string): T {
	const send = transport.send.bind(transport);
	transport.send = (message, options) => send(filtered(message, filter), options);
	return transport;
}
