// /resume (and --resume): the last logged session's chat and REPL variables come back.
import {defaultLogDir} from '../../trajectory/jsonl-log.js';
import {lastSessionFiles, readTrajectoryLog} from '../../trajectory/read-log.js';
import {resumeTurns} from '../../trajectory/resume.js';
import {firstLine} from '../engine-port.js';
import {defineCommand, type CommandContext} from './command.js';

export const resumeCommand = defineCommand<null>({
	name: 'resume',
	usage: '/resume',
	help: 'reopen the last logged session: its chat and its REPL variables',
	idleOnly: true,
	run: (state, _args, queue) => queue(state, null),
	perform: (_payload, context) => resumeLast(context),
});

export async function resumeLast(context: CommandContext): Promise<void> {
	const {rlm} = context;
	const dir = rlm.options.logDir === false ? null : (rlm.options.logDir ?? defaultLogDir());
	if (!dir) {
		context.say('error', 'Nothing to resume: trajectory logs are turned off.');
		return;
	}
	// Never this very session (its own first question may already be logged).
	const files = lastSessionFiles(dir, rlm.sessionId);
	if (files.length === 0) {
		context.say('info', `Nothing to resume: no earlier session in ${dir}.`);
		return;
	}
	try {
		if (rlm.history.length > 0) {
			// Mid-session: the resumed one replaces it, in a fresh REPL.
			await rlm.resetSession();
			context.dispatch({type: 'cleared'});
		}
		context.say('info', `Resuming the last session (${files.length} turn(s)): re-running its code with the recorded sub-call answers…`);
		const turns = resumeTurns(files.map((file) => readTrajectoryLog(file)));
		const summary = await rlm.resume(turns, /_([0-9a-f]{8})_t\d+_/.exec(files[0]!)?.[1]);
		for (const turn of turns) {
			context.dispatch({type: 'chat', kind: 'user', text: turn.question});
			if (turn.answer !== null) context.dispatch({type: 'chat', kind: 'answer', text: turn.answer});
		}
		const names = summary.variables.map((variable) => variable.name);
		const failed = summary.failedBlocks ? ` (${summary.failedBlocks} failed now)` : '';
		if (summary.missingContexts) context.say('notice', `${summary.missingContexts} turn(s) had a context too big to log: their code was re-run against the current context.`);
		context.say('info', `Resumed ${summary.turns} turn(s), re-ran ${summary.blocks} block(s)${failed}. Variables: ${names.join(', ') || 'none'}.`);
	} catch (error) {
		context.say('error', `Could not resume: ${firstLine(error)}`);
	}
}
