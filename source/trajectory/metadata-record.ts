// The trajectory's metadata line in the original RLM's shape (original-schema.ts), from plain
// values: written by the engine's log for a run, and by the command line for a question logged
// before the engine loads (early-question.ts), which must not load the tree reducer to do it.
/** `R`: the `rlm_tui` block (original-schema.ts OriginalMetadata's, which imports this file). */
export interface MetadataFields<R> {
	/** ISO 8601. */
	timestamp: string;
	model: string;
	maxDepth: number;
	maxIterations: number;
	backend: string;
	baseURL?: string;
	rlmTui?: R;
}

export function metadataFromFields<R>(fields: MetadataFields<R>) {
	return {
		type: 'metadata' as const,
		timestamp: fields.timestamp,
		root_model: fields.model,
		max_depth: fields.maxDepth,
		max_iterations: fields.maxIterations,
		backend: fields.backend,
		backend_kwargs: {model_name: fields.model, ...(fields.baseURL ? {base_url: fields.baseURL} : {})},
		environment_type: 'pyodide-sandbox',
		environment_kwargs: {},
		other_backends: null,
		...(fields.rlmTui ? {rlm_tui: fields.rlmTui} : {}),
	};
}
