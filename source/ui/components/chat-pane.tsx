import {Box} from 'ink';
import {Text} from './text.js';
import {memo, useMemo} from 'react';
import {inputPlaceholder} from '../hints.js';
import {formatClock} from '../../text/units.js';
import {entryLines, type ChatLine, type Tone} from '../chat-lines.js';
import {append, clipWords} from '../format.js';
import type {ChatEntry, Running} from '../state/types.js';
import type {LineInputState} from '../state/line-input.js';
import type {PaneBox} from '../state/layout.js';
import {inputMaxRows, inputWidth, type Layout} from '../state/layout.js';
import {inputRows} from '../state/app-state.js';
import type {Theme} from '../theme.js';
import {spinnerFrame} from '../theme.js';
import {InputBox} from './input-line.js';
import {PaneFrame} from './pane-frame.js';

const WorkingLine = memo(function WorkingLine({running, step, theme, width, now}: {running: Running; step: string; theme: Theme; width: number; now: number}) {
	const text = `${running.cancelling ? 'cancelling' : 'working'} ${formatClock(now - running.since)}${step ? ` · ${step}` : ''}`;
	return (
		<Text wrap="truncate" color={running.cancelling ? theme.warn : theme.running}>
			{spinnerFrame(now)} {clipWords(text, Math.max(0, width - 2))}
		</Text>
	);
});

export interface ChatPaneProps {
	chat: readonly ChatEntry[];
	input: LineInputState;
	focused: boolean;
	box: PaneBox;
	/** The whole layout (the input box's size follows from it). */
	layout: Layout;
	scroll: number;
	running: Running | null;
	/** What the engine is doing now (shown under the question while it runs). */
	step: string;
	/** Read-only (a replay): the input takes commands only. */
	readOnly: boolean;
	theme: Theme;
	/** The app's clock (moves only while a question runs). */
	now: number;
}

export const ChatPane = memo(function ChatPane({chat, input, focused, box, layout, scroll, running, step, readOnly, theme, now}: ChatPaneProps) {
	const width = Math.max(1, box.innerWidth - 1);
	const isRunning = running !== null;
	// The working line goes under the running question, above the questions queued after it.
	const {all, workingAt} = useMemo(() => {
		const out: ChatLine[] = [];
		let at = -1;
		for (const entry of chat) {
			if (isRunning && at < 0 && entry.queued) {
				at = out.length;
				out.push({text: '', tone: 'info'});
			}
			if (out.length > 0) out.push({text: '', tone: 'info'});
			append(out, entryLines(entry, width));
		}
		if (isRunning && at < 0) {
			at = out.length;
			out.push({text: '', tone: 'info'});
		}
		return {all: out, workingAt: at};
	}, [chat, width, isRunning]);
	const boxRows = inputRows(layout, input);
	const rows = Math.max(1, layout.chatRows - (boxRows - 1));
	const historyRows = rows;
	const maxScroll = Math.max(0, all.length - historyRows);
	const offset = Math.min(scroll, maxScroll);
	const end = all.length - offset;
	const start = Math.max(0, end - historyRows);
	const shown = all.slice(start, end);
	const toneColor: Record<Tone, string | undefined> = {
		user: theme.user,
		answer: undefined,
		meta: theme.dim,
		error: theme.error,
		notice: theme.warn,
		info: theme.dim,
	};
	const note = offset > 0 ? `scrolled ↑${offset} · PgDn` : '';
	const welcome = chat.length === 0 && !running;
	return (
		// History lines are cut to the width and never more than fit, the input's rows likewise: no
		// clipping (Ink re-slices every line under a clip), except around the wrapped welcome text.
		<PaneFrame title="Chat" note={note} width={box.width} height={box.height} focused={focused} color={theme.border} focusColor={theme.focusBorder} clip={false}>
			<Box flexDirection="column" height={rows} paddingLeft={1} overflow={welcome ? 'hidden' : 'visible'}>
				{welcome ? (
					<Text color={theme.dim} wrap="wrap">
						Ask a question. The model answers by writing Python in a sandboxed REPL; the tree shows every step. /help lists keys and commands.
					</Text>
				) : (
					shown.map((line, index) =>
						running && start + index === workingAt ? (
							<WorkingLine key={index} running={running} step={step} theme={theme} width={width} now={now} />
						) : (
							<Text key={index} ansi wrap="truncate" color={toneColor[line.tone]} bold={line.tone === 'user'}>
								{line.text || ' '}
							</Text>
						),
					)
				)}
			</Box>
			<Text color={theme.border} wrap="truncate">
				{'─'.repeat(box.innerWidth)}
			</Text>
			<Box paddingLeft={1} height={boxRows} flexDirection="column">
				<InputBox
					value={input.value}
					cursor={input.cursor}
					pastes={input.pastes}
					focused={focused}
					width={inputWidth(layout)}
					maxRows={inputMaxRows(layout)}
					placeholder={inputPlaceholder(readOnly, Boolean(running))}
					theme={theme}
				/>
			</Box>
		</PaneFrame>
	);
});
