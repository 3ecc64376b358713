// Use against the run-wide limits as short text: `$0.012/$0.50 · 12k/100k tok · 31/500 sub-calls
// · 0:42/5:00 · 1/3 errors`. Pure; the tree, the status line, -e and the headless spinner share it.
import type {LimitCaps, LimitName, LimitUse} from '../protocol/limits.js';
import {formatClock, formatCost, formatTokens} from './units.js';
import {formatCount} from '../protocol/numbers.js';

export interface LimitsTextOptions {
	/** Milliseconds since the run started, when a clock is newer than `use.elapsedMs`. */
	elapsedMs?: number;
	/** Leave out caps with nothing used yet, except time and budget (for narrow places). */
	skipUnused?: boolean;
	/** Caps the user did not set (the engine's default 500 sub-calls): left out until
	 * NEAR_DEFAULT_CAP of one is used, so narrow places show what the user chose. */
	defaults?: readonly LimitName[];
}

/** The share of a default cap from which it is shown anyway (the run is about to be stopped by it). */
export const NEAR_DEFAULT_CAP = 0.8;

/** A budget as the user set it: $0.50, $5.00, $0.125. */
const capUsd = (usd: number) => `$${Number.isInteger(Math.round(usd * 1e6) / 1e4) ? usd.toFixed(2) : String(usd)}`;

/** One part per cap that is set, in a fixed order, e.g. `12k/100k tok`. */
export function limitParts(caps: LimitCaps, use: LimitUse, options: LimitsTextOptions = {}): Array<{limit: LimitName; text: string}> {
	const parts: Array<{limit: LimitName; text: string}> = [];
	const add = (limit: LimitName, used: number, text: string) => {
		if (options.skipUnused && used === 0 && limit !== 'maxBudget' && limit !== 'maxTimeout') return;
		if (options.defaults?.includes(limit) && used < NEAR_DEFAULT_CAP * (caps[limit] ?? 0)) return;
		parts.push({limit, text});
	};
	if (caps.maxBudget !== undefined) {
		const unpriced = use.unpricedModels.length > 0 ? ' (+ unpriced)' : '';
		add('maxBudget', use.costUsd, `${formatCost(use.costUsd)}/${capUsd(caps.maxBudget)}${unpriced}`);
	}
	if (caps.maxTimeout !== undefined) {
		const elapsed = Math.min(options.elapsedMs ?? use.elapsedMs, caps.maxTimeout * 1000);
		add('maxTimeout', elapsed, `${formatClock(elapsed)}/${formatClock(caps.maxTimeout * 1000)}`);
	}
	if (caps.maxTokens !== undefined) add('maxTokens', use.tokens, `${formatTokens(use.tokens)}/${formatTokens(caps.maxTokens)} tok`);
	if (caps.maxSubCalls !== undefined) add('maxSubCalls', use.subCalls, `${formatCount(use.subCalls)}/${formatCount(caps.maxSubCalls)} sub-calls`);
	if (caps.maxErrors !== undefined) add('maxErrors', use.errors, `${use.errors}/${caps.maxErrors} errors`);
	return parts;
}

/** The parts joined with ` · ` ('' when no cap is set). */
export function limitsText(caps: LimitCaps, use: LimitUse, options: LimitsTextOptions = {}): string {
	return limitParts(caps, use, options)
		.map((part) => part.text)
		.join(' · ');
}

/** The share of its cap each limit has used (0 to 1 and beyond), for the caps that are set. */
function usedShare(limit: LimitName, caps: LimitCaps, use: LimitUse, elapsedMs: number): number {
	const cap = caps[limit] ?? 0;
	if (cap <= 0) return 1;
	const used = {maxBudget: use.costUsd, maxTimeout: elapsedMs / 1000, maxTokens: use.tokens, maxSubCalls: use.subCalls, maxErrors: use.errors}[limit];
	return used / cap;
}

/** The one part nearest its cap (the compact form for narrow places); '' when none is shown. */
export function nearestLimitText(caps: LimitCaps, use: LimitUse, options: LimitsTextOptions = {}): string {
	return nearestLimitPart(caps, use, options)?.text ?? '';
}

/** The one part nearest its cap, with its limit; undefined when none is shown. */
export function nearestLimitPart(caps: LimitCaps, use: LimitUse, options: LimitsTextOptions = {}): {limit: LimitName; text: string} | undefined {
	const elapsed = options.elapsedMs ?? use.elapsedMs;
	let best: {share: number; part: {limit: LimitName; text: string}} | undefined;
	for (const part of limitParts(caps, use, options)) {
		const share = usedShare(part.limit, caps, use, elapsed);
		if (!best || share > best.share) best = {share, part};
	}
	return best?.part;
}
