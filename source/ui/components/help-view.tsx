import {Box} from 'ink';
import {Text} from './text.js';
import {memo} from 'react';
import {HELP_FOOTER, HELP_NOTE} from '../hints.js';
import {helpLines} from '../help-lines.js';
import type {PaneBox} from '../state/layout.js';
import type {Theme} from '../theme.js';
import {PaneFrame} from './pane-frame.js';

export const HelpView = memo(function HelpView({box, rows, scroll, textWidth, theme}: {box: PaneBox; rows: number; scroll: number; textWidth: number; theme: Theme}) {
	const lines = helpLines(textWidth);
	const start = Math.max(0, Math.min(scroll, Math.max(0, lines.length - rows)));
	return (
		<PaneFrame title="Help" note={HELP_NOTE} width={box.width} height={box.height} focused color={theme.border} focusColor={theme.focusBorder}>
			<Box flexDirection="column" height={rows} paddingX={1} overflow="hidden">
				{lines.slice(start, start + rows).map((line, index) => (
					<Text key={start + index} wrap="truncate" bold={!line.startsWith(' ') && line !== ''} color={!line.startsWith(' ') ? theme.accent : undefined}>
						{line || ' '}
					</Text>
				))}
			</Box>
			<Text color={theme.dim} wrap="truncate">
				{' '}
				{HELP_FOOTER}
			</Text>
		</PaneFrame>
	);
});
