import {Box} from 'ink';
import {Text} from './text.js';
import {memo} from 'react';
import {DETAIL_FOOTER} from '../hints.js';
import type {TrajectoryNode, TrajectoryState} from '../../trajectory/tree.js';
import {detailLines, detailTitle} from '../detail.js';
import type {PaneBox} from '../state/layout.js';
import type {Theme} from '../theme.js';
import {PaneFrame} from './pane-frame.js';

export interface DetailViewProps {
	node: TrajectoryNode;
	/** The tree the node is in (a code block shows its output node's text). */
	traj: TrajectoryState;
	scroll: number;
	box: PaneBox;
	rows: number;
	textWidth: number;
	theme: Theme;
}

/** The full text of one node (code, output, prompt and response), scrollable. */
export const DetailView = memo(function DetailView({node, traj, scroll, box, rows, textWidth, theme}: DetailViewProps) {
	const lines = detailLines(node, textWidth, traj);
	const start = Math.max(0, Math.min(scroll, Math.max(0, lines.length - rows)));
	const shown = lines.slice(start, start + rows);
	const range = lines.length === 0 ? 'empty' : `lines ${start + 1}-${start + shown.length} of ${lines.length}`;
	return (
		<PaneFrame title={detailTitle(node)} note={range} width={box.width} height={box.height} focused color={theme.border} focusColor={theme.focusBorder}>
			<Box flexDirection="column" height={rows} paddingX={1} overflow="hidden">
				{shown.map((line, index) => (
					<Text key={start + index} ansi wrap="truncate">
						{line || ' '}
					</Text>
				))}
			</Box>
			<Text color={theme.dim} wrap="truncate">
				{' '}
				{DETAIL_FOOTER}
			</Text>
		</PaneFrame>
	);
});
