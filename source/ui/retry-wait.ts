// A reply waiting to be retried: a `stream_retried` notice came (the backend sleeps before the
// next try) and nothing of the next try has streamed yet. Its row and the working line say so,
// with the wait and the cause, instead of "streaming".
import {getNode, type NoticeNode, type TrajectoryNode, type TrajectoryState} from '../trajectory/tree.js';

export interface RetryWait {
	/** The wait the notice named, in ms (an SDK retry may name none). */
	waitMs: number | undefined;
	retry: number;
	of: number;
	/** What failed, in the notice's words (without the "Retrying …" sentence). */
	cause: string;
	/** When the notice came (the clock of `now`). */
	since: number;
}

const RETRYING = /\s*Retrying(?: in (\d+(?:\.\d+)?) s| at once)? \((\d+) of (\d+)\)\.?\s*$/;

/** The retry a `stream_retried` notice announces; undefined when its words say none. */
export function parseRetry(notice: Pick<NoticeNode, 'message' | 'startedAt'>): RetryWait | undefined {
	const match = RETRYING.exec(notice.message);
	if (!match) return undefined;
	return {
		waitMs: match[1] === undefined ? undefined : Number(match[1]) * 1000,
		retry: Number(match[2]),
		of: Number(match[3]),
		cause: notice.message.slice(0, match.index).trim(),
		since: notice.startedAt,
	};
}

/** The notice of the retry a running reply waits for: the iteration's last `stream_retried`
 * notice while nothing of the reply's next try has come. */
export function pendingRetry(traj: TrajectoryState, node: TrajectoryNode): NoticeNode | undefined {
	if (node.kind !== 'reply' || node.status !== 'running' || node.text !== '') return undefined;
	const parent = getNode(traj, node.parent);
	if (!parent) return undefined;
	for (let i = parent.children.length - 1; i >= 0; i--) {
		const child = getNode(traj, parent.children[i]!);
		if (child?.kind === 'notice' && child.code === 'stream_retried') return parseRetry(child) ? child : undefined;
	}
	return undefined;
}

/** "retrying in 4 s (1 of 2)" while the wait lasts, then "retry 1 of 2" (the next try is under way). */
export function retryWaitText(wait: RetryWait, now: number): string {
	// The clock may be a tick older than the notice: the wait never shows longer than it is.
	const left = wait.waitMs === undefined ? 0 : Math.min(wait.waitMs, wait.waitMs - (now - wait.since));
	return left > 0 ? `retrying in ${Math.ceil(left / 1000)} s (${wait.retry} of ${wait.of})` : `retry ${wait.retry} of ${wait.of}`;
}

/** The cause said short for a narrow line, without the server's name and address and what a
 * reply withdrawn says before it (the tree's notice row has the whole): "The OpenAI-compatible
 * server at http://… answered 503: Service Unavailable." as "503: Service Unavailable", "… closed
 * the connection mid-stream." as "the server closed the connection mid-stream". */
export function shortCause(cause: string): string {
	const server = /\b[Tt]he [^.:]*? at https?:\/\/\S+?(?=:?\s|:?$)/;
	return cause
		.replace(/^The reply so far is withdrawn[^:]*:\s*/, '')
		.replace(new RegExp(`^${server.source} answered `), '')
		.replace(server, 'the server')
		.replace(/\.$/, '');
}
