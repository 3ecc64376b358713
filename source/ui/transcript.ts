// /save: the chat as Markdown.
import type {ChatEntry} from './state/app-state.js';

export function transcriptMarkdown(entries: readonly ChatEntry[], info: {model: string; backend: string; date: Date}): string {
	const out: string[] = [`# rlm-tui transcript`, '', `${info.date.toISOString()} · ${info.backend} · ${info.model}`, ''];
	for (const entry of entries) {
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
	return `${out.join('\n').trimEnd()}\n`;
}

export function transcriptFileName(date: Date): string {
	const stamp = date.toISOString().replace(/\.\d+Z$/, '').replace(/[:T]/g, '-');
	return `rlm-transcript-${stamp}.md`;
}
