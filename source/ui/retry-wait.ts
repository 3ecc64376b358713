// A reply waiting to be retried: a `stream_retried` notice came (the backend sleeps before the
// next try) and nothing of the next try has streamed yet, neither answer text nor thinking. Its
// row and the working line say so, from the notice's facts (its `retry`: the wait, the cause),
// instead of "streaming". No wording of the notice is read: a notice from a log written before
// the facts were kept says only that the reply is retried.
import {RETRY_AT_ONCE_MS, type RetryFacts} from '../protocol/llm.js';
import {getNode, type NoticeNode, type TrajectoryNode, type TrajectoryState} from '../trajectory/tree.js';

export interface RetryWait {
	/** The retry's facts; absent for a notice that has none (an older log): no countdown then. */
	facts?: RetryFacts;
	/** When the notice came (the clock of `now`), in ms. */
	since: number;
}

/** The retry a `stream_retried` notice announces, as its facts say it. */
export function retryWaitOf(notice: Pick<NoticeNode, 'retry' | 'startedAt'>): RetryWait {
	return {...(notice.retry ? {facts: notice.retry} : {}), since: notice.startedAt};
}

/** The notice of the retry a running reply waits for: the iteration's last `stream_retried`
 * notice while nothing of the reply's next try has come (no answer text, and no thinking past
 * what the reply had shown when the notice came; a blank line between tries' thinking is not the
 * next try's). */
export function pendingRetry(traj: TrajectoryState, node: TrajectoryNode): NoticeNode | undefined {
	if (node.kind !== 'reply' || node.status !== 'running' || node.text !== '') return undefined;
	const parent = getNode(traj, node.parent);
	if (!parent) return undefined;
	for (let i = parent.children.length - 1; i >= 0; i--) {
		const child = getNode(traj, parent.children[i]!);
		if (child?.kind !== 'notice' || child.code !== 'stream_retried') continue;
		return thoughtSince(traj, node, child.thoughtChars ?? 0) ? undefined : child;
	}
	return undefined;
}

/** Whether the reply's thinking has more than blank space past its first `chars` characters. */
function thoughtSince(traj: TrajectoryState, reply: TrajectoryNode, chars: number): boolean {
	for (const id of reply.children) {
		const child = getNode(traj, id);
		if (child?.kind === 'reasoning') return child.text.slice(chars).trim() !== '';
	}
	return false;
}

/** "retrying in 4 s (1 of 2)" while the wait lasts ("retrying within 1 s" when only its longest is
 * known: the SDK's backoff), then "retry 1 of 2" (the next try is under way); "retrying" when the
 * notice has no facts. `which` false: without "(1 of 2)" while the wait lasts (the working line,
 * which gives the room to the cause; the reply's row says which). */
export function retryWaitText(wait: RetryWait, now: number, which = true): string {
	const {facts} = wait;
	if (!facts) return 'retrying';
	const of = `${facts.retry} of ${facts.maxRetries}`;
	const named = facts.waitMs ?? facts.waitAtMostMs ?? 0;
	// A wait the notice says is "at once" is no countdown.
	const longest = named < RETRY_AT_ONCE_MS ? 0 : named;
	// The clock may be a tick older than the notice: the wait never shows longer than it is.
	const left = Math.min(longest, longest - (now - wait.since));
	if (left <= 0) return `retry ${of}`;
	return `retrying ${facts.waitMs === undefined ? 'within' : 'in'} ${Math.ceil(left / 1000)} s${which ? ` (${of})` : ''}`;
}
