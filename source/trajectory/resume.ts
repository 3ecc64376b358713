// What --resume needs from a session's logs: each turn's question and answer, its context when
// it was kept, and the successful code blocks with the sub-call answers they got, in order.
import type {SandboxContext} from '../protocol/repl.js';
import type {TrajectoryLog} from './read-log.js';

export interface ResumeBlock {
	code: string;
	/** Sub-call responses in the order the block asked for them. */
	responses: string[];
}

export interface ResumeTurn {
	question: string;
	/** null when the turn did not end with an answer (cancelled or failed). */
	answer: string | null;
	/** 'prompt': the question was the context; 'logged': `context` holds it; 'missing': too big to log. */
	contextSource: 'prompt' | 'logged' | 'missing';
	context?: SandboxContext;
	blocks: ResumeBlock[];
}

interface Extra {
	question?: string;
	context_text?: SandboxContext;
	context_is_prompt?: boolean;
	run_status?: string;
	answer?: string;
	ok?: boolean;
}

const extra = (value: unknown): Extra => (value && typeof value === 'object' ? value : {});

/** Whether a run got as far as a model reply: false for one that failed or was stopped before
 * (its only line then says why), which has nothing to resume. */
export function reachedModel(log: TrajectoryLog): boolean {
	return log.iterations.some((iteration) => iteration.response !== '' || iteration.code_blocks.length > 0 || iteration.final_answer !== null);
}

export function resumeTurns(logs: TrajectoryLog[]): ResumeTurn[] {
	return logs.map((log) => {
		const meta = extra(log.metadata.rlm_tui);
		let answer: string | null = null;
		let status: string | undefined;
		const blocks: ResumeBlock[] = [];
		for (const iteration of log.iterations) {
			const more = extra(iteration.rlm_tui);
			if (more.run_status) status = more.run_status;
			if (more.answer !== undefined) answer = more.answer;
			if (iteration.final_answer !== null) answer = iteration.final_answer;
			for (const block of iteration.code_blocks) {
				if (extra(block.result.rlm_tui).ok === false) continue;
				blocks.push({code: block.code, responses: block.result.rlm_calls.map((call) => call.response)});
			}
		}
		const answered = status === undefined ? answer !== null : status === 'answered' || status === 'forced' || (status === 'limited' && Boolean(answer));
		const question = meta.question ?? '';
		const source: ResumeTurn['contextSource'] =
			meta.context_is_prompt || meta.context_text === question ? 'prompt' : meta.context_text !== undefined ? 'logged' : 'missing';
		return {
			question,
			answer: answered ? (answer ?? '') : null,
			contextSource: source,
			...(source === 'logged' ? {context: meta.context_text} : {}),
			blocks,
		};
	});
}
