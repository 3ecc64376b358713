// The chat as wrapped, toned lines: shared by the chat pane (to draw) and the reducer (to bound
// scrolling). Cached per entry and width. Every entry is made printable here, where it is drawn
// (a question is kept in the chat as the user wrote it, escape bytes included): no escape
// sequences, no invisible characters (a zero-width space makes a terminal and Ink disagree on
// columns, and the character after it is drawn over).
import {columnLines, wrapCell} from './chat-columns.js';
import {append, displayWidth, oneLine, printable, wrapLines} from './format.js';
import {markdownLines, renderersVersion} from './markdown.js';
import type {ChatEntry, ChatTable} from './state/types.js';
import {colorless} from './theme.js';
import {restNote, shownPart} from './long-text.js';

export type Tone = 'user' | 'answer' | 'meta' | 'error' | 'notice' | 'info';
export interface ChatLine {
	text: string;
	tone: Tone;
}

const entryCache = new WeakMap<ChatEntry, {width: number; version: number; lines: ChatLine[]}>();

function prefixed(text: string, first: string, width: number, tone: Tone): ChatLine[] {
	const pad = ' '.repeat(first.length);
	const part = shownPart(text);
	const lines = proseLines(printable(part.head).replace(/\t/g, '    '), Math.max(1, width - first.length)).map((line, index) => ({text: (index === 0 ? first : pad) + line, tone}));
	if (part.restChars > 0) append(lines, noteLines(restNote(part, '/export writes the whole conversation to a file'), width));
	return lines;
}

function noteLines(note: string, width: number): ChatLine[] {
	return proseLines(note, Math.max(1, width)).map((text) => ({text, tone: 'meta' as const}));
}

/**
 * Plain text wrapped at spaces to lines no wider than `width`. A word longer than a line (a URL,
 * a path) starts a line of its own and is broken where the table breaks one (wrapCell: after a
 * slash, a comma or the like), not from wherever the line before left off (wrap-ansi's hard mode
 * starts it there when that saves a row: `see https://docs.anth` / `ropic.com/…`).
 */
export function proseLines(text: string, width: number): string[] {
	return wrapLines(text.split('\n').map((line) => longWordsApart(line, width)).join('\n'), width);
}

/** `line` with each word wider than `width` on lines of its own, cut into pieces that fit. */
function longWordsApart(line: string, width: number): string {
	const parts: string[] = [];
	let copied = 0;
	for (const match of line.matchAll(/\S+/g)) {
		if (displayWidth(match[0]) <= width) continue;
		const before = line.slice(copied, match.index).trimEnd();
		if (before) parts.push(before);
		append(parts, wrapCell(match[0], width));
		copied = match.index + match[0].length;
	}
	if (parts.length === 0) return line;
	const after = line.slice(copied).trimStart();
	if (after) parts.push(after);
	return parts.join('\n');
}

/** A command's rows under its text, indented as its text is (under the mark), and one column
 * short of the pane's right border (its last cells would touch it); a cell is one line (a tab or
 * a line break in a value would throw its row out of line). */
function tableLines(table: ChatTable, width: number, tone: Tone): ChatLine[] {
	const cells = table.map((row) => row.map(oneLine));
	return columnLines(cells, Math.max(1, width - 3)).map((text) => ({text: `  ${text}`, tone}));
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
		case 'answer': {
			const part = shownPart(entry.text);
			lines = markdownLines(part.head, width).map((text) => ({text: colorless(text), tone: 'answer' as const}));
			if (part.restChars > 0) append(lines, noteLines(restNote(part, '/export writes the whole answer to a file'), width));
			if (entry.meta) append(lines, prefixed(entry.meta, '', width, 'meta'));
			break;
		}
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
	if (entry.table) append(lines, tableLines(entry.table, width, lines[0]?.tone ?? 'info'));
	entryCache.set(entry, {width, version, lines});
	return lines;
}

