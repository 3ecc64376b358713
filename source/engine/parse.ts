// Reading a model reply's code the way CommonMark does (marked's lexer for the structure; what a fence
// line is, protocol/code-fence.ts, the rule the thinking splitter shares), plus the leniencies real
// models need: ``` or ~~~ fences; info strings repl / python / py / python3 / ipython / ipython3 in
// any case, also in braces as Quarto and Jupytext write them ({python}, {py echo=false}); a zero-width
// space, BOM or word joiner before a fence (copied text carries them); fences inside list items
// (dedented); a ```python fence nested directly inside a ```repl block (unwrapped); code written on
// the opening fence line; an unclosed block at the end (CommonMark closes it at the end of the
// document: `closed` says so, and the caller decides whether it runs); a stray bare fence line before
// a runnable block (below).
//
// A stray fence line: models write a bare ``` line just before ```python (or a leftover one after
// prose), and CommonMark then reads one untagged block holding "```python\n<code>", closed by the
// python block's own closing fence. The rule that tells it from a bare block quoting fences as text:
// read the bare block's lines by the shared fence rule; when a fence a line opens there is still open
// at the block's end and it is runnable (its info string names Python), the bare opener was a stray
// line, and the reply is read again from the line after it. A block that quotes a fence shows it
// whole, opened and closed inside (which needs a longer outer fence, ```` or ~~~, as CommonMark
// asks); its inner fences are closed at its end, and it stays text.
import {Lexer, type Token, type Tokens} from 'marked';
import {closesFence, fenceLanguage, fenceLine, fenceOpenAtEnd, INVISIBLE, opensFence, PYTHON_LANGUAGES, type FenceLine, type FenceRun} from '../protocol/code-fence.js';
import {finalEnd, PROSE_FINAL_START} from './prose-final.js';

/** One runnable block of a reply. Offsets are into the reply with line endings normalized to \n. */
export interface CodeBlock {
	code: string;
	/** The info string's language, lower case (repl, python, py, python3, ipython, ipython3; `{python}`: python). */
	lang: string;
	/** False when the reply ended inside the block (no closing fence). */
	closed: boolean;
	/** Where the block's opening fence starts, and where the reply's text after it begins. */
	start: number;
	end: number;
}

export interface ReplyReading {
	/** The reply, line endings normalized to \n and invisible characters before a fence dropped
	 * (offsets refer to this). */
	text: string;
	/** The runnable blocks, in order. */
	blocks: CodeBlock[];
	/** The reply with every fenced or indented code block blanked out (each character but line breaks
	 * a space, so offsets match `text`): where prose FINALs live. A closed FINAL(...) whose text holds
	 * code blocks keeps them: they are the answer's (not runnable blocks), and so is its text. */
	prose: string;
	/** The fenced blocks that do not run (untagged, another language, empty), each by its language
	 * ('' when untagged), in order: what a reply without runnable blocks held instead. */
	otherBlocks: string[];
}

/** A line's start up to its fence when invisible characters come first (with spaces: a fence in a
 * list item is indented further). */
const INVISIBLE_BEFORE_FENCE = /^(?=[ \u200B\uFEFF\u2060]*[\u200B\uFEFF\u2060])[ \u200B\uFEFF\u2060]+(?=`{3}|~{3})/gm;
/** An info string that is attributes, not code: `{.class}` or `key="value"` pairs. */
const ATTRIBUTES = /^(\{.*\}|[\w-]+=("[^"]*"|'[^']*'|\S+)(\s+[\w-]+=("[^"]*"|'[^']*'|\S+))*)$/;

/** The fence a token's (or a text's) first line opens, by the shared rule. */
function openingFence(raw: string): FenceLine | null {
	const newline = raw.indexOf('\n');
	const line = fenceLine(newline < 0 ? raw : raw.slice(0, newline));
	return opensFence(line) ? line : null;
}

function isClosingFence(line: string, fence: FenceRun): boolean {
	return closesFence(fenceLine(line), fence);
}

function wasClosed(raw: string, fence: FenceRun): boolean {
	const lines = raw.replace(/\n$/, '').split('\n');
	return lines.length >= 2 && isClosingFence(lines.at(-1)!, fence);
}

/** Removes the indentation every non-blank line shares (code fenced in a list item, or pasted indented). */
export function dedent(code: string): string {
	const lines = code.split('\n');
	let common = Infinity;
	for (const line of lines) {
		if (!line.trim()) continue;
		common = Math.min(common, /^[ \t]*/.exec(line)![0].length);
	}
	if (!Number.isFinite(common) || common === 0) return code;
	return lines.map((line) => line.slice(Math.min(common, /^[ \t]*/.exec(line)![0].length))).join('\n');
}

/** A ```python fence opened directly inside a ```repl block: drop its fence lines. */
function unwrapNested(code: string): {code: string; nested: boolean} {
	const lines = code.split('\n');
	const first = lines.findIndex((line) => line.trim() !== '');
	if (first < 0) return {code, nested: false};
	const inner = openingFence(lines[first]!);
	if (!inner || !PYTHON_LANGUAGES.has(fenceLanguage(inner.info).lang)) return {code, nested: false};
	const rest = lines.slice(first + 1);
	let last = rest.length - 1;
	while (last >= 0 && rest[last]!.trim() === '') last--;
	if (last >= 0 && isClosingFence(rest[last]!, inner)) rest.splice(last, 1);
	return {code: rest.join('\n'), nested: true};
}

/** The reply's block structure: marked's lexer without its inline pass (emphasis, links, code
 * spans inside paragraphs), which nothing here reads: code blocks and the lists holding them are
 * block tokens. */
function lex(text: string): Token[] {
	return new Lexer({gfm: true}).blockTokens(text);
}

/** Whether a bare fenced block's text leaves a runnable fence open: its opener was a stray line. */
function holdsOpenRunnableFence(code: string): boolean {
	const open = fenceOpenAtEnd(code);
	return open !== null && PYTHON_LANGUAGES.has(fenceLanguage(open.fence.info).lang);
}

/** Whether `text`, read by the fence rule to its end, leaves a bare fence open with nothing after
 * it: what a quote's own closing fence becomes when its opener is taken for a stray line. */
function leavesEmptyFenceOpen(text: string): boolean {
	const open = fenceOpenAtEnd(text);
	return open !== null && open.fence.info.trim() === '' && !open.hasContent;
}

/** Whether a non-blank line comes before the first fence a bare block's text opens. */
function proseBeforeFence(code: string): boolean {
	for (const line of code.split('\n')) {
		if (opensFence(fenceLine(line))) return false;
		if (line.trim() !== '') return true;
	}
	return false;
}

/** Where the reply is read again when a code token's opener is a stray bare fence line: after it.
 * Not when prose comes first inside it and that reading leaves an empty fence open at the reply's
 * end: then the bare block quoted a text holding a fenced block (a README, a tutorial) with fences
 * as long as its own, CommonMark closed it early at the inner block's closing fence, and its last
 * fence was the quote's own closer. (A bare ``` right before ```python with one after the block is
 * a model wrapping its code twice: that runs.) */
function afterStrayOpener(token: Tokens.Code, text: string, start: number): number | null {
	if (token.codeBlockStyle === 'indented') return null;
	const fence = openingFence(token.raw);
	if (!fence?.bare || !holdsOpenRunnableFence(token.text)) return null;
	const newline = text.indexOf('\n', start);
	if (newline < 0) return null;
	if (proseBeforeFence(token.text) && leavesEmptyFenceOpen(text.slice(newline + 1))) return null;
	return newline + 1;
}

/** A fenced token that does not run: its language ('' untagged); null for indented code. */
function otherLanguage(token: Tokens.Code): string | null {
	if (token.codeBlockStyle === 'indented') return null;
	const fence = openingFence(token.raw);
	return fence ? fenceLanguage(fence.info).lang : null;
}

/** Code token -> block, when its info string names Python. */
function toBlock(token: Tokens.Code, start: number, end: number): CodeBlock | null {
	if (token.codeBlockStyle === 'indented') return null;
	const fence = openingFence(token.raw);
	if (!fence) return null;
	const {lang, rest: onOpeningLine} = fenceLanguage(fence.info);
	if (!PYTHON_LANGUAGES.has(lang)) return null;
	let code = token.text;
	// "```repl x = 1": CommonMark reads `x = 1` as part of the info string; a model meant code.
	if (onOpeningLine && !ATTRIBUTES.test(onOpeningLine)) code = code ? `${onOpeningLine}\n${code}` : onOpeningLine;
	code = dedent(unwrapNested(code).code).replace(/\s+$/, '');
	if (!code.trim()) return null;
	return {code, lang, closed: wasClosed(token.raw, fence), start, end};
}

interface Span {
	token: Token;
	start: number;
	end: number;
}

/** Top-level tokens with their offsets in `text` (their raw texts tile it). */
function spans(tokens: Token[], text: string, base: number): Span[] {
	const out: Span[] = [];
	let offset = 0;
	for (const token of tokens) {
		let at = text.startsWith(token.raw, offset) ? offset : text.indexOf(token.raw, offset);
		if (at < 0) at = offset;
		const end = Math.min(text.length, at + token.raw.length);
		out.push({token, start: base + at, end: base + end});
		offset = end;
	}
	return out;
}

/** Code tokens inside a list (any depth), each with the end of the list item that holds it. */
function listBlocks(list: Tokens.List, text: string, start: number, end: number, out: CodeBlock[], others: string[]): void {
	let cursor = start;
	for (const item of list.items) {
		const at = text.indexOf(item.raw, cursor);
		const itemStart = at >= 0 && at < end ? at : cursor;
		const itemEnd = at >= 0 && at < end ? Math.min(end, at + item.raw.length) : end;
		for (const token of item.tokens) {
			if (token.type === 'code') {
				const block = toBlock(token as Tokens.Code, itemStart, itemEnd);
				const other = block ? null : otherLanguage(token as Tokens.Code);
				if (block) out.push(block);
				else if (other !== null) others.push(other);
			} else if (token.type === 'list') {
				listBlocks(token as Tokens.List, text, itemStart, itemEnd, out, others);
			}
		}
		cursor = itemEnd;
	}
}

/** Blanks `text` keeping its line breaks (and so every offset). */
const blank = (text: string) => text.replace(/[^\n]/g, ' ');

/** Reads every runnable code block of a reply, and the prose around them. */
export function readReply(reply: string): ReplyReading {
	// Only fence lines lose their invisible characters: a block's code stays as written.
	const text = reply.replace(/\r\n?/g, '\n').replace(INVISIBLE_BEFORE_FENCE, (start) => start.replace(INVISIBLE, ''));
	const blocks: CodeBlock[] = [];
	const otherBlocks: string[] = [];
	const prose: string[] = [];
	/** Where each top-level code token (runnable or not) starts. */
	const codeStarts: number[] = [];
	let base = 0;
	// A nested ```python inside a ```repl with fences of equal length: CommonMark closes the outer block
	// at the inner closing fence and opens an empty block at the outer one. That stray fence is the
	// outer block's end, so reading resumes after it.
	read: for (;;) {
		const rest = text.slice(base);
		const all = spans(lex(rest), rest, base);
		for (const [index, {token, start, end}] of all.entries()) {
			if (token.type === 'code') {
				const after = afterStrayOpener(token as Tokens.Code, text, start);
				if (after !== null) {
					prose.push(blank(text.slice(start, after)));
					base = after;
					continue read;
				}
				prose.push(blank(text.slice(start, end)));
				codeStarts.push(start);
				const block = toBlock(token as Tokens.Code, start, end);
				if (!block) {
					const other = otherLanguage(token as Tokens.Code);
					if (other !== null) otherBlocks.push(other);
					continue;
				}
				blocks.push(block);
				const next = all[index + 1];
				const stray = next?.token.type === 'code' ? openingFence(next.token.raw) : null;
				if (block.closed && stray && stray.info === '' && unwrapNested((token as Tokens.Code).text).nested) {
					const newline = text.indexOf('\n', next.start);
					if (newline < 0) {
						prose.push(blank(text.slice(next.start)));
						break read;
					}
					prose.push(blank(text.slice(next.start, newline + 1)));
					base = newline + 1;
					continue read;
				}
			} else {
				prose.push(text.slice(start, end));
				if (token.type === 'list') listBlocks(token as Tokens.List, text, start, end, blocks, otherBlocks);
			}
		}
		break;
	}
	return keepCodeInFinal({text, blocks, prose: prose.join(''), otherBlocks}, codeStarts);
}

/**
 * A model that answers with code in prose writes FINAL(Use this:\n```js\n...\n```\nthen call it.).
 * When the first prose FINAL is closed after code blocks, those blocks are its text: they are kept in
 * the prose and are not run (a ```python example in an answer is not code to run).
 */
function keepCodeInFinal(reading: ReplyReading, codeStarts: readonly number[]): ReplyReading {
	// Offsets match only when the lexer's tokens tiled the reply; otherwise leave the reading as it is.
	if (reading.prose.length !== reading.text.length) return reading;
	const match = new RegExp(PROSE_FINAL_START.source, 'm').exec(reading.prose);
	if (!match || match[1] !== 'FINAL') return reading;
	const open = match.index + match[0].length - 1;
	const proseEnd = finalEnd(reading.prose, open);
	const holdsCode = (end: number) => codeStarts.some((at) => at > open && at < end);
	// Closed in the prose with no code inside: nothing to keep. Closed only in the text: the `)` is on
	// a code block's last line (FINAL(...```js ... ```)), which CommonMark reads as part of the block.
	if (proseEnd >= 0 && !holdsCode(proseEnd)) return reading;
	const end = finalEnd(reading.text, open);
	if (end < 0 || !holdsCode(end)) return reading;
	const inside = (at: number) => at > open && at < end;
	return {
		...reading,
		blocks: reading.blocks.filter((block) => !inside(block.start)),
		prose: reading.prose.slice(0, match.index) + reading.text.slice(match.index, end) + reading.prose.slice(end),
	};
}

/** The reply up to the end of its last block: a model's invented output after its code is dropped
 * from the history it sees next. A reply without blocks is kept whole. */
export function trimAfterLastBlock(reading: ReplyReading): string {
	const last = reading.blocks.at(-1);
	return last ? reading.text.slice(0, last.end).replace(/\s+$/, '') : reading.text;
}

/** The reply without its runnable blocks (code written to run, not an answer's text), blank lines
 * collapsed: what a stopped run can offer of a reply whose code never ran. */
export function withoutRunnableCode(reading: ReplyReading): string {
	let out = '';
	let from = 0;
	for (const block of reading.blocks) {
		out += reading.text.slice(from, block.start);
		from = block.end;
	}
	out += reading.text.slice(from);
	return out.replace(/\n{3,}/g, '\n\n').trim();
}
