// The folders an MCP call may read: the roots the client declares (`roots/list`, asked again after
// `notifications/roots/list_changed`) and the server's --allow-dir folders.
import {fileURLToPath} from 'node:url';
import {ListRootsResultSchema, RootsListChangedNotificationSchema} from '@modelcontextprotocol/sdk/types.js';
import type {Server} from '@modelcontextprotocol/sdk/server/index.js';
import type {RequestHandlerExtra} from '@modelcontextprotocol/sdk/shared/protocol.js';
import type {ServerNotification, ServerRequest} from '@modelcontextprotocol/sdk/types.js';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** How long to wait for the client's `roots/list` answer, in milliseconds. */
const rootsTimeoutMs = 10_000;

/** A root's folder: `file://` URIs only (others name no local folder). */
function folderOf(uri: string): string | null {
	try {
		return uri.startsWith('file:') ? fileURLToPath(uri) : null;
	} catch {
		return null;
	}
}

export interface ClientRoots {
	/** The folders of the client's roots ([] when it declares none, does not support roots, or
	 * does not answer roots/list). Never rejects. */
	folders(extra: Extra): Promise<string[]>;
}

/** Asks the client for its roots when a call needs them, and again after it says they changed. */
export function clientRoots(server: Server): ClientRoots {
	let cached: Promise<string[]> | null = null;
	server.setNotificationHandler(RootsListChangedNotificationSchema, async () => {
		cached = null;
	});
	return {
		folders(extra) {
			if (!server.getClientCapabilities()?.roots) return Promise.resolve([]);
			// Sent as part of the tool call, so over HTTP it travels on that call's stream.
			// Some clients declare roots and never answer roots/list (Claude Code did: anthropics/
			// claude-code#3315): after the timeout that counts as no roots, kept until they say the
			// roots changed, so not every call waits again; --allow-dir folders still apply.
			cached ??= extra
				.sendRequest({method: 'roots/list'}, ListRootsResultSchema, {timeout: rootsTimeoutMs})
				.then((result) => result.roots.map((root) => folderOf(root.uri)).filter((folder): folder is string => folder !== null))
				.catch(() => []);
			return cached;
		},
	};
}
