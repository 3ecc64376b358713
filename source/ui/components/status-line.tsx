import {Text} from 'ink';
import {memo} from 'react';
import {badgeText, type ContextBadge} from '../../context/summary.js';
import type {Usage} from '../../protocol/llm.js';
import {clip, displayWidth} from '../format.js';
import {formatClock, formatCost, formatTokens} from '../../text/units.js';
import type {LimitCaps, LimitName, LimitUse} from '../../protocol/limits.js';
import {limitsText, nearestLimitText} from '../../text/limits-text.js';
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
	limits?: {caps: LimitCaps; use: LimitUse; defaults?: readonly LimitName[]};
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

/** Hints keep at least this much room (the idle chat's "Enter send · Tab tree · /help" fits). */
const HINT_ROOM = 30;
const SEPARATOR = ' │ ';

type PartName = 'model' | 'context' | 'iteration' | 'clock' | 'run' | 'usage' | 'limits';

/** How the left side gives way when short of room, one step at a time: a part shortened to its
 * second form, or dropped. The model and the iteration always stay. */
const GIVE_WAY: ReadonlyArray<[PartName, 'shorten' | 'drop']> = [
	['run', 'drop'],
	['usage', 'shorten'],
	['model', 'shorten'],
	['limits', 'shorten'],
	['clock', 'drop'],
	['usage', 'drop'],
	['context', 'drop'],
	['limits', 'drop'],
];

/** The left side, given way step by step until it fits `room` columns (the caller clips the rest). */
function fitParts(parts: Record<PartName, {text: string; shorter?: string}>, room: number): string {
	const order: PartName[] = ['model', 'context', 'iteration', 'clock', 'run', 'usage', 'limits'];
	const text = {...Object.fromEntries(order.map((name) => [name, parts[name].text]))} as Record<PartName, string>;
	const line = () => order.map((name) => text[name]).filter(Boolean).join(SEPARATOR);
	for (const [name, step] of GIVE_WAY) {
		if (displayWidth(line()) <= room) break;
		text[name] = step === 'shorten' ? (parts[name].shorter ?? text[name]) : '';
	}
	return line();
}

export const StatusLine = memo(function StatusLine(props: StatusLineProps) {
	const {width, backend, model, iteration, maxIterations, runningSince, cancelling, lastElapsed, usage, costUsd: cost, run, context, limits, hints, theme, now} = props;
	const running = runningSince !== undefined;
	const elapsed = running ? now - runningSince : lastElapsed;
	const runPart = runText(run, usage);
	const total = usage.inputTokens + usage.outputTokens;
	// Caps with nothing used yet stay out, except time and budget; so do the engine's defaults
	// (500 sub-calls) until nearly reached. Short of room: only the cap nearest its end.
	const limitOptions = {skipUnused: true, ...(elapsed !== undefined ? {elapsedMs: elapsed} : {}), ...(limits?.defaults ? {defaults: limits.defaults} : {})};
	const parts = {
		model: {text: `${backend} · ${model}`, shorter: model},
		context: {text: context ? `ctx ${badgeText(context, (label) => clip(label, 24))}` : ''},
		iteration: {text: iteration > 0 ? `iter ${iteration}/${maxIterations}` : ''},
		clock: {text: elapsed !== undefined ? formatClock(elapsed) : ''},
		run: {text: runPart},
		usage: {text: usageText(usage, cost, runPart ? 'session ' : ''), shorter: total ? `${formatTokens(total)} tok${cost !== undefined ? ` ~${formatCost(cost)}` : ''}` : ''},
		limits: limits ? {text: limitsText(limits.caps, limits.use, limitOptions), shorter: nearestLimitText(limits.caps, limits.use, limitOptions)} : {text: ''},
	};
	const lead = running ? `${spinnerFrame(now)} ` : '  ';
	const hintRoom = Math.min(displayWidth(hints), Math.max(HINT_ROOM, Math.floor(width / 3)));
	const left = clip(fitParts(parts, Math.max(1, width - displayWidth(lead) - hintRoom - 2)), Math.max(1, width - 2));
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
