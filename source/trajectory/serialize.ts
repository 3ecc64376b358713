// The one JSON shape of a session, shared by --json and /save: settings, the chat, and the tree.
import type {HistoryEntry} from '../protocol/repl.js';
import {toNested, type NestedNode, type TrajectoryState} from './tree.js';

export interface SessionJson {
	version: 1;
	savedAt: string;
	backend: string;
	model: string;
	subModel?: string;
	history: HistoryEntry[];
	usage: {inputTokens: number; outputTokens: number; totalTokens: number};
	/** Tokens per backend and model, when sub-calls went to another backend. */
	usageByBackend?: TrajectoryState['usageByBackend'];
	runs: NestedNode[];
}

export function sessionJson(options: {backend: string; model: string; subModel?: string; history: HistoryEntry[]; state: TrajectoryState}): SessionJson {
	const {usage} = options.state;
	return {
		version: 1,
		savedAt: new Date().toISOString(),
		backend: options.backend,
		model: options.model,
		...(options.subModel ? {subModel: options.subModel} : {}),
		history: options.history,
		usage: {...usage, totalTokens: usage.inputTokens + usage.outputTokens},
		...(Object.keys(options.state.usageByBackend ?? {}).length > 1 ? {usageByBackend: options.state.usageByBackend} : {}),
		runs: toNested(options.state),
	};
}
