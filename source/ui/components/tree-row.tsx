import {Text} from './text.js';
import {memo} from 'react';
import type {NodeStatus, NoticeNode, TrajectoryNode} from '../../trajectory/tree.js';
import {displayWidth} from '../format.js';
import type {BatchRow} from '../state/tree-view.js';
import type {Theme} from '../theme.js';
import {spinnerFrame} from '../theme.js';
import {batchStatus, describeBatch, describeNode, layoutRow, type BatchSummary} from '../tree-rows.js';

export interface TreeRowProps {
	/** A node, or a batch of slots (then `summary` is given). */
	item: TrajectoryNode | BatchRow;
	summary?: BatchSummary;
	width: number;
	selected: boolean;
	/** The tree pane has focus (selection drawn inverted). */
	focused: boolean;
	expanded: boolean;
	/** Whether rows hang under it (the ▾ or ▸ marker). */
	hasChildren: boolean;
	theme: Theme;
	/** Only given to running rows, so finished rows never re-render on the clock. */
	now?: number;
	/** A slot shown under its batch's row (titled by its index alone: the batch row names the function). */
	inBatch?: boolean;
	/** The notice of the retry a running reply waits for (retry-wait.ts). */
	retry?: NoticeNode;
}

/** A notice, and a block whose submitted answer was refused as empty, are done but no success: '!'. */
function statusIcon(status: NodeStatus, warning: boolean, now: number | undefined, theme: Theme): [string, string | undefined] {
	switch (status) {
		case 'running':
			return [now === undefined ? '•' : spinnerFrame(now), theme.running];
		case 'done':
			return warning ? ['!', theme.warn] : ['✓', theme.ok];
		case 'error':
			return ['✗', theme.error];
		case 'cancelled':
			return ['⊘', theme.warn];
	}
}

export const TreeRow = memo(function TreeRow({item, summary, width, selected, focused, expanded, hasChildren, theme, now, inBatch = false, retry}: TreeRowProps) {
	const batch = item.kind === 'batch' && summary ? summary : undefined;
	const indent = '  '.repeat(Math.min(item.level, Math.max(0, Math.floor(width / 6))));
	const marker = hasChildren ? (expanded ? '▾ ' : '▸ ') : '  ';
	const status = batch ? batchStatus(batch) : (item as TrajectoryNode).status;
	const warning = item.kind === 'notice' || ((item.kind === 'code' || item.kind === 'output') && item.answerRefused !== undefined);
	const [icon, iconColor] = statusIcon(status, warning, now, theme);
	const row = batch ? describeBatch(item as BatchRow, batch, now) : describeNode(item as TrajectoryNode, now, inBatch, retry);
	const lead = `${indent}${marker}${icon} `;
	const {title, preview, error, meta, gap} = layoutRow(row, width, displayWidth(lead));
	const inverse = selected && focused;
	return (
		<Text wrap="truncate" inverse={inverse} bold={selected && !focused}>
			<Text color={selected ? undefined : theme.dim}>{indent}</Text>
			<Text color={theme.dim}>{marker}</Text>
			<Text color={iconColor}>{icon} </Text>
			<Text color={item.kind === 'batch' ? theme.kinds.call : theme.kinds[item.kind]} bold>
				{title}
			</Text>
			{preview ? <Text ansi color={row.previewIsError ? theme.error : undefined}>{` ${preview}`}</Text> : null}
			{error ? <Text color={theme.error}>{` ${error}`}</Text> : null}
			<Text>{' '.repeat(gap)}</Text>
			{meta ? <Text color={theme.dim}>{meta}</Text> : null}
		</Text>
	);
});
