// Reading a model reply: its code blocks and, for replies without code, a prose FINAL(...).

const fencePattern = /```(?:repl|python|py)[ \t]*\r?\n([\s\S]*?)```/g;

/** Every ```repl / ```python block of a reply, in order. */
export function extractCodeBlocks(reply: string): string[] {
	const blocks: string[] = [];
	for (const match of reply.matchAll(fencePattern)) {
		const code = match[1]!.replace(/\s+$/, '');
		if (code.trim()) blocks.push(code);
	}
	return blocks;
}

/** The text of FINAL(...) in prose, with balanced parentheses; null when absent. */
export function extractProseFinal(reply: string): string | null {
	const start = reply.search(/\bFINAL\(/);
	if (start < 0) return null;
	let depth = 0;
	const open = start + 'FINAL'.length;
	for (let i = open; i < reply.length; i++) {
		const ch = reply[i];
		if (ch === '(') depth++;
		else if (ch === ')') {
			depth--;
			if (depth === 0) return unquote(reply.slice(open + 1, i).trim());
		}
	}
	// Unbalanced: take the rest of the reply.
	return unquote(reply.slice(open + 1).trim());
}

function unquote(text: string): string {
	const quoted = /^(["'])([\s\S]*)\1$/.exec(text);
	return quoted ? quoted[2]! : text;
}

/** The reply with everything after the last code block's closing fence removed, so
 * output a model invented after its code does not stay in the history it sees. */
export function trimAfterLastBlock(reply: string): string {
	let end = -1;
	for (const match of reply.matchAll(fencePattern)) end = match.index! + match[0].length;
	return end < 0 ? reply : reply.slice(0, end);
}
