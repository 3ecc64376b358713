import {Box, Text} from 'ink';
import React, {memo} from 'react';
import {EMPTY_TREE} from '../hints.js';
import {getNode} from '../../trajectory/tree.js';
import type {PaneBox} from '../state/layout.js';
import {flatten, isExpanded, type TreeViewState} from '../state/tree-view.js';
import type {Theme} from '../theme.js';
import {PaneFrame} from './pane-frame.js';
import {TreeRow} from './tree-row.js';

export interface TreePaneProps {
	tree: TreeViewState;
	box: PaneBox;
	rows: number;
	focused: boolean;
	theme: Theme;
	/** The app's clock (moves only while a question runs). */
	now: number;
}

/** The live tree, windowed: only the rows that fit are ever rendered. */
export const TreePane = memo(function TreePane({tree, box, rows, focused, theme, now}: TreePaneProps) {
	const flat = flatten(tree);
	const total = flat.ids.length;
	const start = Math.max(0, Math.min(tree.offset, Math.max(0, total - rows)));
	const visible = flat.ids.slice(start, start + rows);
	const nodes = visible.map((id) => getNode(tree.traj, id)!);
	const cursorRow = flat.rowOf(tree.cursor);
	const note = total > 0 ? `${cursorRow + 1}/${total}${tree.follow ? ' · following' : ''}` : '';
	const width = box.innerWidth;
	return (
		<PaneFrame title="Tree" note={note} width={box.width} height={box.height} focused={focused} color={theme.border} focusColor={theme.focusBorder}>
			{total === 0 ? (
				<Box paddingX={1}>
					<Text color={theme.dim} wrap="wrap">
						{EMPTY_TREE}
					</Text>
				</Box>
			) : (
				nodes.map((node) => (
					<TreeRow
						key={node.id}
						node={node}
						width={width}
						selected={node.id === tree.cursor}
						focused={focused}
						expanded={isExpanded(tree, node)}
						theme={theme}
						{...(node.status === 'running' ? {now} : {})}
					/>
				))
			)}
		</PaneFrame>
	);
});
