// How the front ends name a reply its server did not finish (protocol/llm.ts CutReason): the
// tree's mark, the -e log's line and the detail view's sentence, from one table.
import {isCutReply, type FinishReason} from '../protocol/llm.js';

interface CutWords {
	/** The tree row's mark. */
	mark: string;
	/** The -e log's line, after '✂ '. */
	line: string;
	/** The detail view's heading and sentence. */
	heading: string;
	detail: string;
}

const WORDS = {
	length: {mark: '✂ cut at limit', heading: 'Cut', line: 'cut at the output-token limit', detail: 'The reply reached the output-token limit: it is incomplete.'},
	context_window: {
		mark: '✂ window full',
		heading: 'Cut',
		line: "cut off: the model's context window filled",
		detail: "The model's context window filled before the reply was finished (Anthropic's stop_reason model_context_window_exceeded): it is incomplete.",
	},
	paused: {
		mark: '✂ paused',
		heading: 'Cut',
		line: 'paused by the server (stop_reason pause_turn)',
		detail: "The server paused the reply before it was finished (Anthropic's stop_reason pause_turn, which comes with server tools; rlm-tui uses none): it is incomplete.",
	},
	dropped: {
		mark: '✂ stream dropped',
		heading: 'Cut',
		line: 'cut off: the server ended the stream before the reply was finished',
		detail: 'The stream ended before the reply was finished (no finish reason; the server, a proxy or the request timeout ended it): it is incomplete.',
	},
	content_filter: {
		mark: '✂ filtered',
		heading: 'Filtered',
		line: "stopped by the provider's content filter",
		detail: "The provider's content filter stopped the reply (finish_reason content_filter, or Anthropic's stop_reason refusal): it is incomplete.",
	},
	refusal: {
		mark: '✂ refused',
		heading: 'Refused',
		line: 'refused by the model',
		detail: "The model refused (OpenAI's refusal field): the reply is its refusal, not an answer.",
	},
} as const satisfies Record<string, CutWords>;

/** The words for a reply that ended with `reason`; null for a finished one. */
export function cutReplyWords(reason: string | undefined): CutWords | null {
	return isCutReply(reason as FinishReason | undefined) ? WORDS[reason as keyof typeof WORDS] : null;
}
