// One question's estimated cost (for the status line), summed over its run's subtree as the
// trajectory's session-wide costUsd is: each reply, each llm sub-call (a child run's own replies
// count, not the call that started it) and each compaction's summary call, at the price the engine
// gave it.
import {getNode, type RunNode, type TrajectoryState} from '../trajectory/tree.js';

const cache = new WeakMap<RunNode, {costUsd: number | undefined}>();

/** Estimated USD under one root run (undefined when nothing in it was priced); cached per run node
 * (a new node object whenever its usage changed). */
export function runCost(traj: TrajectoryState, run: RunNode): number | undefined {
	const cached = cache.get(run);
	if (cached) return cached.costUsd;
	let costUsd: number | undefined;
	const stack = [run.id];
	while (stack.length > 0) {
		const node = getNode(traj, stack.pop()!);
		if (!node) continue;
		if ((node.kind === 'reply' || node.kind === 'call' || node.kind === 'notice') && node.costUsd !== undefined) costUsd = (costUsd ?? 0) + node.costUsd;
		for (const child of node.children) stack.push(child);
	}
	cache.set(run, {costUsd});
	return costUsd;
}
