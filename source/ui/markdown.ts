// Markdown answers for the terminal (marked + marked-terminal) and Python colouring (cli-highlight),
// both cached: a re-render never re-parses the same text at the same width. The libraries take
// about a third of a second to import, so they load after the first frame (loadRenderers);
// until then text shows plain and nothing plain is cached.
import type {Marked as MarkedClass, MarkedExtension} from 'marked';
import {wrapLines} from './format.js';

interface Libraries {
	highlight: typeof import('cli-highlight').highlight;
	Marked: typeof MarkedClass;
	markedTerminal: typeof import('marked-terminal').markedTerminal;
}

let libraries: Libraries | null = null;

/** 0 until the libraries are in, then 1: caches of rendered text key on it. */
export const renderersVersion = () => (libraries ? 1 : 0);
let loading: Promise<void> | null = null;

/** Imports the Markdown and colouring libraries once; resolves when they are ready. */
export function loadRenderers(): Promise<void> {
	loading ??= Promise.all([import('cli-highlight'), import('marked'), import('marked-terminal')]).then(([h, m, t]) => {
		libraries = {highlight: h.highlight, Marked: m.Marked, markedTerminal: t.markedTerminal};
	});
	return loading;
}

const renderers = new Map<number, MarkedClass>();

function rendererFor(lib: Libraries, width: number): MarkedClass {
	let marked = renderers.get(width);
	if (!marked) {
		marked = new lib.Marked(
			lib.markedTerminal({width, reflowText: true, tab: 2, showSectionPrefix: false}) as unknown as MarkedExtension,
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
	const lib = libraries;
	if (!lib) return wrapLines(text, width);
	let rendered: string;
	try {
		rendered = (rendererFor(lib, width).parse(text, {async: false}) as string).replace(/\n+$/, '');
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
	const lib = libraries;
	if (!lib) return code;
	let out: string;
	try {
		out = lib.highlight(code, {language: 'python', ignoreIllegals: true});
	} catch {
		out = code;
	}
	if (codeCache.size > 2000) codeCache.clear();
	codeCache.set(code, out);
	return out;
}
