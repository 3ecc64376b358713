// Markdown answers for the terminal (marked + marked-terminal) and Python colouring (cli-highlight),
// both cached: a re-render never re-parses the same text at the same width.
import {highlight} from 'cli-highlight';
import {Marked, type MarkedExtension} from 'marked';
import {markedTerminal} from 'marked-terminal';
import {wrapLines} from './format.js';

const renderers = new Map<number, Marked>();

function rendererFor(width: number): Marked {
	let marked = renderers.get(width);
	if (!marked) {
		marked = new Marked(
			markedTerminal({width, reflowText: true, tab: 2, showSectionPrefix: false}) as unknown as MarkedExtension,
		);
		renderers.set(width, marked);
	}
	return marked;
}

const markdownCache = new Map<string, string[]>();

/** Renders Markdown to ANSI lines no wider than `width`. Falls back to plain wrapped text. */
export function markdownLines(text: string, width: number): string[] {
	const key = `${width}\u0000${text}`;
	const cached = markdownCache.get(key);
	if (cached) return cached;
	let rendered: string;
	try {
		rendered = (rendererFor(width).parse(text, {async: false}) as string).replace(/\n+$/, '');
	} catch {
		rendered = text;
	}
	const lines = wrapLines(rendered, width);
	if (markdownCache.size > 500) markdownCache.clear();
	markdownCache.set(key, lines);
	return lines;
}

const codeCache = new Map<string, string>();

/** Python source with ANSI colours (plain when colouring fails or colours are off). */
export function highlightPython(code: string): string {
	const cached = codeCache.get(code);
	if (cached !== undefined) return cached;
	let out: string;
	try {
		out = highlight(code, {language: 'python', ignoreIllegals: true});
	} catch {
		out = code;
	}
	if (codeCache.size > 2000) codeCache.clear();
	codeCache.set(code, out);
	return out;
}
