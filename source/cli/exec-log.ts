// The seed's compact execution log (-e) and its full view (-v), drawn from engine events.
import type {RlmEvent} from '../protocol/events.js';
import {LIMIT_NAMES} from '../protocol/limits.js';
import {formatCost} from '../text/units.js';
import {formatCount} from '../protocol/numbers.js';
import {FoldedBatches} from './exec-log-batches.js';
import {safeText} from '../text/safe-text.js';
import {limitsText} from '../text/limits-text.js';
import {EMPTY_ANSWER_LINE} from '../text/empty-answer.js';
import {cutReplyWords} from '../text/cut-reply.js';
import {blockErrorLine} from '../text/block-error.js';

const firstLine = (text: string) => text.split('\n').find((line) => line.trim()) ?? '';
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
/** A run id's last 4 characters (`run_3f9a…c2d1` -> `c2d1`). */
const shortRunId = (runId: string) => runId.slice(-4);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** Returns a consumer of events that writes lines through `write` (control characters dropped:
 * model and Python text must not drive the terminal). */
export function execLogWriter(
	writeRaw: (line: string) => void,
	options: {
		verbose: boolean;
		costUsd?: () => number | undefined;
		/** Tokens (and cost) per backend, when more than one answered: '' otherwise. */
		backendBreakdown?: () => string;
	},
) {
	const write = (line: string) => writeRaw(safeText(line));
	const depthOf = new Map<string, number>();
	// A child run's lines carry its short id: child runs side by side (rlm_query_batched) interleave
	// at one depth, and the id tells whose line is whose.
	const indent = (runId: string) => {
		const depth = depthOf.get(runId) ?? 0;
		return depth > 0 ? `${'  '.repeat(depth)}[${shortRunId(runId)}] ` : '';
	};
	const callDepth = new Map<string, string>();
	/** A call as the tree's row names it: `rlm_query`, `rlm_query_batched[2]` (a batch's slot). */
	const callName = new Map<string, string>();
	/** Child runs of a batch's slot: their end line names the slot again (their lines interleave). */
	const slotOfRun = new Map<string, string>();
	const batches = new FoldedBatches();
	/** Runs whose answer came from code (a 🎯 line shown); an answer from the reply's prose FINAL gets one at the end. */
	const finalFromCode = new Set<string>();
	// Use against the run-wide limits, shown on each of the root's iteration lines.
	let limits = '';
	// Runs whose stop by a limit a notice already told (run.done then does not repeat it).
	const limitTold = new Set<string>();
	return (event: RlmEvent) => {
		switch (event.type) {
			case 'limits':
				limits = limitsText(event.caps, event.use);
				break;
			case 'run.start':
				depthOf.set(event.runId, event.depth);
				if (event.depth > 0) {
					const call = event.parentCallId === undefined ? undefined : callName.get(event.parentCallId);
					if (call?.endsWith(']')) slotOfRun.set(event.runId, call);
					write(`${indent(event.runId)}┌ child RLM${call ? ` of ${call}` : ''} (depth ${event.depth}, ${event.model})`);
				}
				break;
			case 'iter.start': {
				const root = (depthOf.get(event.runId) ?? 0) === 0;
				write(`${indent(event.runId)}── iter ${event.iteration} ──${root && limits ? ` ${limits}` : ''}`);
				break;
			}
			case 'llm.done':
				if (event.reasoning) {
					if (options.verbose) write(box(`thinking (${event.reasoning.length} chars, never run)`, event.reasoning.trim(), indent(event.runId)));
					else write(`${indent(event.runId)}💭 thinking: ${event.reasoning.length} chars (never run)`);
				}
				if (options.verbose) write(box(`model reply (${seconds(event.ms)}, ${event.usage.outputTokens} tokens)`, event.text, indent(event.runId)));
				break;
			case 'code.start':
				write(`${indent(event.runId)}⚡ ${clip(firstLine(event.code), 50)}`);
				if (options.verbose) write(box('code', event.code, indent(event.runId)));
				break;
			case 'code.done': {
				batches.blockDone(event.runId, event.iteration, event.block, write);
				const pad = indent(event.runId);
				if (event.ok && event.answerRefused) {
					// The code ran, but the answer it submitted was refused: no tick, the run is not done.
					write(`${pad}→ ! ${EMPTY_ANSWER_LINE}`);
				} else if (event.ok) {
					const output = event.stdout + event.stderr;
					const lines = output.split('\n').filter((line) => line.trim());
					const more = lines.length > 1 ? ` (+${lines.length - 1} lines)` : '';
					write(`${pad}→ ✓ ${clip(firstLine(output), 60) || '(no output)'}${more}`);
				} else {
					// A run-wide limit that interrupted it is not the block's failure: ■, not ✗.
					const stopped = (LIMIT_NAMES as readonly string[]).includes(event.limit ?? '');
					write(`${pad}→ ${stopped ? '■' : '✗'} ${clip(blockErrorLine(event.error ?? '') || (stopped ? `stopped by ${event.limit}` : 'failed'), 100)}`);
				}
				if (options.verbose && (event.stdout || event.stderr || event.error))
					write(box('output', [event.stdout, event.stderr, event.error ?? ''].filter(Boolean).join('\n'), pad));
				if (event.final !== null) {
					finalFromCode.add(event.runId);
					write(`${pad}🎯 FINAL`);
				}
				break;
			}
			case 'call.start': {
				callDepth.set(event.callId, indent(event.runId));
				const name = `${event.fn}${event.fn.endsWith('batched') ? `[${event.index}]` : ''}`;
				callName.set(event.callId, name);
				if (batches.start(event, indent(event.runId), clip(firstLine(event.prompt), 50), write)) break;
				write(`${indent(event.runId)}  ↳ ${name} ${event.model}: ${clip(firstLine(event.prompt), 50)}`);
				break;
			}
			case 'call.done':
				callName.delete(event.callId);
				if (batches.done(event, write)) break;
				// A call the user's cancel stopped did not fail (as the tree shows it).
				if (event.error) write(`${callDepth.get(event.callId) ?? ''}  ${event.errorCode === 'aborted' ? '⊘ cancelled' : `✗ ${clip(event.error, 100)}`}`);
				else if (cutReplyWords(event.finishReason))
					write(`${callDepth.get(event.callId) ?? ''}  ✂ ${cutReplyWords(event.finishReason)!.line}${event.finishReason === 'length' ? ` (${event.usage.outputTokens} tokens)` : ''}`);
				if (!event.error && event.promptTruncated)
					write(`${callDepth.get(event.callId) ?? ''}  ✂ prompt truncated by the server: ${event.promptTruncated.keptTokens} of ~${event.promptTruncated.sentTokens} tokens kept`);
				if (!event.error && options.verbose) {
					if (event.reasoning) write(box(`sub-call thinking (${event.reasoning.length} chars)`, event.reasoning.trim(), callDepth.get(event.callId) ?? ''));
					write(box(`sub-call reply (${seconds(event.ms)})`, event.response, callDepth.get(event.callId) ?? ''));
				}
				break;
			case 'notice':
				if (event.code === 'limit_reached') limitTold.add(event.runId);
				write(`${indent(event.runId)}! ${event.message}`);
				break;
			case 'run.done': {
				const pad = indent(event.runId);
				if (event.status === 'answered' && !finalFromCode.delete(event.runId)) write(`${pad}🎯 FINAL (in the reply)`);
				const tokens = `${formatCount(event.usage.inputTokens)} in / ${formatCount(event.usage.outputTokens)} out`;
				const root = (depthOf.get(event.runId) ?? 0) === 0;
				// The root's line ends with the whole tree's cost, where the models' prices are known.
				const cost = root ? options.costUsd?.() : undefined;
				const status = event.status === 'limited' && event.limit ? `limited (${event.limit})` : event.status;
				// The root's summary line stays the log's last: what stopped it and the limits come first.
				if (root && event.status === 'limited' && event.error && !limitTold.has(event.runId)) write(`${pad}! ${event.error}`);
				// Only a replayed log ends so: nothing else says why the run stops here.
				if (root && event.status === 'unfinished' && event.error) write(`${pad}✗ ${event.error}`);
				if (root && limits) write(`${pad}limits: ${limits}`);
				const slot = slotOfRun.get(event.runId);
				slotOfRun.delete(event.runId);
				write(`${pad}${root ? '■' : '└'}${slot ? ` ${slot}` : ''} ${status} after ${event.iterations} iteration(s), ${seconds(event.ms)}, ${tokens}${cost !== undefined ? `, ~${formatCost(cost)}` : ''}`);
				const breakdown = root ? options.backendBreakdown?.() : '';
				if (breakdown) write(`${pad}  by backend: ${breakdown}`);
				break;
			}
			default:
				break;
		}
	};
}

function box(title: string, body: string, pad: string): string {
	const lines = body.replace(/\s+$/, '').split('\n');
	return [`${pad}┌─ ${title}`, ...lines.map((line) => `${pad}│ ${line}`), `${pad}└─`].join('\n');
}
