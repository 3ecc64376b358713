// The chat as wrapped, toned lines: shared by the chat pane (to draw) and the reducer (to bound
// scrolling). Cached per entry and width. Every entry is made printable here, where it is drawn:
// no escape sequences, no invisible characters (a zero-width space makes a terminal and Ink
// disagree on columns, and the character after it is drawn over).
import {printable, wrapLines} from './format.js';
import {markdownLines, renderersVersion} from './markdown.js';
import type {ChatEntry} from './state/types.js';
import {colorless} from './theme.js';

export type Tone = 'user' | 'answer' | 'meta' | 'error' | 'notice' | 'info';
export interface ChatLine {
	text: string;
	tone: Tone;
}

const entryCache = new WeakMap<ChatEntry, {width: number; version: number; lines: ChatLine[]}>();

function prefixed(text: string, first: string, width: number, tone: Tone): ChatLine[] {
	const pad = ' '.repeat(first.length);
	return wrapLines(printable(text).replace(/\t/g, '    '), Math.max(1, width - first.length)).map((line, index) => ({text: (index === 0 ? first : pad) + line, tone}));
}

export function entryLines(entry: ChatEntry, width: number): ChatLine[] {
	const cached = entryCache.get(entry);
	const version = renderersVersion();
	if (cached && cached.width === width && cached.version === version) return cached.lines;
	let lines: ChatLine[];
	switch (entry.kind) {
		case 'user':
			lines = prefixed(entry.shown ?? entry.text, '› ', width, 'user');
			break;
		case 'answer':
			lines = markdownLines(entry.text, width).map((text) => ({text: colorless(text), tone: 'answer' as const}));
			if (entry.meta) lines.push(...prefixed(entry.meta, '', width, 'meta'));
			break;
		case 'error':
			lines = prefixed(entry.text, '✗ ', width, 'error');
			break;
		case 'notice':
			lines = prefixed(entry.text, '! ', width, 'notice');
			break;
		case 'info':
			lines = prefixed(entry.text, '· ', width, 'info');
			break;
	}
	entryCache.set(entry, {width, version, lines});
	return lines;
}

