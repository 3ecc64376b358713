// /resume (and --resume): the last logged session's chat, tree and REPL variables come back.
import {resumedContextBadge} from '../../context/index.js';
import {safeEvent} from '../../text/safe-text.js';
import {logToEvents} from '../../trajectory/log-to-events.js';
import {blockNotes, missingContextNotes, resumedSessionText} from '../../trajectory/resume.js';
import {namesSummary} from '../../text/names-summary.js';
import {firstLine} from '../engine-port.js';
import {defineCommand, type CommandContext} from './command.js';

export const resumeCommand = defineCommand<null>({
	name: 'resume',
	usage: '/resume',
	help: 'reopen the last logged session: its chat, its tree and its REPL variables',
	idleOnly: true,
	run: (state, _args, queue) => queue(state, null),
	perform: (_payload, context) => resumeLast(context),
});

export async function resumeLast(context: CommandContext): Promise<void> {
	try {
		const result = await context.rlm.resumeLast(({turns, replacing, logs}) => {
			// Mid-session: the resumed one replaces it, in a fresh REPL.
			if (replacing) context.dispatch({type: 'cleared'});
			// What was asked and answered, and each turn's tree, at once, as they were live; the REPL catches up after.
			turns.forEach((turn, index) => context.dispatch({type: 'resumed-turn', turn, events: logs[index] ? logToEvents(logs[index]).map(safeEvent) : []}));
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
