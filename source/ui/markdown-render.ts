// Markdown to terminal lines: a walk over marked's lexer tokens that lays each block out once, at
// the width it is given, so nothing is wrapped twice. Lists and quotes hand their children the
// width left after their marker or bar and indent every line they get back; tables fit the
// width (markdown-table.ts). Every string taken from the model goes through `printable` (marked
// decodes `&#27;` into a real ESC), and links show their target as text: no OSC 8 hyperlinks.
import type {Token, Tokens} from 'marked';
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';
import {append, printable} from './format.js';
import {renderTable} from './markdown-table.js';

export interface RenderOptions {
	/** SGR styles (bold, italic, strikethrough, colours); off, the text keeps visible markers. */
	ansi: boolean;
	/** ANSI-coloured code for a fenced block's language, or undefined to leave it plain. */
	highlight?: (code: string, language: string) => string | undefined;
}

interface Style {
	open: string;
	close: string;
}

const sgr = (open: number, close: number): Style => ({open: `\u001b[${open}m`, close: `\u001b[${close}m`});
export const STYLES = {
	bold: sgr(1, 22),
	dim: sgr(2, 22),
	italic: sgr(3, 23),
	underline: sgr(4, 24),
	strike: sgr(9, 29),
	code: sgr(36, 39),
	link: sgr(34, 39),
	rule: sgr(90, 39),
} as const;

const BULLETS = ['•', '◦', '▪'];

/** Renders block tokens to lines no wider than `width` (wide and zero-width characters counted). */
export function renderMarkdown(tokens: readonly Token[], width: number, options: RenderOptions): string[] {
	return new Renderer(options).blocks(tokens, Math.max(1, width), false);
}

/** A line's leading spaces, after any styles that open before them. */
const leadingSpaces = /^((?:\u001b\[[0-9;]*m)*)( +)/;

/**
 * Wraps ANSI text (hard line breaks as `\n`) to `width`, words kept whole where they fit. A line's
 * leading spaces are kept (aligned columns, a hand-indented continuation) and its wrapped rows hang
 * at the same indent, at most half the width.
 */
export function wrapStyled(text: string, width: number): string[] {
	const out: string[] = [];
	const room = Math.max(1, width);
	for (const line of text.split('\n')) {
		if (line.trim() === '') {
			out.push('');
			continue;
		}
		const leading = leadingSpaces.exec(line);
		const pad = leading ? Math.min(leading[2]!.length, Math.floor(room / 2)) : 0;
		const body = leading ? leading[1]! + line.slice(leading[0].length) : line;
		const rows = wrapAnsi(body, Math.max(1, room - pad), {hard: true, trim: true}).split('\n');
		append(out, pad > 0 ? indent(rows, ' '.repeat(pad), ' '.repeat(pad)) : rows);
	}
	return out;
}

/** `first` before the first line, `rest` before the others (a marker and its hanging indent). */
function indent(lines: readonly string[], first: string, rest: string): string[] {
	return lines.map((line, index) => (index === 0 ? first : rest) + line);
}

// Named references models write; numeric ones (`&#8212;`) marked decodes itself.
const ENTITIES: Record<string, string> = {
	amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', copy: '©', reg: '®', trade: '™',
	hellip: '…', mdash: '—', ndash: '–', laquo: '«', raquo: '»', ldquo: '“', rdquo: '”', lsquo: '‘',
	rsquo: '’', times: '×', divide: '÷', deg: '°', plusmn: '±', middot: '·', bull: '•', larr: '←',
	rarr: '→', uarr: '↑', darr: '↓', harr: '↔', le: '≤', ge: '≥', ne: '≠', asymp: '≈', infin: '∞',
	sect: '§', para: '¶', euro: '€', pound: '£', yen: '¥', cent: '¢', check: '✓', cross: '✗',
};

function decodeEntities(text: string): string {
	if (!text.includes('&')) return text;
	return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]+);/gi, (whole, name: string) => {
		if (name[0] === '#') {
			const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
			return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
		}
		return ENTITIES[name.toLowerCase()] ?? whole;
	});
}

// A soft break (a newline inside a paragraph) is a space, except before closing punctuation,
// where the newline is a writer's (or a model's token stream's) accident: "word\n." is "word.".
const softBreakBeforePunctuation = /[ \t]*\n[ \t]*(?=[.,;:!?)\]}»”’%…])/g;
const softBreak = /[ \t]*\n[ \t]*/g;
/** Whether an inline token starts with closing punctuation ('.', ',', ')'...). */
const closesSentence = (token: Token | undefined) => token?.type === 'text' && /^[.,;:!?)\]}»”’%…]/.test((token as Tokens.Text).text);
const reflow = (text: string) => text.replace(softBreakBeforePunctuation, '').replace(softBreak, ' ');

/** A link's real destination as a browser would follow it (punycode host, escaped path). */
export function linkTarget(href: string): string {
	try {
		return printable(new URL(href).href);
	} catch {
		return printable(href).replace(/\s/g, (space) => encodeURIComponent(space));
	}
}

class Renderer {
	readonly #options: RenderOptions;
	/** Styles open around the inline text being rendered (closing one reopens its siblings). */
	readonly #active: Style[] = [];
	#listDepth = 0;

	constructor(options: RenderOptions) {
		this.#options = options;
	}

	blocks(tokens: readonly Token[], width: number, tight: boolean): string[] {
		const out: string[] = [];
		for (const token of tokens) {
			const lines = this.block(token, width);
			if (lines.length === 0) continue;
			if (out.length > 0 && !tight) out.push('');
			append(out, lines);
		}
		return out;
	}

	block(token: Token, width: number): string[] {
		switch (token.type) {
			case 'space':
			case 'def':
				return [];
			case 'paragraph':
				return wrapStyled(this.inline((token as Tokens.Paragraph).tokens), width);
			case 'text': {
				const text = token as Tokens.Text;
				return wrapStyled(text.tokens ? this.inline(text.tokens) : this.plain(reflow(decodeEntities(text.text))), width);
			}
			case 'heading':
				return this.heading(token as Tokens.Heading, width);
			case 'code':
				return this.code(token as Tokens.Code, width);
			case 'blockquote':
				return this.quote(token as Tokens.Blockquote, width);
			case 'list':
				return this.list(token as Tokens.List, width);
			case 'table':
				return this.table(token as Tokens.Table, width);
			case 'hr':
				return [this.style(STYLES.rule, () => '─'.repeat(width))];
			case 'html':
				return wrapStyled(printable((token as Tokens.HTML).text.replace(/\n+$/, '')), width);
			default:
				return 'raw' in token && typeof token.raw === 'string' ? wrapStyled(printable(token.raw.replace(/\n+$/, '')), width) : [];
		}
	}

	heading(token: Tokens.Heading, width: number): string[] {
		if (!this.#options.ansi) return wrapStyled(`${'#'.repeat(token.depth)} ${this.inline(token.tokens)}`, width);
		const text = this.style(STYLES.bold, () => (token.depth === 1 ? this.style(STYLES.underline, () => this.inline(token.tokens)) : this.inline(token.tokens)));
		return wrapStyled(text, width);
	}

	/** Code keeps its indentation: a wrapped line continues two columns right of its own indent. */
	code(token: Tokens.Code, width: number): string[] {
		const gutter = width >= 12 ? '  ' : '';
		const room = Math.max(1, width - gutter.length);
		// An indented block's text ends with its last line's newline (marked keeps it): no empty line after it.
		const source = printable(token.text.replace(/\n+$/, '')).replace(/\t/g, '    ');
		const language = (token.lang ?? '').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
		const coloured = this.#options.ansi ? (this.#options.highlight?.(source, language) ?? this.style(STYLES.code, () => source)) : source;
		const out: string[] = [];
		const plainLines = source.split('\n');
		coloured.split('\n').forEach((line, index) => {
			if (stringWidth(line) <= room) {
				out.push(gutter + line);
				return;
			}
			const leading = /^ */.exec(plainLines[index] ?? '')![0].length;
			const hang = Math.min(leading + 2, Math.floor(room / 2));
			const body = line.replace(new RegExp(`^((?:\\u001b\\[[0-9;]*m)*) {${Math.min(leading, hang)}}`), '$1');
			const pieces = wrapAnsi(body, Math.max(1, room - hang), {hard: true, trim: false});
			const pad = ' '.repeat(Math.min(leading, hang));
			append(out, indent(pieces.split('\n'), gutter + pad, gutter + ' '.repeat(hang)));
		});
		return out;
	}

	quote(token: Tokens.Blockquote, width: number): string[] {
		const bar = this.style(STYLES.rule, () => '│') + ' ';
		return this.blocks(token.tokens, Math.max(1, width - 2), false).map((line) => bar + line);
	}

	list(token: Tokens.List, width: number): string[] {
		const start = typeof token.start === 'number' ? token.start : 1;
		const widest = token.ordered ? String(start + token.items.length - 1).length + 1 : 1;
		const out: string[] = [];
		this.#listDepth++;
		try {
			token.items.forEach((item, index) => {
				let marker = token.ordered ? `${start + index}.`.padStart(widest) : BULLETS[(this.#listDepth - 1) % BULLETS.length]!;
				if (item.task) marker += item.checked ? ' [x]' : ' [ ]';
				const hang = marker.length + 1;
				const body = this.blocks(item.tokens.filter((child) => child.type !== 'checkbox'), Math.max(1, width - hang), !item.loose);
				if (index > 0 && token.loose) out.push('');
				append(out, indent(body.length > 0 ? body : [''], `${marker} `, ' '.repeat(hang)));
			});
		} finally {
			this.#listDepth--;
		}
		return out;
	}

	table(token: Tokens.Table, width: number): string[] {
		return renderTable(
			{
				header: token.header.map((cell) => this.inline(cell.tokens)),
				rows: token.rows.map((row) => row.map((cell) => this.inline(cell.tokens))),
				align: token.align,
			},
			width,
			{border: (text) => this.style(STYLES.rule, () => text), strong: (text) => this.style(STYLES.bold, () => text)},
		);
	}

	/** Inline tokens to one ANSI string; hard breaks are `\n`. */
	inline(tokens: readonly Token[] | undefined): string {
		let out = '';
		const list = tokens ?? [];
		for (const [index, token] of list.entries()) {
			// A line break is kept as written (answers are often line-shaped: lists, CSV, logs), except
			// one just before closing punctuation, which a model's line wrapping left there.
			if (token.type === 'br' && !token.raw.startsWith('  ') && !token.raw.startsWith('\\') && closesSentence(list[index + 1])) continue;
			out += this.inlineOne(token);
		}
		return out;
	}

	inlineOne(token: Token): string {
		switch (token.type) {
			case 'text': {
				const text = token as Tokens.Text;
				return text.tokens ? this.inline(text.tokens) : this.plain(reflow(decodeEntities(text.text)));
			}
			case 'escape':
				return this.plain(decodeEntities((token as Tokens.Escape).text));
			case 'strong':
				return this.style(STYLES.bold, () => this.inline((token as Tokens.Strong).tokens));
			case 'em':
				return this.style(STYLES.italic, () => this.inline((token as Tokens.Em).tokens));
			case 'del':
				return this.#options.ansi
					? this.style(STYLES.strike, () => this.inline((token as Tokens.Del).tokens))
					: `~~${this.inline((token as Tokens.Del).tokens)}~~`;
			case 'codespan':
				// Code is literal: no entities decoded; newlines inside it are spaces (CommonMark).
				return this.style(STYLES.code, () => this.plain((token as Tokens.Codespan).text.replace(/\n/g, ' ')));
			case 'br':
				// marked puts the next line's leading spaces in the break: they are that line's indent.
				return `\n${/\n([ \t]*)$/.exec(token.raw)?.[1]?.replace(/\t/g, '    ') ?? ''}`;
			case 'link':
				return this.link(token as Tokens.Link);
			case 'image': {
				const image = token as Tokens.Image;
				const alt = this.plain(reflow(decodeEntities(image.text)));
				return `[image${alt ? `: ${alt}` : ''}] ${this.style(STYLES.link, () => linkTarget(image.href))}`;
			}
			case 'html': {
				const html = (token as Tokens.HTML).text;
				return /^<br\s*\/?>$/i.test(html.trim()) ? '\n' : this.plain(html);
			}
			case 'checkbox':
				return (token as Tokens.Checkbox).checked ? '[x] ' : '[ ] ';
			default:
				return 'raw' in token && typeof token.raw === 'string' ? this.plain(token.raw) : '';
		}
	}

	/** Text and target both shown: `text (target)`, or the target once when the text is it. */
	link(token: Tokens.Link): string {
		const target = linkTarget(token.href);
		const text = this.style(STYLES.underline, () => this.inline(token.tokens));
		const shown = printable(token.text);
		if (shown === token.href || shown === target) return this.style(STYLES.link, () => text);
		return `${text} (${this.style(STYLES.link, () => target)})`;
	}

	plain(text: string): string {
		return printable(text).replace(/\t/g, '    ');
	}

	/** `inner` wrapped in a style; closing it reopens any enclosing style it also closed. */
	style(style: Style, inner: () => string): string {
		if (!this.#options.ansi) return inner();
		this.#active.push(style);
		let text: string;
		try {
			text = inner();
		} finally {
			this.#active.pop();
		}
		if (text === '') return '';
		const reopen = this.#active.filter((outer) => outer.close === style.close).map((outer) => outer.open).join('');
		// Per line, so that every line drawn opens and closes its own styles.
		return text
			.split('\n')
			.map((line) => (line ? style.open + line + style.close + reopen : ''))
			.join('\n');
	}
}
