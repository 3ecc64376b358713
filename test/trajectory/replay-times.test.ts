// Replay times come from the log's own timestamps: concurrent children overlap instead of adding
// up, an iteration lasts what the log says, and a child never outlasts its run or its call.
import {describe, expect, it} from 'vitest';
import {logToEvents} from '../../source/trajectory/log-to-events.js';
import {parseTrajectoryLog} from '../../source/trajectory/read-log.js';
import {concurrentLog} from '../support/concurrent-log.js';
import {getNode, reduceAll, type TrajectoryNode, type TrajectoryState} from '../../source/trajectory/tree.js';

const all = (traj: TrajectoryState): TrajectoryNode[] => Array.from({length: traj.nodes.size}, (_, id) => getNode(traj, id)!);

describe('replay durations', () => {
	it('times an iteration by the log, not by the sum of its concurrent children', () => {
		const traj = reduceAll(logToEvents(parseTrajectoryLog(concurrentLog())));
		const nodes = all(traj);
		const rootIterations = nodes.filter((node) => node.kind === 'iteration' && node.level === 1);
		expect(rootIterations).toHaveLength(2);
		// Logged: iteration 1 starts at 10 ms and iteration 2 at 18,020 ms, which lasts 2 s; summed
		// one after another, the children alone would be over a minute.
		expect(rootIterations.map((node) => node.ms)).toEqual([18_010, 2_000]);
		const root = getNode(traj, traj.roots[0]!)!;
		expect(root.ms).toBe(20_020);
	});

	it('never shows a child longer than its run, nor a run longer than its call', () => {
		const traj = reduceAll(logToEvents(parseTrajectoryLog(concurrentLog())));
		const nodes = all(traj);
		const childRuns = nodes.filter((node) => node.kind === 'run' && node.parent >= 0);
		expect(childRuns).toHaveLength(4);
		for (const run of childRuns) {
			const iterations = run.children.map((id) => getNode(traj, id)!).filter((node) => node.kind === 'iteration');
			expect(iterations).toHaveLength(2);
			// The run spans its iterations exactly: from the first one's start to the last one's logged end.
			const [first, last] = iterations as [TrajectoryNode, TrajectoryNode];
			expect(first.startedAt).toBe(run.startedAt);
			expect(last.ms).toBe(7_400);
			expect(last.startedAt + last.ms!).toBe(run.startedAt + run.ms!);
		}
		// Exact spans from the fixture's timestamps (ms since the log began): each child run lies
		// inside its call, and they ran at the same time (every one starts before any ends).
		expect(childRuns.map((run) => [run.startedAt, run.startedAt + run.ms!])).toEqual([
			[2_110, 17_010],
			[2_140, 17_045],
			[2_180, 17_085],
			[2_220, 17_125],
		]);
		expect(childRuns.map((run) => getNode(traj, run.parent)!).map((call) => [call.startedAt, call.endedAt])).toEqual([
			[2_110, 17_110],
			[2_110, 17_110],
			[2_110, 17_110],
			[2_110, 17_125],
		]);
	});

	it('keeps events in time order, each child inside its parent, the root run last', () => {
		const events = logToEvents(parseTrajectoryLog(concurrentLog()));
		const times = events.map((event) => event.t);
		expect(times).toEqual([...times].sort((a, b) => a - b));
		expect(events.at(-1)).toMatchObject({type: 'run.done', runId: 'root_run', status: 'answered'});
		// The four children interleave: a second child starts before the first one ends.
		const order = events.filter((event) => (event.type === 'run.start' || event.type === 'run.done') && event.runId.startsWith('child_')).map((event) => `${event.type} ${'runId' in event ? event.runId : ''}`);
		expect(order.slice(0, 2)).toEqual(['run.start child_0', 'run.start child_1']);
	});

	it("places the original's iterations by their end timestamps", () => {
		const lines = [
			{type: 'metadata', timestamp: '2026-01-31T11:05:04.000000', root_model: 'gpt-5', max_depth: 1, max_iterations: 10, backend: 'openai', backend_kwargs: {}, environment_type: 'local', environment_kwargs: {}, other_backends: null},
			{type: 'iteration', iteration: 1, timestamp: '2026-01-31T11:05:10.000000', prompt: [], response: 'a', code_blocks: [], final_answer: null, iteration_time: 6},
			{type: 'iteration', iteration: 2, timestamp: '2026-01-31T11:05:14.000000', prompt: [], response: 'FINAL(b)', code_blocks: [], final_answer: 'b', iteration_time: 3},
		];
		const traj = reduceAll(logToEvents(parseTrajectoryLog(lines.map((line) => JSON.stringify(line)).join('\n'))));
		const iterations = all(traj).filter((node) => node.kind === 'iteration');
		// Iteration 1 ran 11:05:04-11:05:10, iteration 2 11:05:11-11:05:14.
		expect(iterations.map((node) => [node.startedAt, node.ms])).toEqual([
			[0, 7_000],
			[7_000, 3_000],
		]);
	});
});
