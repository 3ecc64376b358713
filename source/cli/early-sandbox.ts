// The Python sandbox starts the moment the command line does, before flags, settings, context or
// the backend are read: its snapshot restore (the longest step of a start) then overlaps all of
// them. The run takes it as a spare (sandbox/spare.ts); serve keeps one ready for each request.
// Modes that run no Python (--replay) start none; a usage error just exits, and the host with it
// (a claimed warm host is replaced by a new one: keep-warm.ts).
// A warm host left by an earlier run (--keep-warm, sandbox/warm-spare.ts) is claimed when there
// is one: whether to leave one is a setting, but using one left is always the faster start.
// Otherwise the host is spawned first (sandbox/early-host.ts: Node's built-ins and a few small
// files loaded), and the sandbox's own code loads while it restores its snapshot.

/** Starts a spare sandbox unless the raw words ask for a mode that runs no Python. */
export async function startSandboxEarly(words: readonly string[]): Promise<void> {
	const end = words.indexOf('--');
	const flags = end === -1 ? words : words.slice(0, end);
	if (flags.some((word) => word === '--replay' || word.startsWith('--replay='))) return;
	(await import('../sandbox/early-host.js')).spawnHostEarly();
	// A usage error or a Ctrl+C before the mode starts must not use up a warm host: one is left in its
	// place (keep-warm.ts). Ready before the claim starts, and before main.ts (which may exit on a usage error) loads.
	const [{startSpare}] = await Promise.all([import('../sandbox/spare.js'), (await import('./keep-warm.js')).restoreClaimedSpareAtExit()]);
	void startSpare({claimWarm: true}, {keep: flags.includes('serve') || flags.includes('mcp')});
}
