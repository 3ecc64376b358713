import {Box, Text} from 'ink';
import React, {memo} from 'react';
import {clip, displayWidth} from '../format.js';

export interface PaneFrameProps {
	title: string;
	/** Dim text on the right of the top border. */
	note?: string;
	width: number;
	height: number;
	focused: boolean;
	color: string | undefined;
	focusColor: string | undefined;
	children?: React.ReactNode;
}

/** A rounded border with the title drawn into its top edge (no extra row spent on a title). */
export const PaneFrame = memo(function PaneFrame({title, note, width, height, focused, color, focusColor, children}: PaneFrameProps) {
	const borderColor = focused ? focusColor : color;
	const inner = Math.max(0, width - 2);
	const label = clip(` ${title} `, Math.max(0, inner - 2));
	const noteText = note ? clip(` ${note} `, Math.max(0, inner - 2 - displayWidth(label) - 1)) : '';
	const fill = Math.max(0, inner - 1 - displayWidth(label) - displayWidth(noteText));
	return (
		<Box flexDirection="column" width={width} height={height} flexShrink={0}>
			<Text wrap="truncate">
				<Text color={borderColor}>╭─</Text>
				<Text color={borderColor} bold={focused}>
					{label}
				</Text>
				<Text color={borderColor}>{'─'.repeat(Math.max(0, fill - 1))}</Text>
				<Text dimColor>{noteText}</Text>
				<Text color={borderColor}>{fill > 0 ? '─╮' : '╮'}</Text>
			</Text>
			<Box
				borderStyle="round"
				borderTop={false}
				borderColor={borderColor}
				flexDirection="column"
				width={width}
				height={Math.max(1, height - 1)}
				overflow="hidden"
			>
				{children}
			</Box>
		</Box>
	);
});
