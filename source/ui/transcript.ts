// /export: the conversation as Markdown; /save: the session as JSON (the serializer --json uses).
// Both carry what was asked and answered, never the app's own notes (status, command output).
import type {ChatEntry} from './state/types.js';
import type {HistoryEntry} from '../protocol/repl.js';
import {sessionJson} from '../trajectory/serialize.js';
import type {TrajectoryState} from '../trajectory/tree.js';
import {jsonText} from '../text/json-text.js';

/** Under a question that has nothing under it: neither an answer nor how it ended (a session
 * resumed after the app was killed mid-question, or one read back that way). */
export const UNFINISHED_NOTE = '> _Unfinished: no answer was recorded for this question (the app was closed or killed while it ran, or its run ended without one)._';
/** Under the last question while it still runs. */
export const RUNNING_NOTE = '> _Still running when this transcript was written: no answer yet._';

/** The questions, their answers (with their status line) and how a question ended without one
 * (failed, cancelled, unfinished); the app's notes in the chat (settings changed, files saved,
 * notices) are left out. `running`: the last question is still running. */
export function transcriptMarkdown(entries: readonly ChatEntry[], info: {model: string; backend: string; date: Date; running?: boolean}): string {
	const out: string[] = [`# rlm-tui transcript`, '', `${info.date.toISOString()} · ${info.backend} · ${info.model}`, ''];
	let open = false;
	for (const entry of entries) {
		// A queued question is not asked yet: it joins when its turn comes.
		if ((entry.kind !== 'user' && entry.kind !== 'answer' && !entry.outcome) || entry.queued) continue;
		if (entry.kind === 'user' && open) out.push(UNFINISHED_NOTE, '');
		open = entry.kind === 'user';
		switch (entry.kind) {
			case 'user':
				out.push('## Question', '', entry.text, '');
				break;
			case 'answer':
				out.push('## Answer', '', entry.text, '');
				if (entry.meta) out.push(`_${entry.meta}_`, '');
				break;
			case 'error':
				out.push(`> **Error:** ${entry.text.replace(/\n/g, '\n> ')}`, '');
				break;
			default:
				out.push(`> ${entry.text.replace(/\n/g, '\n> ')}`, '');
		}
	}
	if (open) out.push(info.running ? RUNNING_NOTE : UNFINISHED_NOTE, '');
	return `${out.join('\n').trimEnd()}\n`;
}

export function transcriptFileName(date: Date, extension: 'md' | 'json' = 'md'): string {
	const stamp = date.toISOString().replace(/\.\d+Z$/, '').replace(/[:T]/g, '-');
	return `rlm-${extension === 'md' ? 'transcript' : 'session'}-${stamp}.${extension}`;
}

/** The chat's answered questions, in order, as history entries. */
export function chatHistory(entries: readonly ChatEntry[]): HistoryEntry[] {
	const history: HistoryEntry[] = [];
	let question: string | null = null;
	for (const entry of entries) {
		if (entry.kind === 'user' && !entry.queued) question = entry.text;
		else if (entry.kind === 'answer' && question !== null) {
			history.push({question, answer: entry.text});
			question = null;
		}
	}
	return history;
}

export function sessionFileJson(entries: readonly ChatEntry[], info: {model: string; backend: string}, traj: TrajectoryState): string {
	// jsonText: the text as it was (a pasted escape sequence kept), and `cat` of the file safe.
	return `${jsonText(sessionJson({backend: info.backend, model: info.model, history: chatHistory(entries), state: traj}), 2)}\n`;
}
