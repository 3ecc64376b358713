import {Box} from 'ink';
import {Text} from './text.js';
import {printableMarkedLine} from '../../text/printable.js';
import {memo} from 'react';
import {PICKER_FOOTER} from '../hints.js';
import {keyLabel, PICKER_KEYS} from '../state/keys.js';
import {pickerMatches, pickerModel, pickerRows, pickerTotal, type ModelPickerDialog} from '../state/app-state.js';
import {InputBox} from './input-line.js';
import type {PaneBox} from '../state/layout.js';
import type {Theme} from '../theme.js';
import {PaneFrame} from './pane-frame.js';

export interface ModelPickerProps {
	dialog: ModelPickerDialog;
	box: PaneBox;
	rows: number;
	theme: Theme;
}

export const ModelPicker = memo(function ModelPicker({dialog, box, rows, theme}: ModelPickerProps) {
	const all = pickerRows(dialog);
	const matches = pickerMatches(dialog).length;
	const listRows = Math.max(1, rows - 2);
	const cursor = Math.min(dialog.cursor, Math.max(0, all.length - 1));
	const start = Math.max(0, Math.min(cursor - Math.floor(listRows / 2), all.length - listRows));
	const shown = all.slice(start, start + listRows);
	const status =
		dialog.status === 'loading'
			? 'loading the models…'
			: dialog.status === 'error'
				? `could not list models: ${dialog.error ?? ''} (type a name and press ${keyLabel(PICKER_KEYS, 'pick')})`
				: `${matches} of ${pickerTotal(dialog)}`;
	return (
		<PaneFrame title={`Model · ${dialog.backend}`} note={`now: ${printableMarkedLine(dialog.current)}`} width={box.width} height={box.height} focused color={theme.border} focusColor={theme.focusBorder}>
			<Box flexDirection="column" height={rows} paddingX={1} overflow="hidden">
				<InputBox
					value={dialog.filter.value}
					cursor={dialog.filter.cursor}
					pastes={dialog.filter.pastes}
					focused
					width={Math.max(4, box.innerWidth - 2 - 9 - 1)}
					maxRows={1}
					placeholder=""
					prompt="filter › "
					theme={theme}
				/>
				<Text color={dialog.status === 'error' ? theme.error : theme.dim} wrap="truncate">
					{status}
				</Text>
				{shown.map((model, index) => {
					const selected = start + index === cursor;
					const id = pickerModel(dialog, model);
					const alias = id !== model;
					const custom = !alias && !dialog.models.includes(model);
					return (
						<Text key={`${model}-${start + index}`} wrap="truncate" inverse={selected}>
							{selected ? '› ' : '  '}
							{printableMarkedLine(model)}
							{alias ? <Text color={theme.dim}> → {printableMarkedLine(id)} (alias)</Text> : null}
							{id === dialog.current ? <Text color={theme.ok}> (current)</Text> : null}
							{custom ? <Text color={theme.dim}> (use this name)</Text> : null}
						</Text>
					);
				})}
			</Box>
			<Text color={theme.dim} wrap="truncate">
				{' '}
				{PICKER_FOOTER}
			</Text>
		</PaneFrame>
	);
});
