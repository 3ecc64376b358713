// The sandbox's knobs and their defaults.
import {DEFAULT_MEMORY_LIMIT_MB} from '../protocol/defaults.js';
import {defaultCacheDir} from './paths.js';
import type {SandboxOptions} from './types.js';

export const sandboxDefaults = {
	timeoutMs: 30_000,
	maxOutputChars: 20_000,
	memoryLimitMb: DEFAULT_MEMORY_LIMIT_MB,
	memoryLimitName: 'the sandbox option memoryLimitMb',
	/** After an interrupt, how long Python has to stop before the host is killed. */
	interruptGraceMs: 3_000,
	/** How long a host may take to get ready (a cold start is ~2-3 s; slow CI machines more). */
	startTimeoutMs: 90_000,
} as const;

/** Extra knobs, mostly for tests and benchmarks. */
export interface SandboxStartOptions extends SandboxOptions {
	/** Milliseconds. */
	interruptGraceMs?: number;
	/** Milliseconds. */
	startTimeoutMs?: number;
	/** Start on the warm host waiting for this build (warm-link.ts), if there is one: a host left by
	 * an earlier run with --keep-warm. Off by default; the CLI turns it on. `dir`: where to look
	 * instead of warm-dir.ts warmDir() (tests). */
	claimWarm?: boolean | {dir: string};
}

export type ResolvedOptions = Required<SandboxStartOptions>;

export function resolveOptions(options: SandboxStartOptions = {}): ResolvedOptions {
	return {
		timeoutMs: options.timeoutMs ?? sandboxDefaults.timeoutMs,
		maxOutputChars: options.maxOutputChars ?? sandboxDefaults.maxOutputChars,
		memoryLimitMb: options.memoryLimitMb ?? sandboxDefaults.memoryLimitMb,
		memoryLimitName: options.memoryLimitName ?? sandboxDefaults.memoryLimitName,
		cacheDir: options.cacheDir ?? defaultCacheDir(),
		interruptGraceMs: options.interruptGraceMs ?? sandboxDefaults.interruptGraceMs,
		startTimeoutMs: options.startTimeoutMs ?? sandboxDefaults.startTimeoutMs,
		claimWarm: options.claimWarm ?? false,
	};
}
