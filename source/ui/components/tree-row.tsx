import {Text} from 'ink';
import React, {memo} from 'react';
import type {TrajectoryNode} from '../../trajectory/tree.js';
import {displayWidth} from '../format.js';
import type {Theme} from '../theme.js';
import {spinnerFrame} from '../theme.js';
import {describeNode, layoutRow} from '../tree-rows.js';

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
	const {title, preview, error, meta, gap} = layoutRow(row, width, displayWidth(lead));
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
			{error ? <Text color={theme.error}>{` ${error}`}</Text> : null}
			<Text>{' '.repeat(gap)}</Text>
			{meta ? <Text color={theme.dim}>{meta}</Text> : null}
		</Text>
	);
});
