// serve frees a hung-up client's place at once wherever the request waits: in the queue for a run
// slot (plain and streamed, Chat Completions and Responses), while its body is being read, and
// while its model is checked against the backend's list.
// A live client then gets the place rather than a 429.
import type {Socket} from 'node:net';
import OpenAI from 'openai';
import {afterEach, describe, expect, it} from 'vitest';
import type {RlmServer} from '../../source/server/server.js';
import {rlmServerForFile} from '../support/rlm-server-for-file.js';
import {repl, rootRequests, scripted} from '../support/rlm-script.js';

const {llm, serve, socketTo} = rlmServerForFile();
const controllers: AbortController[] = [];

afterEach(() => {
	for (const controller of controllers.splice(0)) controller.abort();
});

const clientFor = (server: RlmServer) => new OpenAI({baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0});

async function health(server: RlmServer): Promise<{active: number; queued: number}> {
	const body = (await (await fetch(`${server.url}/health`)).json()) as {active: number; queued: number};
	return {active: body.active, queued: body.queued};
}

/** A request the test can hang up on; its outcome is ignored. */
function abortable<T>(start: (signal: AbortSignal) => Promise<T>): AbortController {
	const controller = new AbortController();
	controllers.push(controller);
	start(controller.signal).catch(() => undefined);
	return controller;
}

/** A raw socket sending `head` and `body`, then left open (the test destroys it to hang up). */
function rawRequest(server: RlmServer, head: string, body = ''): Socket {
	const socket = socketTo(server);
	socket.write(head + body);
	return socket;
}

const chatBody = (content: string, stream = false) => JSON.stringify({model: 'rlm', messages: [{role: 'user', content}], stream});

describe('serve and clients that hang up while they wait', () => {
	it('a client that hangs up in the queue leaves it at once, so a live client is queued, not refused', async () => {
		llm().requests.length = 0;
		llm().setResponder(scripted({root: () => ({hang: true})}));
		const server = await serve({maxConcurrent: 2, maxQueued: 8});
		const client = clientFor(server);
		const ask = (content: string, stream = false) => (signal: AbortSignal): Promise<unknown> =>
			stream
				? client.chat.completions.create({model: 'rlm', messages: [{role: 'user', content}], stream: true}, {signal})
				: client.chat.completions.create({model: 'rlm', messages: [{role: 'user', content}]}, {signal});
		abortable(ask('slow 1'));
		abortable(ask('slow 2'));
		await expect.poll(() => rootRequests(llm().requests).length, {timeout: 20_000}).toBe(2);

		// The queue fills with every kind of waiter: plain and streamed chat, plain and streamed
		// Responses, and raw HTTP.
		const waiters = [
			abortable(ask('q1')),
			abortable(ask('q2')),
			abortable(ask('q3', true)),
			abortable((signal) => client.responses.create({model: 'rlm', input: 'q4'}, {signal})),
			abortable((signal) => client.responses.create({model: 'rlm', input: 'q5', stream: true}, {signal})),
		];
		const raw = [1, 2, 3].map((n) => {
			const body = chatBody(`raw ${n}`, n === 3);
			return rawRequest(server, `POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`, body);
		});
		await expect.poll(() => health(server)).toEqual({active: 2, queued: 8});
		await expect(client.chat.completions.create({model: 'rlm', messages: [{role: 'user', content: 'one too many'}]})).rejects.toMatchObject({status: 429});

		for (const waiter of waiters) waiter.abort();
		for (const socket of raw) socket.destroy();
		await expect.poll(() => health(server)).toEqual({active: 2, queued: 0});
		expect(server.admitted).toBe(2);

		// A live client now takes a place in the queue; the running two are untouched.
		abortable(ask('live'));
		await expect.poll(() => health(server)).toEqual({active: 2, queued: 1});
		expect(rootRequests(llm().requests)).toHaveLength(2);
	});

	it('a queued client that stays gets the slot a hung-up running client frees (the run is cancelled)', async () => {
		llm().requests.length = 0;
		const abortedBefore = llm().aborted;
		llm().setResponder(scripted({root: () => ({hang: true})}));
		const server = await serve({maxConcurrent: 1, maxQueued: 1});
		const client = clientFor(server);
		const running = abortable((signal) => client.chat.completions.create({model: 'rlm', messages: [{role: 'user', content: 'first'}]}, {signal}));
		await expect.poll(() => rootRequests(llm().requests).length, {timeout: 20_000}).toBe(1);
		abortable((signal) => client.chat.completions.create({model: 'rlm', messages: [{role: 'user', content: 'second'}]}, {signal}));
		await expect.poll(() => health(server)).toEqual({active: 1, queued: 1});
		running.abort();
		await expect.poll(() => llm().aborted).toBeGreaterThan(abortedBefore);
		await expect.poll(() => rootRequests(llm().requests).map((request) => request.messages[1]?.content ?? ''), {timeout: 30_000}).toEqual([
			expect.stringContaining('first'),
			expect.stringContaining('second'),
		]);
		expect(await health(server)).toEqual({active: 1, queued: 0});
	});

	it('a client that hangs up while sending its body frees its place at once', async () => {
		llm().setResponder(scripted({root: () => ({hang: true})}));
		const server = await serve({maxConcurrent: 1, maxQueued: 0});
		const body = chatBody('half a body');
		const socket = rawRequest(server, `POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`, body.slice(0, 10));
		await expect.poll(() => server.admitted).toBe(1);
		await expect(clientFor(server).chat.completions.create({model: 'rlm', messages: [{role: 'user', content: 'refused'}]})).rejects.toMatchObject({status: 429});
		socket.destroy();
		await expect.poll(() => server.admitted).toBe(0);
		expect(server.bufferedBytes).toBe(0);
		abortable((signal) => clientFor(server).chat.completions.create({model: 'rlm', messages: [{role: 'user', content: 'live'}]}, {signal}));
		await expect.poll(() => health(server)).toEqual({active: 1, queued: 0});
	});

	it('a client that hangs up while serve waits for the backend\'s model list starts no run', async () => {
		const upstream = llm();
		upstream.requests.length = 0;
		upstream.setResponder(scripted({root: () => repl('llm_output("ok")')}));
		let release!: () => void;
		upstream.modelsHeldUntil = new Promise<void>((resolve) => {
			release = resolve;
		});
		upstream.models.push('listed-later');
		try {
			const server = await serve({modelList: {answerWithinMs: 60_000}});
			const listAsked = () => upstream.paths.filter((path) => path === 'GET /v1/models').length;
			const before = listAsked();
			const hungUp = abortable((signal) => clientFor(server).chat.completions.create({model: 'rlm:listed-later', messages: [{role: 'user', content: 'q'}]}, {signal}));
			await expect.poll(listAsked, {timeout: 20_000}).toBe(before + 1);
			hungUp.abort();
			// A request after the hang-up is answered after serve has seen it.
			expect((await fetch(`${server.url}/health`)).status).toBe(200);
			release();
			await expect.poll(() => server.admitted, {timeout: 20_000}).toBe(0);
			expect(upstream.requests).toHaveLength(0);
		} finally {
			release();
			upstream.modelsHeldUntil = undefined;
			upstream.models.splice(upstream.models.indexOf('listed-later'), 1);
		}
	});
});
