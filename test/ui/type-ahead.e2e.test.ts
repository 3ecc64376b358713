// End to end, in a real terminal (tmux): the built app queues a question typed while another
// runs, shows it at once as queued, and asks it when the running answer is done, under that answer.
import {afterAll, beforeAll, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, scripted} from '../support/rlm-script.js';
import {Tmux} from './tmux-driver.js';

let t: Tmux;
let server: FakeLlmServer;

beforeAll(async () => {
	t = new Tmux();
	server = await startFakeLlmServer({models: ['fake-model']});
});

afterAll(async () => {
	t?.close();
	await server?.close();
});

/** The chat pane's rows (the tree pane beside it cut off), its wrapped lines joined. */
const chatOf = (screen: string) =>
	screen
		.split('\n')
		.map((line) => line.split('││')[0]!)
		.join('\n')
		.replace(/[\s│]+/g, ' ');

it('a question typed while an answer runs is queued, shown at once, and asked when that answer is done', async () => {
	let release!: () => void;
	const gate = new Promise<void>((resolve) => (release = resolve));
	server.setResponder(
		scripted({
			root: async ({lastUser}) => {
				if (lastUser.includes('second question')) return repl('llm_output("the second answer")');
				await gate;
				return repl('llm_output("the first answer")');
			},
		}),
	);
	const s = t.start(t.cliCommand(['-u', server.openaiBaseURL, '-m', 'fake-model', '-k', 'test']), {columns: 120, rows: 30});
	await t.waitFor(s, (text) => text.includes('fake-model') && text.includes('Ask a question'), 'the TUI to start', 30_000);
	t.type(s, 'first question');
	t.keys(s, 'Enter');
	await t.waitFor(s, (text) => text.includes('Enter queues it'), 'the run to start', 30_000);
	t.type(s, 'second question');
	t.keys(s, 'Enter');
	const queued = await t.waitFor(s, (text) => chatOf(text).includes('› second question (queued: asks when this answer is done)'), 'the queued line', 30_000);
	expect(chatOf(queued)).not.toContain('Still working');
	expect(server.requests.some((request) => request.messages.some((message) => String(message.content).includes('second question')))).toBe(false);
	release();
	const screen = chatOf(await t.waitFor(s, (text) => chatOf(text).includes('the second answer'), 'the second answer', 60_000));
	const at = ['› first question', 'the first answer', '› second question', 'the second answer'].map((text) => screen.indexOf(text));
	expect(at.every((index, i) => index >= 0 && (i === 0 || index > at[i - 1]!))).toBe(true);
	expect(screen).not.toContain('queued: asks');
	t.type(s, '/quit');
	t.keys(s, 'Enter');
	await t.waitFor(s, (text) => text.includes('EXIT:0'), 'the exit', 30_000);
}, 120_000);
