// Sandboxes started ahead of need. The CLI starts one the moment the process starts (before flags,
// settings or context are read), so the snapshot restore overlaps everything else; serve keeps one
// ready for its next request. A spare is a fresh host in which no code has run: handing it out is
// the same as starting one, minus the wait.
import {resolveOptions, type SandboxStartOptions} from './options.js';
import {Sandbox} from './sandbox.js';

interface Spare {
	starting: Promise<Sandbox>;
	/** Start another once this one is handed out. */
	keep: boolean;
}

/** At most one spare per cache dir (the snapshot it starts from lives there). */
const spares = new Map<string, Spare>();

/**
 * Starts a spare sandbox for `options.cacheDir` unless one is there already. `keep`: once it is
 * handed out, start the next (as soon as the one handed out is ready, so the two do not compete
 * for the CPU). Resolves with the spare once it is ready, or null if it could not start (it is
 * then dropped, and the next start starts fresh); never rejects.
 */
export function startSpare(options?: SandboxStartOptions, {keep = false}: {keep?: boolean} = {}): Promise<Sandbox | null> {
	const resolved = resolveOptions(options);
	const existing = spares.get(resolved.cacheDir);
	if (existing) {
		existing.keep ||= keep;
		return existing.starting.catch(() => null);
	}
	const spare: Spare = {starting: Sandbox.start(resolved), keep};
	spares.set(resolved.cacheDir, spare);
	return spare.starting.catch(() => {
		if (spares.get(resolved.cacheDir) === spare) spares.delete(resolved.cacheDir);
		return null;
	});
}

/**
 * A sandbox configured with `options`: the spare for its cache dir when there is one (configured
 * to match), else a new one. Rejects as Sandbox.start does.
 */
export async function startSandbox(options?: SandboxStartOptions): Promise<Sandbox> {
	const resolved = resolveOptions(options);
	const spare = spares.get(resolved.cacheDir);
	if (spare) {
		spares.delete(resolved.cacheDir);
		const sandbox = await spare.starting.catch(() => null);
		if (spare.keep) void startSpare(resolved, {keep: true});
		if (sandbox?.alive) {
			await sandbox.configure(resolved);
			return sandbox;
		}
		await sandbox?.dispose();
	}
	return Sandbox.start(resolved);
}

/** Stops keeping spares and disposes of those waiting. */
export async function disposeSpares(): Promise<void> {
	const waiting = [...spares.values()];
	spares.clear();
	await Promise.all(waiting.map(async (spare) => (await spare.starting.catch(() => null))?.dispose()));
}

/** Spares waiting or starting, by cache dir (for tests and diagnostics). */
export function spareCount(): number {
	return spares.size;
}
