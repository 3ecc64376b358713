// /copy: the last answer, or with `row` the tree's selected row (a code block's code, an output,
// a reply, a sub-call's response, a run's answer), onto the clipboard through the terminal (OSC 52).
// Only ever on this command: nothing the model writes can set the clipboard.
import {getNode, type TrajectoryNode} from '../../trajectory/tree.js';
import {MAX_COPY_BYTES} from '../terminal.js';
import {addChat} from '../state/updates.js';
import {defineCommand} from './command.js';
import {formatCount} from '../../protocol/numbers.js';

/** What copying a row takes: its main text, and what to call it. */
function rowText(node: TrajectoryNode): {text: string; what: string} | undefined {
	switch (node.kind) {
		case 'code':
			return {text: node.code, what: `code block ${node.block}`};
		case 'output':
			return {text: node.error ? `${node.text}${node.text.endsWith('\n') || !node.text ? '' : '\n'}${node.error}` : node.text, what: 'the output'};
		case 'reply':
		case 'reasoning':
			return {text: node.text, what: node.kind === 'reply' ? 'the reply' : 'the thinking'};
		case 'call':
			return {text: node.response, what: `the ${node.fn} response`};
		case 'run':
			return node.answer ? {text: node.answer, what: "the run's answer"} : undefined;
		case 'notice':
			return {text: node.message, what: 'the notice'};
		case 'iteration':
			return undefined;
	}
}

export const copyCommand = defineCommand<{text: string; what: string}>({
	name: 'copy',
	usage: '/copy [row]',
	help: "put the last answer (row: the tree's selected row: code, output, reply, response) on the clipboard (OSC 52)",
	inReplay: true,
	run(state, args, queue) {
		const word = args.toLowerCase();
		let found: {text: string; what: string} | undefined;
		if (word === '') {
			const answer = [...state.chat].reverse().find((entry) => entry.kind === 'answer');
			found = answer ? {text: answer.text, what: 'the last answer'} : undefined;
			if (!found) return addChat(state, 'info', 'Nothing to copy yet: no answer. /copy row copies the tree\'s selected row.');
		} else if (word === 'row') {
			const node = getNode(state.tree.traj, state.tree.cursor);
			found = node ? rowText(node) : undefined;
			if (!found?.text) return addChat(state, 'info', 'The selected row has nothing to copy: select a code block, an output, a reply or a sub-call in the tree.');
		} else {
			return addChat(state, 'error', 'Usage: /copy (the last answer) or /copy row (the tree\'s selected row).');
		}
		if (Buffer.byteLength(found.text, 'utf8') > MAX_COPY_BYTES) {
			return addChat(state, 'error', `Too long for the clipboard through the terminal (${formatCount(found.text.length)} characters; at most ${formatCount(MAX_COPY_BYTES)} bytes): /save or /export writes it to a file.`);
		}
		return queue(state, found);
	},
	perform({text, what}, context) {
		if (!context.terminal?.copy(text)) {
			context.say('error', 'This terminal cannot take a copy (no terminal): /save or /export writes the session to a file.');
			return;
		}
		context.say('info', `Copied ${what} (${formatCount(text.length)} characters) to the clipboard. Terminals that refuse OSC 52 (or tmux without set-clipboard on) ignore it.`);
	},
});
