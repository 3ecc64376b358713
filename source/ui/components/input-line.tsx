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
	// Cursor index in code points; the window is measured in terminal columns (wide characters
	// such as CJK take two), keeping one column for the cursor.
	const cursorIndex = [...value.slice(0, cursor)].length;
	let start = cursorIndex;
	let used = displayWidth(chars[cursorIndex] ?? ' ');
	while (start > 0 && used + displayWidth(chars[start - 1]!) <= room) used += displayWidth(chars[--start]!);
	let end = cursorIndex + 1;
	while (end < chars.length && used + displayWidth(chars[end]!) <= room) used += displayWidth(chars[end++]!);
	const shown = chars.slice(start, Math.max(end, cursorIndex));
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
