// The hint line under the panes and the views' footers, written from the key tables (state/keys.ts),
// so a key changed there is a hint changed here.
import {findCommand} from './commands/index.js';
import {DETAIL_KEYS, GLOBAL_KEYS, HELP_KEYS, hint, INPUT_KEYS, keyLabel, PICKER_KEYS, prettyKey, TIMELINE_KEYS, TREE_KEYS} from './state/keys.js';
import type {AppState} from './state/types.js';
import {refusedInput} from './state/app-state.js';
import {inputText} from './state/line-input.js';

const join = (...parts: string[]) => parts.join(' · ');
const command = (name: string) => `/${findCommand(name)!.name}`;

const TREE_MOVE = hint(TREE_KEYS, ['down', 'up'], 'move');
const TREE_DETAIL = hint(TREE_KEYS, ['enter'], 'detail');

/** The refused line's hints, and a shorter form for a narrow status line (80 columns). */
const REFUSED_HINTS = [
	join('refused: type to replace the line', hint(INPUT_KEYS, ['left', 'backspace'], 'edit it'), hint(INPUT_KEYS, ['submit'], 'send it again')),
	join('refused: type to replace', hint(INPUT_KEYS, ['left'], 'edit'), hint(INPUT_KEYS, ['submit'], 'again')),
] as const;

/** The status line's hints for what the keys do now (several forms, longest first, where a short one helps). */
export function hintsFor(state: AppState): string | readonly string[] {
	if (state.exitArmed) return `${prettyKey(state.exitArmed.key)} again to quit`;
	if (state.flash) return state.flash.text;
	if (state.dialog?.type === 'detail') return join(hint(DETAIL_KEYS, ['page-up', 'page-down'], 'scroll'), hint(DETAIL_KEYS, ['close'], 'close'));
	if (state.dialog?.type === 'models') return join(hint(PICKER_KEYS, ['pick'], 'pick'), hint(PICKER_KEYS, ['close'], 'leave'));
	if (state.dialog?.type === 'help') return hint(HELP_KEYS, ['close'], 'close');
	if (state.timeline && state.focus === 'tree') {
		return join(
			`event ${state.timeline.at}/${state.timeline.events.length}`,
			hint(TIMELINE_KEYS, ['back', 'forward'], 'step'),
			hint(TIMELINE_KEYS, ['back-tenth', 'forward-tenth'], 'tenth'),
			TREE_DETAIL,
		);
	}
	if (state.treeSearch && state.focus === 'tree') return join('type to filter the rows', hint(INPUT_KEYS, ['submit'], 'keep'), hint(GLOBAL_KEYS, ['escape'], 'clear'));
	if (state.tree.filter && state.focus === 'tree') return join(hint(GLOBAL_KEYS, ['escape'], 'clear filter'), TREE_MOVE, TREE_DETAIL, hint(TREE_KEYS, ['filter'], 'edit filter'));
	if (state.running?.cancelling) return `cancelling… ${hint(GLOBAL_KEYS, ['interrupt'], 'quits')}`;
	const toOther = hint(GLOBAL_KEYS, ['focus-next'], state.focus === 'tree' ? 'chat' : 'tree');
	if (state.running) {
		// The jumps and the filter matter most while a large tree grows: named after cancel, cut first.
		return state.focus === 'tree'
			? join(TREE_MOVE, TREE_DETAIL, hint(GLOBAL_KEYS, ['escape'], 'cancel'), hint(TREE_KEYS, ['next-error', 'next-running'], 'next error/running'), hint(TREE_KEYS, ['filter'], 'filter'), toOther)
			: state.queued?.length && !inputText(state.input)
				? [join(hint(GLOBAL_KEYS, ['escape', 'interrupt'], 'cancel'), hint(INPUT_KEYS, ['up'], 'takes the queued question back'), toOther), join(hint(GLOBAL_KEYS, ['escape'], 'cancel'), hint(INPUT_KEYS, ['up'], 'take back'), toOther)]
				: join(hint(GLOBAL_KEYS, ['escape', 'interrupt'], 'cancel'), toOther);
	}
	if (state.focus === 'tree')
		return join(TREE_MOVE, hint(TREE_KEYS, ['expand', 'collapse'], 'open/close'), TREE_DETAIL, hint(TREE_KEYS, ['filter'], 'filter'), hint(TREE_KEYS, ['next-error', 'next-running'], 'next error/running'), hint(TREE_KEYS, ['collapse-all', 'expand-all'], 'all'), toOther);
	if (state.focus === 'input' && refusedInput(state)) return REFUSED_HINTS;
	return join(hint(INPUT_KEYS, ['submit'], 'send'), toOther, command('help'));
}

/** Under the detail view. */
export const DETAIL_FOOTER = join(
	hint(DETAIL_KEYS, ['page-up', 'page-down'], 'scroll'),
	hint(DETAIL_KEYS, ['line-down', 'line-up'], 'line'),
	hint(DETAIL_KEYS, ['top', 'bottom'], 'top/bottom'),
	hint(DETAIL_KEYS, ['close'], 'close'),
);

/** Under the help view, and in its frame. */
export const HELP_FOOTER = join(hint(HELP_KEYS, ['line-up', 'line-down'], 'scroll'), hint(HELP_KEYS, ['close'], 'close'));
export const HELP_NOTE = hint(HELP_KEYS, ['close'], 'close');

/** Under the model picker. */
export const PICKER_FOOTER = join('type to filter', hint(PICKER_KEYS, ['up', 'down'], 'move'), hint(PICKER_KEYS, ['pick'], 'pick (saved)'), hint(PICKER_KEYS, ['close'], 'leave'));

/** The chat input's placeholder. */
export function inputPlaceholder(readOnly: boolean, running: boolean): string {
	// The tree has the focus in a replay, and there / filters: a command starts with its own key.
	if (readOnly) return `replay: in the tree ${keyLabel(TREE_KEYS, 'command')} then ${command('quit')}, ${command('save')} or ${command('help')}; here just type them`;
	if (running) return `${hint(GLOBAL_KEYS, ['escape'], 'cancels')} · next question: Enter queues it`;
	return `Ask a question, or ${command('help')}`;
}

/** The empty tree pane's text. */
export const EMPTY_TREE = `The run appears here as it happens: iterations, the model's replies, code blocks, their output and every sub-call. ${keyLabel(GLOBAL_KEYS, 'focus-next')} focuses the tree.`;
