import {Box} from 'ink';
import {Text} from './text.js';
import {memo} from 'react';
import {EMPTY_TREE} from '../hints.js';
import type {PaneBox} from '../state/layout.js';
import {batchOf, batchSummary, flatten, hasChildRows, isExpanded, rowItem, type TreeViewState} from '../state/tree-view.js';
import type {Theme} from '../theme.js';
import {PaneFrame} from './pane-frame.js';
import {TreeRow} from './tree-row.js';
import {pendingRetry} from '../retry-wait.js';

export interface TreePaneProps {
	tree: TreeViewState;
	/** The filter is being typed (the note shows a cursor after it). */
	searching?: boolean;
	box: PaneBox;
	rows: number;
	focused: boolean;
	theme: Theme;
	/** The app's clock (moves only while a question runs). */
	now: number;
}

/** The live tree, windowed: only the rows that fit are ever rendered. */
export const TreePane = memo(function TreePane({tree, searching = false, box, rows, focused, theme, now}: TreePaneProps) {
	const flat = flatten(tree);
	const total = flat.ids.length;
	const start = Math.max(0, Math.min(tree.offset, Math.max(0, total - rows)));
	const visible = flat.ids.slice(start, start + rows);
	const items = visible.map((id) => rowItem(tree.traj, id)!);
	const cursorRow = flat.rowOf(tree.cursor);
	const note = tree.filter || searching
		? `/${tree.filter}${searching ? '▏' : ''} · ${total === 0 ? 'no match' : `${cursorRow + 1}/${total}`}`
		: total > 0
			? `${cursorRow + 1}/${total}${tree.follow ? ' · following' : ''}`
			: '';
	const width = box.innerWidth;
	return (
		// Rows are one truncated line each and never more than fit: no clipping (it would cost more
		// than the rows). Only the wrapped messages of an empty tree could overflow.
		<PaneFrame title="Tree" note={note} width={box.width} height={box.height} focused={focused} color={theme.border} focusColor={theme.focusBorder} clip={total === 0}>
			{total === 0 && tree.filter ? (
				<Box paddingX={1}>
					<Text color={theme.dim} wrap="wrap">
						No row holds "{tree.filter}". Esc clears the filter.
					</Text>
				</Box>
			) : total === 0 ? (
				<Box paddingX={1}>
					<Text color={theme.dim} wrap="wrap">
						{EMPTY_TREE}
					</Text>
				</Box>
			) : (
				items.map((item) => {
					const summary = item.kind === 'batch' ? batchSummary(tree.traj, item) : undefined;
					const running = summary ? summary.running + summary.queued > 0 : item.kind !== 'batch' && item.status === 'running';
					const retry = item.kind === 'reply' ? pendingRetry(tree.traj, item) : undefined;
					return (
						<TreeRow
							key={item.id}
							item={item}
							{...(summary ? {summary} : {})}
							width={width}
							selected={item.id === tree.cursor}
							focused={focused}
							expanded={tree.filter ? true : isExpanded(tree, item)}
							hasChildren={hasChildRows(tree.traj, item)}
							theme={theme}
							{...(running ? {now} : {})}
							{...(retry ? {retry} : {})}
							{...(item.kind === 'call' && batchOf(tree.traj, item.id) ? {inBatch: true} : {})}
						/>
					);
				})
			)}
		</PaneFrame>
	);
});
