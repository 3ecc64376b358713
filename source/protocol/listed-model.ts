// Whether a server's model list has a model (the engine's choice after /backend, /model's warning).
// Servers list a model under more than the name users
// send: Ollama lists `llama3:latest` and serves it as `llama3`; OpenAI and Anthropic list dated
// snapshots (`gpt-4o-2024-08-06`, `claude-sonnet-4-5-20250929`) beside, or instead of, the undated
// name that points at the newest one.
const DATED_SNAPSHOT = /^-(?:\d{8}|\d{4}-\d{2}-\d{2})$/;

/** True when `listed` (a server's /models ids) has `model`: the same id, its `:latest` tag, or a
 * dated snapshot of it (of `claude-3-5-sonnet` for Anthropic's `claude-3-5-sonnet-latest`). */
export function listsModel(listed: readonly string[], model: string): boolean {
	const name = model.trim();
	if (!name) return false;
	const stem = name.endsWith('-latest') ? name.slice(0, -'-latest'.length) : name;
	const snapshotOf = (id: string) => id.startsWith(stem) && DATED_SNAPSHOT.test(id.slice(stem.length));
	return listed.some((id) => id === name || id === `${name}:latest` || snapshotOf(id));
}
