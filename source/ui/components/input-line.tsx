import {Text} from 'ink';
import React, {memo} from 'react';
import {displayWidth} from '../format.js';
import type {Theme} from '../theme.js';

export interface InputLineProps {
	value: string;
	cursor: number;
	focused: boolean;
	width: number;
	placeholder: string;
	theme: Theme;
}

/** One line of editable text; scrolls horizontally to keep the cursor in view. */
export const InputLine = memo(function InputLine({value, cursor, focused, width, placeholder, theme}: InputLineProps) {
	const prompt = '› ';
	const room = Math.max(1, width - displayWidth(prompt) - 1);
	if (!value) {
		return (
			<Text wrap="truncate">
				<Text color={focused ? theme.accent : theme.dim}>{prompt}</Text>
				{focused ? <Text inverse> </Text> : null}
				<Text color={theme.dim}>{placeholder}</Text>
			</Text>
		);
	}
	const chars = [...value];
	// Cursor index in code points.
	const cursorIndex = [...value.slice(0, cursor)].length;
	let start = 0;
	if (cursorIndex > room - 1) start = cursorIndex - (room - 1);
	const shown = chars.slice(start, start + room);
	const at = cursorIndex - start;
	const before = shown.slice(0, at).join('');
	const under = shown[at] ?? ' ';
	const after = shown.slice(at + 1).join('');
	return (
		<Text wrap="truncate">
			<Text color={theme.accent}>{prompt}</Text>
			<Text>{before}</Text>
			{focused ? <Text inverse>{under}</Text> : <Text>{under === ' ' && !after ? '' : under}</Text>}
			<Text>{after}</Text>
		</Text>
	);
});
