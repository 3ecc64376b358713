// A logged run whose first iteration (18 s) ran four rlm_query_batched children at once, each
// ~15 s over two iterations: the shape where summed durations go wrong.
const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();

function childRun(startMs: number, runId: string, iterationSeconds: number[]) {
	let at = startMs;
	const iterations = iterationSeconds.map((seconds, index) => {
		const record = {
			type: 'iteration',
			iteration: index + 1,
			timestamp: iso(at),
			prompt: [{role: 'user', content: `job ${runId}`}],
			response: index === iterationSeconds.length - 1 ? 'FINAL(done)' : '```repl\nx = 1\n```',
			code_blocks: [],
			final_answer: index === iterationSeconds.length - 1 ? 'done' : null,
			iteration_time: seconds,
			rlm_tui: {usage: {inputTokens: 10, outputTokens: 5}},
		};
		at += seconds * 1000 + 5;
		return record;
	});
	return {
		run_metadata: {type: 'metadata', timestamp: iso(startMs), root_model: 'sub', max_depth: 2, max_iterations: 30, backend: 'openai', backend_kwargs: {}, environment_type: 'pyodide-sandbox', environment_kwargs: {}, other_backends: null, rlm_tui: {version: 1, session_id: '', run_id: runId, turn: 0, question: `job ${runId}`, context: {type: 'none', chars: 0}}},
		iterations,
	};
}

export function concurrentLog(): string {
	const children = [0, 1, 2, 3].map((slot) => childRun(2_100 + slot * 40, `child_${slot}`, [7.5, 7.4]));
	const lines = [
		{type: 'metadata', timestamp: iso(0), root_model: 'root', max_depth: 2, max_iterations: 30, backend: 'openai', backend_kwargs: {}, environment_type: 'pyodide-sandbox', environment_kwargs: {}, other_backends: null, rlm_tui: {version: 1, session_id: 'abcd1234', run_id: 'root_run', turn: 1, question: 'fan out', context: {type: 'none', chars: 0}}},
		{
			type: 'iteration',
			iteration: 1,
			timestamp: iso(10),
			prompt: [{role: 'user', content: 'fan out'}],
			response: '```repl\nparts = rlm_query_batched(jobs)\n```',
			code_blocks: [
				{
					code: 'parts = rlm_query_batched(jobs)',
					result: {
						stdout: '',
						stderr: '',
						locals: {parts: 'list'},
						execution_time: 15.9,
						rlm_calls: children.map((child, index) => ({root_model: 'sub', prompt: `job ${index}`, response: 'done', usage_summary: {}, prompt_tokens: 20, completion_tokens: 10, execution_time: 15.0, metadata: child, rlm_tui: {fn: 'rlm_query_batched', index, kind: 'rlm'}})),
						final_answer: null,
						rlm_tui: {ok: true, truncated_chars: 0, restarted: false},
					},
				},
			],
			final_answer: null,
			iteration_time: 18.0,
			rlm_tui: {usage: {inputTokens: 200, outputTokens: 100}},
		},
		{type: 'iteration', iteration: 2, timestamp: iso(18_020), prompt: [], response: 'FINAL(ok)', code_blocks: [], final_answer: 'ok', iteration_time: 2.0, rlm_tui: {usage: {inputTokens: 50, outputTokens: 5}, run_status: 'answered', answer: 'ok'}},
	];
	return `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`;
}

