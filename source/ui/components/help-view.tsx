import {Box, Text} from 'ink';
import React, {memo} from 'react';
import {COMMANDS} from '../commands.js';
import {DETAIL_KEYS, GLOBAL_KEYS, TREE_KEYS, CHAT_KEYS, type Binding} from '../state/keys.js';
import type {PaneBox} from '../state/layout.js';
import type {Theme} from '../theme.js';
import {PaneFrame} from './pane-frame.js';

const pretty = (key: string) =>
	({up: '↑', down: '↓', left: '←', right: '→', return: 'Enter', escape: 'Esc', pageup: 'PgUp', pagedown: 'PgDn', space: 'Space', home: 'Home', end: 'End', tab: 'Tab', 'shift+tab': 'Shift+Tab', 'ctrl+c': 'Ctrl+C'})[key] ?? key;

function keyLines(title: string, table: readonly Binding<string>[]): string[] {
	return [
		title,
		...table.filter((binding) => binding.help).map((binding) => `  ${binding.keys.map(pretty).join(' / ').padEnd(22)} ${binding.help}`),
		'',
	];
}

export const HELP_LINES: readonly string[] = [
	...keyLines('Anywhere', GLOBAL_KEYS),
	...keyLines('Tree (Tab to focus)', TREE_KEYS),
	...keyLines('Detail view', DETAIL_KEYS),
	...keyLines('Chat input', [...CHAT_KEYS, {keys: ['up', 'down'], action: 'history', help: 'earlier questions'}, {keys: ['return'], action: 'send', help: 'send the question or command'}]),
	'Commands',
	...COMMANDS.map((command) => `  ${command.usage.padEnd(38)} ${command.help}`),
];

export const HelpView = memo(function HelpView({box, rows, scroll, theme}: {box: PaneBox; rows: number; scroll: number; theme: Theme}) {
	const start = Math.max(0, Math.min(scroll, Math.max(0, HELP_LINES.length - rows)));
	return (
		<PaneFrame title="Help" note="Esc close" width={box.width} height={box.height} focused color={theme.border} focusColor={theme.focusBorder}>
			<Box flexDirection="column" height={rows} paddingX={1} overflow="hidden">
				{HELP_LINES.slice(start, start + rows).map((line, index) => (
					<Text key={start + index} wrap="truncate" bold={!line.startsWith(' ') && line !== ''} color={!line.startsWith(' ') ? theme.accent : undefined}>
						{line || ' '}
					</Text>
				))}
			</Box>
			<Text color={theme.dim} wrap="truncate">
				{' '}↑/↓ scroll · Esc close
			</Text>
		</PaneFrame>
	);
});
