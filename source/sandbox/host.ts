// The host process: started by the parent with the permission model, no environment and no
// network client; runs Pyodide in a worker thread and relays messages. Its own thread stays free,
// so it can interrupt Python (shared interrupt buffer) and wake a worker blocked on a sub-call.
// Its parent is the process that spawned it, or the one that claimed it as a warm host
// (host-channel.ts).
import v8 from 'node:v8';
import vm from 'node:vm';
import {MessageChannel, Worker} from 'node:worker_threads';
import {openParentChannel} from './host-channel.js';
import {workerV8Flags, workerYoungGenerationMb} from './worker-flags.js';
import {CTL, bigReplyChars, hostMemorySlackBytes, type HostMessage, type ParentMessage} from './protocol.js';

const ctlBuffer = new SharedArrayBuffer(CTL.size * 4);
const ctl = new Int32Array(ctlBuffer);
const parent = openParentChannel(process.argv.slice(2), (fd) => Atomics.store(ctl, CTL.contextFd, fd));

const send = (message: HostMessage) => parent.send(message);

let worker: Worker | null = null;

const MB = 1024 * 1024;
let gc: (() => void) | null = null;
/** V8's collector, run after relaying a big reply: from a context made after --expose-gc was set
 * (workerV8Flags), as this thread's own was made before. */
const collectGarbage = () => (gc ??= vm.runInNewContext('gc') as () => void)();
/** How often the resident size is read while a block runs, in ms (measured: about 0.35% of a core). */
const rssCheckMs = 50;
let rssWatch: NodeJS.Timeout | null = null;

/**
 * The backstop behind the worker's guard on the Wasm heap (worker.ts guardHeapGrowth): while a
 * block runs, this thread checks the process's resident memory, which also counts what the guard
 * cannot see: JavaScript objects Python makes through the Pyodide objects it can find, and copies
 * of messages on their way. Above the heap's ceiling + hostMemorySlackBytes (protocol.ts) the host
 * says so and exits; the parent recycles it with a 'memory' notice.
 */
function watchMemory(ceilingBytes: number): void {
	stopWatchingMemory();
	const bound = ceilingBytes + hostMemorySlackBytes;
	rssWatch = setInterval(() => {
		const rss = process.memoryUsage.rss();
		if (rss <= bound) return;
		stopWatchingMemory();
		void worker?.terminate();
		const message = `the host process held ${Math.round(rss / MB)} MB, more than the heap's limit + ${hostMemorySlackBytes / MB} MB`;
		// Exit once the parent has the reason (or soon anyway: memory may still be growing).
		setTimeout(() => process.exit(1), 1_000).unref();
		if (parent.connected()) parent.send({t: 'fatal', message, outOfMemory: true}, () => process.exit(1));
		else process.exit(1);
	}, rssCheckMs);
}

function stopWatchingMemory(): void {
	if (rssWatch) clearInterval(rssWatch);
	rssWatch = null;
}
const {port1: replyPort, port2: workerReplyPort} = new MessageChannel();

function start(message: Extract<ParentMessage, {t: 'start'}>): void {
	// On the command line already when the host started from Node's startup snapshot: setting a flag
	// to the value it has changes nothing (worker-flags.ts).
	for (const flag of workerV8Flags) v8.setFlagsFromString(flag);
	worker = new Worker(new URL('./worker.js', import.meta.url), {
		workerData: {init: message.init, ctl: ctlBuffer, replyPort: workerReplyPort},
		transferList: [workerReplyPort],
		stdout: true,
		stderr: true,
		env: {},
		resourceLimits: {maxYoungGenerationSizeMb: workerYoungGenerationMb},
	});
	// Nothing the worker prints may reach a terminal; Pyodide's own output is captured anyway.
	worker.stdout.resume();
	worker.stderr.resume();
	worker.on('message', (m: HostMessage) => {
		if (m.t === 'done' || m.t === 'fatal') stopWatchingMemory();
		send(m);
	});
	worker.on('error', (error) => {
		send({t: 'fatal', message: error instanceof Error ? error.message : String(error)});
		process.exit(1);
	});
	worker.on('exit', () => process.exit(1));
}

parent.onMessage((message: ParentMessage) => {
	switch (message.t) {
		case 'start':
			if (!worker) start(message);
			return;
		case 'interrupt':
			Atomics.store(ctl, CTL.interruptRun, message.id);
			Atomics.store(ctl, CTL.interrupt, 2);
			Atomics.notify(ctl, CTL.reply);
			Atomics.notify(ctl, CTL.wake);
			return;
		case 'run':
			watchMemory(message.heapCeilingBytes);
			worker?.postMessage(message);
			return;
		case 'bridge-reply':
			replyPort.postMessage({callId: message.callId, results: message.results, tooLargeBytes: message.tooLargeBytes});
			if (message.results.reduce((sum, result) => sum + result.length, 0) >= bigReplyChars) setImmediate(collectGarbage);
			Atomics.add(ctl, CTL.reply, 1);
			Atomics.notify(ctl, CTL.reply);
			return;
		default:
			worker?.postMessage(message);
	}
});

// A warm host starts Python before anyone claims it.
if (parent.init) start({t: 'start', init: parent.init});

// Ctrl+C in a terminal signals the whole foreground process group, this host too. What an
// interrupt means is the parent's to decide (it stops Python through the interrupt buffer and keeps
// the session's variables), so the host ignores SIGINT; SIGTERM and SIGHUP still end it, and so
// does the parent going away.
process.on('SIGINT', () => undefined);
