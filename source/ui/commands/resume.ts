// /resume (and --resume): the last logged session's chat, tree and REPL variables come back.
import {resumedContextBadge} from '../../context/index.js';
import {safeEvent} from '../../text/safe-text.js';
import {logToEvents} from '../../trajectory/log-to-events.js';
import {blockNotes, missingContextNotes, resumedSessionText, unansweredWords} from '../../trajectory/resume.js';
import {namesSummary} from '../../text/names-summary.js';
import type {RlmEvent, RlmEventOf} from '../../protocol/events.js';
import {failureText, sentence} from '../advice.js';
import {firstLine} from '../engine-port.js';
import {questionPreview} from '../question-preview.js';
import {isLargePaste} from '../state/line-input.js';
import {defineCommand, type CommandContext} from './command.js';

export const resumeCommand = defineCommand<null>({
	name: 'resume',
	usage: '/resume',
	help: 'reopen the last logged session: its chat, its tree and its REPL variables',
	idleOnly: true,
	run: (state, _args, queue) => queue(state, null),
	perform: (_payload, context) => resumeLast(context),
});

/** A resumed turn without an answer: how its run ended and, for a failure, why, as the log says
 * (its root run's last 'run.done': "out of credits", "the server refused the key"). */
function unansweredNote(status: string, events: readonly RlmEvent[]): string {
	const said = `${status === 'cancelled' ? 'Cancelled' : 'No answer'}: this question's run ${unansweredWords(status)}`;
	const root = events.find((event): event is RlmEventOf<'run.start'> => event.type === 'run.start' && event.depth === 0)?.runId;
	const done = events.find((event): event is RlmEventOf<'run.done'> => event.type === 'run.done' && event.runId === root);
	if (status !== 'failed' || !done?.error) return `${said}, so it has no answer.`;
	return `${said}: ${sentence(failureText(done))}`;
}

export async function resumeLast(context: CommandContext): Promise<void> {
	try {
		const result = await context.rlm.resumeLast(({turns, replacing, logs}) => {
			// Mid-session: the resumed one replaces it, in a fresh REPL.
			if (replacing) context.dispatch({type: 'cleared'});
			// What was asked and answered, and each turn's tree, at once; the REPL catches up after.
			const turnEvents = logs.map((log) => logToEvents(log).map(safeEvent));
			turns.forEach((turn, index) => {
				// A question that was a large paste is shown as the live session showed it.
				context.dispatch({type: 'chat', kind: 'user', text: turn.question, ...(isLargePaste(turn.question) ? {shown: questionPreview(turn.question)} : {})});
				if (turn.answer !== null) context.say('answer', turn.answer);
				else if (turn.status === undefined) context.say('notice', 'Unfinished: the session ended while this question ran (the app was closed or killed), so it has no answer.');
				else context.say('notice', unansweredNote(turn.status, turnEvents[index] ?? []));
			});
			context.dispatch({type: 'events', events: turnEvents.flat()});
			// Work under way: the line goes once the code has run (the lines below say how it went).
			context.dispatch({type: 'chat', kind: 'info', text: `Resuming the last session (${turns.length} turn(s)): re-running its code with the recorded sub-call answers…`, progress: true});
		}).finally(() => context.dispatch({type: 'progress-done'}));
		if (result.status === 'off') {
			context.say('error', 'Nothing to resume: trajectory logs are turned off.');
			return;
		}
		if (result.status === 'none') {
			context.say('info', `Nothing to resume: no earlier session in ${result.dir}.`);
			return;
		}
		const {summary, turns, session} = result;
		// The status line and /context tell the context the resumed session goes on with (a context
		// given for this session, -c or /context, wins and keeps its own badge).
		if (!summary.contextGiven) {
			const resumed = context.rlm.sessionContext;
			context.dispatch({type: 'config', config: {context: resumed === undefined || resumed === null ? null : resumedContextBadge(resumed)}});
		}
		if (session.emptyNewer) context.say('notice', `Passed over ${session.emptyNewer} newer session(s) whose log is empty (the app ended before it wrote a line).`);
		for (const note of [...missingContextNotes(summary), ...blockNotes(summary)]) context.say('notice', `${note}.`);
		const resumed = resumedSessionText(turns, session.started);
		context.say('info', `Resumed ${resumed}, re-ran ${summary.blocks} block(s). Variables: ${namesSummary(summary.variables.map((variable) => variable.name))}.`);
	} catch (error) {
		context.say('error', `Could not resume: ${firstLine(error)}`);
	}
}
