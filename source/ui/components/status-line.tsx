import {Text} from 'ink';
import {memo} from 'react';
import {badgeText, type ContextBadge} from '../../context/summary.js';
import type {Usage} from '../../protocol/llm.js';
import {clip, displayWidth} from '../format.js';
import {formatClock, formatCost, formatTokens} from '../../text/units.js';
import type {LimitCaps, LimitUse} from '../../protocol/limits.js';
import {limitsText} from '../../text/limits-text.js';
import type {Theme} from '../theme.js';
import {spinnerFrame} from '../theme.js';

export interface StatusLineProps {
	width: number;
	backend: string;
	model: string;
	iteration: number;
	maxIterations: number;
	/** performance.now() when the running question started; undefined when idle. */
	runningSince?: number;
	cancelling: boolean;
	lastElapsed?: number;
	usage: Usage;
	/** Estimated USD so far (the engine prices each call); undefined when no price is known. */
	costUsd: number | undefined;
	/** The current (or last) question's own usage and cost, shown before the session's when they differ. */
	run?: {readonly usage: Usage; readonly costUsd: number | undefined};
	/** What is loaded as the context, if anything. */
	context?: ContextBadge;
	/** The run-wide limits of the current (or last) question and its use against them. */
	limits?: {caps: LimitCaps; use: LimitUse};
	hints: string;
	theme: Theme;
	/** The app's clock (moves only while a question runs). */
	now: number;
}

const tokens = (usage: Usage) => `↑${formatTokens(usage.inputTokens)} ↓${formatTokens(usage.outputTokens)}`;

function usageText(usage: Usage, cost: number | undefined, label: string): string {
	if (!usage.inputTokens && !usage.outputTokens) return '';
	return `${label}${tokens(usage)} tok${cost !== undefined ? ` ~${formatCost(cost)}` : ''}`;
}

/** "run ↑1.2k ↓300 ~$0.004": only when the session holds more than this question. */
function runText(run: StatusLineProps['run'], session: Usage): string {
	if (!run || (run.usage.inputTokens === session.inputTokens && run.usage.outputTokens === session.outputTokens)) return '';
	return `run ${tokens(run.usage)}${run.costUsd !== undefined ? ` ~${formatCost(run.costUsd)}` : ''}`;
}

export const StatusLine = memo(function StatusLine(props: StatusLineProps) {
	const {width, backend, model, iteration, maxIterations, runningSince, cancelling, lastElapsed, usage, costUsd: cost, run, context, limits, hints, theme, now} = props;
	const running = runningSince !== undefined;
	const elapsed = running ? now - runningSince : lastElapsed;
	const parts = [
		`${backend} · ${model}`,
		context ? `ctx ${badgeText(context, (label) => clip(label, 24))}` : '',
		iteration > 0 ? `iter ${iteration}/${maxIterations}` : '',
		elapsed !== undefined ? formatClock(elapsed) : '',
		runText(run, usage),
		usageText(usage, cost, run && runText(run, usage) ? 'session ' : ''),
		// Caps with nothing used yet stay out (sub-calls always have one), except time and budget.
		limits ? limitsText(limits.caps, limits.use, {skipUnused: true, ...(elapsed !== undefined ? {elapsedMs: elapsed} : {})}) : '',
	].filter(Boolean);
	const lead = running ? `${spinnerFrame(now)} ` : '  ';
	const left = clip(parts.join(' │ '), Math.max(1, width - 2));
	const room = width - displayWidth(lead) - displayWidth(left) - 2;
	const right = room > 8 ? clip(hints, room) : '';
	const gap = Math.max(1, width - displayWidth(lead) - displayWidth(left) - displayWidth(right));
	return (
		<Text wrap="truncate">
			<Text color={cancelling ? theme.warn : theme.running}>{lead}</Text>
			<Text color={theme.accent}>{left}</Text>
			<Text>{' '.repeat(gap)}</Text>
			<Text color={theme.dim}>{right}</Text>
		</Text>
	);
});
