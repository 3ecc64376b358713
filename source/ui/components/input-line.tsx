import {Box} from 'ink';
import {Text} from './text.js';
import React, {memo} from 'react';
import {layoutInput, type Cell} from '../state/input-layout.js';
import type {Theme} from '../theme.js';

export interface InputBoxProps {
	value: string;
	cursor: number;
	pastes: ReadonlyMap<string, string>;
	focused: boolean;
	/** Columns for the text (the prompt and the cursor's cell not counted). */
	width: number;
	/** The box grows to this many rows, then scrolls to keep the cursor in view. */
	maxRows: number;
	placeholder: string;
	theme: Theme;
	prompt?: string;
}

function Cells({cells, theme}: {cells: readonly Cell[]; theme: Theme}) {
	// Runs of plain cells are one Text (never a bare string: a Text cleans its strings); placeholders are dim.
	const parts: React.ReactNode[] = [];
	let run = '';
	let runStart = 0;
	const flush = () => {
		if (run) parts.push(<Text key={`run-${runStart}`}>{run}</Text>);
		run = '';
	};
	for (const cell of cells) {
		if (cell.placeholder) {
			flush();
			parts.push(
				<Text key={cell.start} color={theme.dim}>
					{cell.shown}
				</Text>,
			);
		} else {
			if (!run) runStart = cell.start;
			run += cell.shown;
		}
	}
	flush();
	return <>{parts}</>;
}

/** The chat input: wraps long lines, grows to `maxRows` rows, then scrolls; one row per line break. */
export const InputBox = memo(function InputBox({value, cursor, pastes, focused, width, maxRows, placeholder, theme, prompt = '› '}: InputBoxProps) {
	const pad = ' '.repeat(prompt.length);
	if (!value) {
		return (
			<Text wrap="truncate">
				<Text color={focused ? theme.accent : theme.dim}>{prompt}</Text>
				{focused ? <Text inverse> </Text> : null}
				<Text color={theme.dim}>{placeholder}</Text>
			</Text>
		);
	}
	const layout = layoutInput(value, cursor, pastes, width);
	const total = layout.rows.length;
	const shownRows = Math.min(maxRows, total);
	const first = Math.max(0, Math.min(layout.cursorRow - shownRows + 1, total - shownRows));
	const rows = layout.rows.slice(first, first + shownRows);
	return (
		<Box flexDirection="column">
			{rows.map((row, index) => {
				const r = first + index;
				const lead = r === 0 ? prompt : r === first && first > 0 ? `${String.fromCharCode(0x2191)} `.padEnd(prompt.length) : pad;
				const leadColor = r === 0 ? theme.accent : theme.dim;
				if (r !== layout.cursorRow || !focused) {
					return (
						<Text key={r} wrap="truncate">
							<Text color={leadColor}>{lead}</Text>
							<Cells cells={row.cells} theme={theme} />
						</Text>
					);
				}
				const at = row.cells.findIndex((cell) => cell.start >= cursor);
				const before = at === -1 ? row.cells : row.cells.slice(0, at);
				const under = at === -1 ? undefined : row.cells[at];
				const after = at === -1 ? [] : row.cells.slice(at + 1);
				return (
					<Text key={r} wrap="truncate">
						<Text color={leadColor}>{lead}</Text>
						<Cells cells={before} theme={theme} />
						<Text inverse>{under ? under.shown || ' ' : ' '}</Text>
						<Cells cells={after} theme={theme} />
					</Text>
				);
			})}
		</Box>
	);
});
