// The host process: started by the parent with the permission model, no environment and no
// network client; runs Pyodide in a worker thread and relays messages. Its own thread stays free,
// so it can interrupt Python (shared interrupt buffer) and wake a worker blocked on a sub-call.
import {MessageChannel, Worker} from 'node:worker_threads';
import {CTL, type HostMessage, type ParentMessage} from './protocol.js';

const send = (message: HostMessage) => {
	if (process.connected) process.send!(message);
};

let worker: Worker | null = null;
const ctlBuffer = new SharedArrayBuffer(CTL.size * 4);
const ctl = new Int32Array(ctlBuffer);
const {port1: replyPort, port2: workerReplyPort} = new MessageChannel();

function start(message: Extract<ParentMessage, {t: 'start'}>): void {
	worker = new Worker(new URL('./worker.js', import.meta.url), {
		workerData: {init: message.init, ctl: ctlBuffer, replyPort: workerReplyPort},
		transferList: [workerReplyPort],
		stdout: true,
		stderr: true,
		env: {},
	});
	// Nothing the worker prints may reach a terminal; Pyodide's own output is captured anyway.
	worker.stdout.resume();
	worker.stderr.resume();
	worker.on('message', (m: HostMessage) => send(m));
	worker.on('error', (error) => {
		send({t: 'fatal', message: error instanceof Error ? error.message : String(error)});
		process.exit(1);
	});
	worker.on('exit', () => process.exit(1));
}

process.on('message', (message: ParentMessage) => {
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
		case 'bridge-reply':
			replyPort.postMessage({callId: message.callId, results: message.results});
			Atomics.add(ctl, CTL.reply, 1);
			Atomics.notify(ctl, CTL.reply);
			return;
		default:
			worker?.postMessage(message);
	}
});

// The parent is gone: so is the sandbox.
process.on('disconnect', () => process.exit(0));
