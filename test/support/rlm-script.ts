// Scripting the fake LLM server for RLM runs: root requests carry a system prompt, sub-calls do not.
import type {ChatMessage} from '../../source/backends/types.js';
import type {FakeReply, FakeRequest, FakeResponder} from './fake-llm-server.js';

export interface RootTurn {
	/** 0 for the first root call of a run, 1 for the next, ... */
	turn: number;
	request: FakeRequest;
	/** The last user message (feedback, nudge or the first message). */
	lastUser: string;
	system: string;
}

export interface Script {
	root: (turn: RootTurn) => FakeReply | Promise<FakeReply>;
	sub?: (prompt: string, request: FakeRequest) => FakeReply | Promise<FakeReply>;
}

export const repl = (code: string, before = 'Working on it.') => ({text: `${before}\n\n\`\`\`repl\n${code}\n\`\`\``});

const lastUserOf = (messages: ChatMessage[]) => [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';

export function scripted(script: Script): FakeResponder {
	return (request) => {
		const system = request.messages.find((m) => m.role === 'system')?.content;
		if (system === undefined) {
			const prompt = lastUserOf(request.messages);
			return script.sub ? script.sub(prompt, request) : {text: `sub:${prompt.length}`};
		}
		const turn = request.messages.filter((m) => m.role === 'assistant').length;
		return script.root({turn, request, lastUser: lastUserOf(request.messages), system});
	};
}

export const rootRequests = (requests: FakeRequest[]) => requests.filter((r) => r.messages.some((m) => m.role === 'system'));
export const subRequests = (requests: FakeRequest[]) => requests.filter((r) => !r.messages.some((m) => m.role === 'system'));
