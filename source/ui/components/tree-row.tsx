import {Text} from 'ink';
import React, {memo} from 'react';
import type {TrajectoryNode} from '../../trajectory/tree.js';
import {clip, displayWidth, fitAnsi} from '../format.js';
import type {Theme} from '../theme.js';
import {spinnerFrame} from '../theme.js';
import {describeNode} from '../tree-rows.js';

export interface TreeRowProps {
	node: TrajectoryNode;
	width: number;
	selected: boolean;
	/** The tree pane has focus (selection drawn inverted). */
	focused: boolean;
	expanded: boolean;
	theme: Theme;
	/** Only given to running rows, so finished rows never re-render on the clock. */
	now?: number;
}

function statusIcon(node: TrajectoryNode, now: number | undefined, theme: Theme): [string, string | undefined] {
	switch (node.status) {
		case 'running':
			return [now === undefined ? '•' : spinnerFrame(now), theme.running];
		case 'done':
			return node.kind === 'notice' ? ['!', theme.warn] : ['✓', theme.ok];
		case 'error':
			return ['✗', theme.error];
		case 'cancelled':
			return ['⊘', theme.warn];
	}
}

export const TreeRow = memo(function TreeRow({node, width, selected, focused, expanded, theme, now}: TreeRowProps) {
	const indent = '  '.repeat(Math.min(node.level, Math.max(0, Math.floor(width / 6))));
	const marker = node.children.length > 0 ? (expanded ? '▾ ' : '▸ ') : '  ';
	const [icon, iconColor] = statusIcon(node, now, theme);
	const row = describeNode(node, now);
	const lead = `${indent}${marker}${icon} `;
	const leadWidth = displayWidth(lead);
	let metaText = row.meta;
	let title = clip(row.title, Math.max(1, width - leadWidth));
	let room = width - leadWidth - displayWidth(title) - 1 - (metaText ? displayWidth(metaText) + 1 : 0);
	if (room < 8 && metaText) {
		metaText = '';
		room = width - leadWidth - displayWidth(title) - 1;
	}
	const preview = room > 0 && row.preview ? (row.previewIsError ? clip(row.preview, room) : fitAnsi(row.preview, room)) : '';
	const used = leadWidth + displayWidth(title) + (preview ? 1 + displayWidth(preview) : 0);
	const gap = metaText ? Math.max(1, width - used - displayWidth(metaText)) : Math.max(0, width - used);
	if (used > width) title = clip(title, Math.max(1, width - leadWidth));
	const inverse = selected && focused;
	return (
		<Text wrap="truncate" inverse={inverse} bold={selected && !focused}>
			<Text color={selected ? undefined : theme.dim}>{indent}</Text>
			<Text color={theme.dim}>{marker}</Text>
			<Text color={iconColor}>{icon} </Text>
			<Text color={theme.kinds[node.kind]} bold>
				{title}
			</Text>
			{preview ? <Text color={row.previewIsError ? theme.error : undefined}>{` ${preview}`}</Text> : null}
			<Text>{' '.repeat(gap)}</Text>
			{metaText ? <Text color={theme.dim}>{metaText}</Text> : null}
		</Text>
	);
});
