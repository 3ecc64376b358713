import {Text} from './text.js';
import {memo} from 'react';
import {badgeText, type ContextBadge} from '../../context/summary.js';
import type {Usage} from '../../protocol/llm.js';
import {clip, displayWidth} from '../format.js';
import {printableLine, printableMarkedLine} from '../../text/printable.js';
import {formatClock, formatCost, formatTokens} from '../../text/units.js';
import type {LimitCaps, LimitName, LimitUse} from '../../protocol/limits.js';
import {limitParts, nearestLimitPart} from '../../text/limits-text.js';
import type {Theme} from '../theme.js';
import {spinnerFrame} from '../theme.js';
import {fitHints} from './fit-hints.js';

export interface StatusLineProps {
	width: number;
	backend: string;
	model: string;
	/** The backend and model the next question will use, when not those of the running answer (a /model during a run). */
	next?: {backend: string; model: string};
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
	/** What the keys do now. Several forms, longest first, for hints that must be read whole (a
	 * refused line's): the shortest keeps its room, the left side giving way for it. */
	hints: string | readonly string[];
	theme: Theme;
	/** The app's clock (moves only while a question runs). */
	now: number;
}

const tokens = (usage: Usage) => `↑${formatTokens(usage.inputTokens)} ↓${formatTokens(usage.outputTokens)}`;

/** Which of a run's figures a cap shown on the line already holds as `used/cap` (then the figure
 * is not shown a second time): tokens under maxTokens, cost under maxBudget, the clock under maxTimeout. */
type Shown = ReadonlySet<LimitName>;

/** "↑48k ↓3.1k tok ~$0.021" (`unit` '': "run ↑500 ↓70 ~$0.002" beside the session's, which says tok),
 * less what `omit` holds; `shorter`: "51k tok ~$0.021". */
function figures(usage: Usage, cost: number | undefined, label: string, omit: Shown, unit = ' tok'): {text: string; shorter: string} {
	const total = usage.inputTokens + usage.outputTokens;
	if (!total) return {text: '', shorter: ''};
	const costText = cost !== undefined && !omit.has('maxBudget') ? `~${formatCost(cost)}` : '';
	const join = (tokenText: string) => {
		const text = [omit.has('maxTokens') ? '' : tokenText, costText].filter(Boolean).join(' ');
		return text ? `${label}${text}` : '';
	};
	return {text: join(`${tokens(usage)}${unit}`), shorter: join(`${formatTokens(total)} tok`)};
}

/** Hints keep at least this much room (the idle chat's "Enter send · Tab tree · /help" fits). */
const HINT_ROOM = 30;
const SEPARATOR = ' │ ';

type PartName = 'model' | 'context' | 'iteration' | 'clock' | 'run' | 'usage' | 'limits';
type Part = {text: string; shorter?: string};

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

/**
 * The left side, given way step by step until it fits `room` columns (the caller clips the rest).
 * `partsFor` gets the limits the line shows in its current form (all of them, the one nearest its
 * cap, or none), so a figure reappears on its own when its cap gives way.
 */
function fitParts(partsFor: (shown: Shown) => Record<PartName, Part>, limitsShown: {full: Shown; short: Shown}, room: number): string {
	const order: PartName[] = ['model', 'context', 'iteration', 'clock', 'run', 'usage', 'limits'];
	const form = Object.fromEntries(order.map((name) => [name, 'full'])) as Record<PartName, 'full' | 'short' | 'none'>;
	const line = () => {
		const parts = partsFor(form.limits === 'full' ? limitsShown.full : form.limits === 'short' ? limitsShown.short : new Set());
		const text = (name: PartName) => (form[name] === 'none' ? '' : form[name] === 'short' ? (parts[name].shorter ?? parts[name].text) : parts[name].text);
		return order.map(text).filter(Boolean).join(SEPARATOR);
	};
	for (const [name, step] of GIVE_WAY) {
		if (displayWidth(line()) <= room) break;
		if (form[name] !== 'none') form[name] = step === 'shorten' ? 'short' : 'none';
	}
	return line();
}

/** The running answer's model, then the one the next question will use. */
function nextModelPart(backend: string, model: string, next: {backend: string; model: string}): Part {
	const nextName = next.backend === backend ? next.model : `${next.backend} · ${next.model}`;
	return {text: `${backend} · ${model} (next question: ${nextName})`, shorter: `${model} (next: ${next.model})`};
}

export const StatusLine = memo(function StatusLine(props: StatusLineProps) {
	const {width, iteration, maxIterations, runningSince, cancelling, lastElapsed, usage, costUsd: cost, run, context, limits, theme, now} = props;
	// The line is fitted by measuring its parts: the names in them (a server's model id, a backend,
	// the -c file's name) are measured as they will be drawn, made printable first. A model id shows
	// its hidden characters' marks: look-alike ids differ.
	const backend = printableLine(props.backend);
	const model = printableMarkedLine(props.model);
	const next = props.next ? {backend: printableLine(props.next.backend), model: printableMarkedLine(props.next.model)} : undefined;
	const forms = (typeof props.hints === 'string' ? [props.hints] : props.hints).map(printableLine);
	const hints = forms[0] ?? '';
	const kept = forms.length > 1 ? displayWidth(forms.at(-1)!) : 0;
	const running = runningSince !== undefined;
	const elapsed = running ? now - runningSince : lastElapsed;
	// The run's own figures are shown apart from the session's only when the session holds more.
	const runApart = run !== undefined && (run.usage.inputTokens !== usage.inputTokens || run.usage.outputTokens !== usage.outputTokens);
	// Caps with nothing used yet stay out, except time and budget; so do the engine's defaults
	// (500 sub-calls) until nearly reached. Short of room: only the cap nearest its end.
	const limitOptions = {skipUnused: true, ...(elapsed !== undefined ? {elapsedMs: elapsed} : {}), ...(limits?.defaults ? {defaults: limits.defaults} : {})};
	const limitsFull = limits ? limitParts(limits.caps, limits.use, limitOptions) : [];
	const nearest = limits ? nearestLimitPart(limits.caps, limits.use, limitOptions) : undefined;
	const limitsShown = {full: new Set(limitsFull.map((part) => part.limit)), short: new Set(nearest ? [nearest.limit] : [])};
	// A cap shown as `used/cap` is the run's figure: the run's tokens, cost and clock are not shown again beside it.
	const partsFor = (shown: Shown): Record<PartName, Part> => ({
		model: next ? nextModelPart(backend, model, next) : {text: `${backend} · ${model}`, shorter: model},
		context: {text: context ? `ctx ${badgeText(context, (label) => clip(printableLine(label), 24))}` : ''},
		iteration: {text: iteration > 0 ? `iter ${iteration}/${maxIterations}` : ''},
		clock: {text: elapsed !== undefined && !shown.has('maxTimeout') ? formatClock(elapsed) : ''},
		run: runApart ? {text: figures(run.usage, run.costUsd, 'run ', shown, '').text} : {text: ''},
		usage: figures(usage, cost, runApart ? 'session ' : '', runApart ? new Set() : shown),
		limits: {text: limitsFull.map((part) => part.text).join(' · '), shorter: nearest?.text ?? ''},
	});
	const lead = running ? `${spinnerFrame(now)} ` : '  ';
	const hintRoom = Math.min(displayWidth(hints), Math.max(HINT_ROOM, Math.floor(width / 3), kept));
	const left = clip(fitParts(partsFor, limitsShown, Math.max(1, width - displayWidth(lead) - hintRoom - 2)), Math.max(1, width - 2));
	const room = width - displayWidth(lead) - displayWidth(left) - 2;
	const right = room > 8 ? fitHints(forms, room) : '';
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
