// The models serve runs: `rlm` (the RLM over the root model) and `rlm:<model>` over another. With
// allowModels, only the root model, the sub-model and those; else the backend's models when it
// lists them, else any name (the upstream says whether it has it). A request's model is checked
// before anything is sent upstream, so a client cannot pick a model the server does not offer.
import {quotedClip} from '../protocol/quoted.js';
import {printableLine} from '../text/printable.js';
import {HttpError} from './http-error.js';

export const ALIAS_PREFIX = 'rlm:';

/** How many model names a refusal shows before it points at GET /v1/models for the rest. */
const SHOWN_NAMES = 8;

export interface ServedModelsOptions {
	/** The model behind `rlm` (-m). */
	rootModel: string;
	subModel?: string | undefined;
	/** --allow-models: when given, the only models besides the root model and the sub-model. */
	allowModels?: readonly string[] | undefined;
	/** The model id a name stands for on the backend (its alias resolved). */
	modelId: (name: string) => string;
	/** The backend's model ids (kept a while: model-list.ts), or undefined when it cannot say. */
	backendModels: () => Promise<string[] | undefined>;
}

export interface ServedModels {
	/** The ids GET /v1/models lists: `rlm`, then `rlm:<model>` for each model served. */
	ids(): Promise<string[]>;
	/** The root model a request naming `requested` runs.
	 * @throws HttpError 400 for a name holding control characters, 404 for a model not served. */
	rootModelFor(requested: string): Promise<string>;
}

/**
 * The first of the operator's model names (--allow-models, in order) that no client could ask for
 * (it holds a control or formatting character, which a request's model name is refused for), in
 * one line naming its position: undefined when all are plain.
 */
export function unaskableModelName(names: readonly string[], what = '--allow-models'): string | undefined {
	const index = names.findIndex((name) => !isPlainName(name));
	if (index < 0) return undefined;
	return `Invalid ${what}: model name ${index + 1} of ${names.length}, ${quotedClip(names[index]!)}, holds a control or formatting character, so no client could ask for it: give the names as the backend lists them.`;
}

/** @throws TypeError for an allowModels name no client could ask for (unaskableModelName). */
export function servedModels(options: ServedModelsOptions): ServedModels {
	const unaskable = unaskableModelName(options.allowModels ?? [], 'allowModels');
	if (unaskable) throw new TypeError(unaskable);
	const rootId = options.modelId(options.rootModel);
	const allowed = options.allowModels?.length
		? [...new Set([options.rootModel, ...(options.subModel ? [options.subModel] : []), ...options.allowModels].map(options.modelId))]
		: undefined;
	/** The backend's list, when it gave one; names holding controls are left out (none can be asked for). */
	const listed = async () => {
		const models = (await options.backendModels())?.filter(isPlainName);
		return models?.length ? models : undefined;
	};
	const aliased = (models: readonly string[]) => ['rlm', ...models.map((model) => `${ALIAS_PREFIX}${model}`)];

	return {
		ids: async () => aliased(allowed ?? (await listed()) ?? (options.rootModel ? [options.rootModel] : [])),
		async rootModelFor(requested) {
			if (!isPlainName(requested))
				throw new HttpError(400, 'invalid_request_error', `Invalid model name ${quotedClip(requested)}: a model name holds no control or formatting characters.`, {code: 'invalid_value', param: 'model', retry: false});
			if (requested === 'rlm') return options.rootModel;
			if (!requested.startsWith(ALIAS_PREFIX) || requested.length === ALIAS_PREFIX.length)
				throw new HttpError(404, 'not_found_error', `Unknown model ${quotedClip(requested)}: use "rlm" or "rlm:<model>" (see GET /v1/models).`, notFound);
			const name = requested.slice(ALIAS_PREFIX.length);
			const id = options.modelId(name);
			if (allowed) {
				if (!allowed.includes(id)) throw new HttpError(404, 'not_found_error', `Model ${quotedClip(requested)} is not one this server runs: use one of ${namesOf(aliased(allowed))}.`, notFound);
				return id;
			}
			if (id === rootId) return id;
			const models = await listed();
			// When the backend cannot say, the name is taken on trust: the upstream answers for it.
			if (models && !listedAs(models, id)) throw new HttpError(404, 'not_found_error', `The backend has no model ${quotedClip(name)}: use one of ${namesOf(aliased(models))}.`, notFound);
			return id;
		},
	};
}

const notFound = {code: 'model_not_found', param: 'model', retry: false} as const;

/** Whether `models` holds `id`; an untagged name also as Ollama reads it, with its default
 * tag (`qwen3` is `qwen3:latest`). */
const listedAs = (models: readonly string[], id: string) => models.includes(id) || (!id.includes(':') && models.includes(`${id}:latest`));

/** One line, nothing a terminal would act on or hide (printable.ts): no escape sequence, no line
 * break, no bidi override. */
const isPlainName = (name: string) => printableLine(name) === name && !name.includes('\t');

/** The first names, quoted, and how many more GET /v1/models lists. */
function namesOf(names: readonly string[]): string {
	const first = names.slice(0, SHOWN_NAMES).map((name) => quotedClip(name)).join(', ');
	return names.length > SHOWN_NAMES ? `${first} and ${names.length - SHOWN_NAMES} more (see GET /v1/models)` : `${first} (see GET /v1/models)`;
}
