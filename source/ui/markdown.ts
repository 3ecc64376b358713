// Markdown answers for the terminal (marked's lexer, laid out by markdown-render.ts) and Python
// colouring (cli-highlight), both cached: a re-render never re-parses the same text at the same
// width. The libraries take a while to import (highlight.js most), so they load after the first
// frame (loadRenderers); until then text shows plain and nothing plain is cached.
import type {Lexer as LexerClass} from 'marked';
import {fitAnsi, printable, wrapLines} from './format.js';
import {renderMarkdown, type RenderOptions} from './markdown-render.js';

interface Libraries {
	highlight: typeof import('cli-highlight').highlight;
	supportsLanguage: typeof import('cli-highlight').supportsLanguage;
	Lexer: typeof LexerClass;
}

let libraries: Libraries | null = null;

/** 0 until the libraries are in, then 1: caches of rendered text key on it. */
export const renderersVersion = () => (libraries ? 1 : 0);
let loading: Promise<void> | null = null;

/** Imports the Markdown and colouring libraries once; resolves when they are ready. */
export function loadRenderers(): Promise<void> {
	loading ??= Promise.all([import('cli-highlight'), import('marked')]).then(([h, m]) => {
		// cli-highlight is CommonJS: Node's import() also names its exports, the bundle's gives only
		// `default` (module.exports), so read them there.
		const lib = typeof h.highlight === 'function' ? h : (h as unknown as {default: typeof h}).default;
		libraries = {highlight: lib.highlight, supportsLanguage: lib.supportsLanguage, Lexer: m.Lexer};
	});
	return loading;
}

/**
 * Whether answers get SGR styles: the terminal's own answer (Node's `hasColors`, which honours
 * NO_COLOR, FORCE_COLOR and TERM=dumb). Without them, strikethrough and headings keep markers.
 */
const terminalStyles = () => Boolean(process.stdout.isTTY && process.stdout.hasColors?.());

export interface MarkdownOptions {
	/** SGR styles on or off; the terminal decides when not given. */
	ansi?: boolean;
}

const markdownCache = new Map<string, string[]>();

/**
 * Text without the indentation all its lines share (Python's textwrap.dedent): an answer written
 * in an indented string literal (`llm_output(f"""\n        Total: 5\n    """)`) carries its code's
 * indentation, which Markdown would read as one indented code block. Under 4 spaces Markdown reads
 * a paragraph and keeps them, so they stay. Relative indentation stays too, so an indented block
 * after a blank line is still code, as CommonMark says.
 */
export function withoutCommonIndent(text: string): string {
	let common = Infinity;
	for (const line of text.split('\n')) {
		if (!line.trim()) continue;
		common = Math.min(common, /^ */.exec(line)![0].length);
		if (common === 0) return text;
	}
	if (!Number.isFinite(common) || common < 4) return text;
	return text
		.split('\n')
		.map((line) => line.slice(Math.min(common, /^ */.exec(line)![0].length)))
		.join('\n');
}

/**
 * Renders Markdown to ANSI lines no wider than `width` columns (wide and zero-width characters
 * counted). Model text cannot produce escape sequences through it. Plain wrapped text until the
 * libraries are loaded, or when the text cannot be parsed.
 */
export function markdownLines(text: string, width: number, options: MarkdownOptions = {}): string[] {
	const ansi = options.ansi ?? terminalStyles();
	const key = `${width}\u0000${ansi ? 1 : 0}\u0000${text}`;
	const cached = markdownCache.get(key);
	if (cached) return cached;
	const lib = libraries;
	if (!lib) return wrapLines(printable(text), width);
	let lines: string[];
	try {
		const render: RenderOptions = {ansi, highlight: (code, language) => colourCode(lib, code, language)};
		lines = renderMarkdown(lib.Lexer.lex(withoutCommonIndent(text), {gfm: true, breaks: true}), width, render);
		// The layout keeps to the width; this only guards against a miscounted character.
		lines = lines.map((line) => fitAnsi(line, width));
	} catch {
		lines = wrapLines(printable(text), width);
	}
	if (markdownCache.size > 500) markdownCache.clear();
	markdownCache.set(key, lines);
	return lines;
}

function colourCode(lib: Libraries, code: string, language: string): string | undefined {
	const name = language === 'repl' || language === 'py' ? 'python' : language;
	if (!name || !lib.supportsLanguage(name)) return undefined;
	try {
		return lib.highlight(code, {language: name, ignoreIllegals: true});
	} catch {
		return undefined;
	}
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
