import {Box} from 'ink';
import {Text} from './text.js';
import React, {memo} from 'react';
import {clip, displayWidth} from '../format.js';
import {printableLine} from '../../text/printable.js';

export interface PaneFrameProps {
	title: string;
	/** Dim text on the right of the top border. */
	note?: string;
	width: number;
	height: number;
	focused: boolean;
	color: string | undefined;
	focusColor: string | undefined;
	/**
	 * Cut what overflows the frame (default). Ink measures and re-slices every line written inside
	 * a clipping box, whether it fits or not: most of a frame's cost. A pane whose rows are made to
	 * fit (one truncated line each, no more rows than it holds) turns it off.
	 */
	clip?: boolean;
	children?: React.ReactNode;
}

/** A rounded border with the title drawn into its top edge (no extra row spent on a title). */
export const PaneFrame = memo(function PaneFrame({title, note, width, height, focused, color, focusColor, clip: clipped = true, children}: PaneFrameProps) {
	const borderColor = focused ? focusColor : color;
	const inner = Math.max(0, width - 2);
	// Measured as drawn: a title or note can name a model or file (a Text would clean it only after the fill was counted).
	const label = clip(` ${printableLine(title)} `, Math.max(0, inner - 2));
	const noteText = note ? clip(` ${printableLine(note)} `, Math.max(0, inner - 2 - displayWidth(label) - 1)) : '';
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
				overflow={clipped ? 'hidden' : 'visible'}
			>
				{children}
			</Box>
		</Box>
	);
});
