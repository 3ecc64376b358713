// One completion of a fresh Rlm against the fake server with a scripted responder, through the
// real openai or anthropic SDK and the real sandbox: what the end-to-end engine tests look at.
import {Rlm} from '../../source/engine/rlm.js';
import type {RlmEvent, RlmEventOf} from '../../source/protocol/events.js';
import type {RlmOptions} from '../../source/engine/types.js';
import {readTrajectoryLog} from '../../source/trajectory/read-log.js';
import type {FakeLlmServer} from './fake-llm-server.js';
import {rootRequests, scripted, subRequests, type Script} from './rlm-script.js';

export const apis = ['openai', 'anthropic'] as const;
export type Api = (typeof apis)[number];

/**
 * Asks 'q' with context 'the context' of an Rlm on `server` (root model 'root-model', 4 iterations,
 * logs in `logDir`): the result, every event, the run's log as read back, and the root and
 * sub-call requests the server got.
 */
export async function runScripted(server: FakeLlmServer, logDir: string, api: Api, script: Script, options: Partial<RlmOptions> = {}) {
	server.requests.length = 0;
	server.setResponder(scripted(script));
	const rlm = new Rlm({
		model: 'root-model',
		backend: api,
		baseURL: api === 'openai' ? server.openaiBaseURL : server.anthropicBaseURL,
		apiKey: 'test-key',
		maxIterations: 4,
		logDir,
		...options,
	});
	const events: RlmEvent[] = [];
	rlm.on('event', (event) => events.push(event));
	try {
		const result = await rlm.completion('q', {context: 'the context'});
		const log = rlm.logFiles.length ? readTrajectoryLog(rlm.logFiles.at(-1)!) : undefined;
		return {result, events, log, roots: rootRequests(server.requests), subs: subRequests(server.requests)};
	} finally {
		await rlm.dispose();
	}
}

/** The events of one type. */
export const of = <T extends RlmEvent['type']>(events: RlmEvent[], type: T) => events.filter((e): e is RlmEventOf<T> => e.type === type);
