// The TUI's one way to draw text: Ink's Text, with every string in it made printable
// (text/printable.ts) before Ink measures or writes it. Model ids from a server, file names, error
// messages and replayed fields reach the components raw; here none of their escape sequences
// (OSC 52 clipboard writes, OSC 0 window titles), C1 controls or bidi overrides can reach the
// terminal. The lint forbids Ink's own Text in source/ui.
import {Text as InkText} from 'ink';
import {cloneElement, createContext, createElement, Fragment, isValidElement, useContext, type ComponentProps, type ReactNode} from 'react';
import {printable, printableLine} from '../../text/printable.js';

export type TextProps = ComponentProps<typeof InkText> & {
	/**
	 * The strings hold SGR colour sequences our own renderers added (Markdown, Python colouring) to
	 * text made printable before: those are kept, everything else is cleaned as usual.
	 */
	ansi?: boolean;
};

// Inside a truncated Text everything is one row: a line break in a nested string would start a
// row of its own over the next one, so breaks become spaces there.
const OneRow = createContext(false);

// SGR only (colours, bold, dim): no cursor moves, no screen clears, no OSC.
const sgr = /\u001b\[[0-9;:]*m/g;

function keepingColours(text: string, clean: (text: string) => string): string {
	if (!text.includes('\u001b')) return clean(text);
	let out = '';
	let last = 0;
	for (const match of text.matchAll(sgr)) {
		out += clean(text.slice(last, match.index)) + match[0];
		last = match.index + match[0].length;
	}
	return out + clean(text.slice(last));
}

function cleanNode(node: ReactNode, clean: (text: string) => string): ReactNode {
	if (typeof node === 'string') return clean(node);
	if (Array.isArray(node)) return node.map((item: ReactNode) => cleanNode(item, clean));
	// A fragment's strings are the Text's own; a nested Text cleans its own.
	if (isValidElement<{children?: ReactNode}>(node) && node.type === Fragment) return cloneElement(node, undefined, cleanNode(node.props.children, clean));
	return node;
}

export function Text({ansi = false, children, 'aria-label': ariaLabel, ...props}: TextProps) {
	const inRow = useContext(OneRow);
	const oneRow = inRow || (props.wrap?.startsWith('truncate') ?? false);
	const line = oneRow ? printableLine : printable;
	const clean = ansi ? (text: string) => keepingColours(text, line) : line;
	const cleaned = cleanNode(children, clean);
	// Children as arguments, not one array: React checks the keys of an array, not of arguments.
	const text = createElement(InkText, {...props, ...(ariaLabel !== undefined ? {'aria-label': line(ariaLabel)} : {})}, ...(Array.isArray(cleaned) ? (cleaned as ReactNode[]) : [cleaned]));
	return oneRow && !inRow ? <OneRow.Provider value>{text}</OneRow.Provider> : text;
}
