// One block on one host: sends it, streams its output, answers its sub-calls, times Python's own
// time, interrupts on a timeout or a cancel, and gives up on the host when Python does not stop.
// It resolves with what happened; the Sandbox decides about restarts.
//
//   running ──timeout/cancel──► interrupting ──grace over──► settled (lost: replace the host)
//      │                            │
//      ├──done──────────────────────┴──done──► settled (done)
//      └──host exit, bad message────┴────────► settled (lost)
import {answerBridge, answerTool} from './bridge-answers.js';
import type {Interruption} from './block-result.js';
import type {InvalidHostMessage} from './host-messages.js';
import type {BlockListener, BlockMessage, HostProcess} from './host-process.js';
import type {RestartCause} from './notices.js';
import type {WorkerRunResult} from './protocol.js';
import type {RunOptions} from './types.js';

/** Output kept while the block ran (capped), for a block that ends without a worker result. */
export interface StreamedOutput {
	stdout: string;
	stderr: string;
}

export type BlockOutcome =
	/** The worker finished the block; `interruption` says whether a timeout or cancel cut it short. */
	| {kind: 'done'; result: WorkerRunResult; interruption?: Interruption}
	/** The host died, ignored an interrupt, or sent a message that failed the checks (a bad result
	 * included: its internals were tampered with or broken): it must be replaced. */
	| {kind: 'lost'; cause: RestartCause; output: StreamedOutput};

type BlockState =
	/** Python runs the block. */
	| {phase: 'running'}
	/** A timeout or cancel interrupted Python; once the grace period is over the host is given up. */
	| {phase: 'interrupting'; why: Interruption; killTimer: NodeJS.Timeout; resendTimer: NodeJS.Timeout}
	/** The outcome is known; later messages and timers change nothing. */
	| {phase: 'settled'};

export interface BlockRunSettings {
	/** The block's id in the host protocol. */
	id: number;
	code: string;
	/** Milliseconds of Python's own time the block may use. */
	timeoutMs: number;
	/** Milliseconds Python has to stop after an interrupt before the host is given up. */
	interruptGraceMs: number;
	maxOutputChars: number;
	/** Bytes the Wasm heap may grow to while the block runs (the worker refuses more). */
	heapCeilingBytes: number;
	/** UTF-8 bytes of a call's results past which they are not sent (see #reply); at most
	 * maxReplyBytes (protocol.ts). */
	replyLimitBytes: number;
}

/** The timeout's clock: it counts Python's own time and stops while sub-calls are answered, since a
 * batch of slow model calls is legitimate work (bounded by the request timeout). */
class PythonClock {
	#left: number;
	#started = 0;
	#timer: NodeJS.Timeout | undefined;
	#waiting = 0;
	readonly #onTimeout: () => void;

	constructor(timeoutMs: number, onTimeout: () => void) {
		this.#left = timeoutMs;
		this.#onTimeout = onTimeout;
	}

	start(): void {
		this.#started = performance.now();
		// setTimeout overflows past 2^31-1 ms and would fire at once.
		this.#timer = setTimeout(this.#onTimeout, Math.min(Math.max(0, this.#left), 2 ** 31 - 1));
	}

	stop(): void {
		clearTimeout(this.#timer);
		this.#timer = undefined;
	}

	/** A sub-call began: the first one stops the clock. */
	subCallStarted(): void {
		if (this.#waiting++ === 0 && this.#timer) {
			this.stop();
			this.#left -= performance.now() - this.#started;
		}
	}

	/** A sub-call ended: the last one restarts the clock, unless `running` is false. */
	subCallEnded(running: boolean): void {
		if (--this.#waiting === 0 && running) this.start();
	}
}

/** How often an interrupt Python has not yet acted on is raised again, in ms. */
const interruptResendMs = 1_000;

export class BlockRun {
	readonly #host: HostProcess;
	readonly #settings: BlockRunSettings;
	readonly #options: RunOptions;
	readonly #clock: PythonClock;
	readonly #calls = new Map<number, AbortController>();
	readonly #streamed: StreamedOutput = {stdout: '', stderr: ''};
	#state: BlockState = {phase: 'running'};
	#resolve!: (outcome: BlockOutcome) => void;
	readonly #onAbort = () => this.#interrupt('cancelled');
	readonly #listener: BlockListener = {
		onMessage: (message) => this.#onMessage(message),
		onInvalid: (invalid) => this.#onInvalid(invalid),
		onExit: (reason) => this.#onExit(reason),
	};

	private constructor(host: HostProcess, settings: BlockRunSettings, options: RunOptions) {
		this.#host = host;
		this.#settings = settings;
		this.#options = options;
		this.#clock = new PythonClock(settings.timeoutMs, () => this.#interrupt('timeout'));
	}

	/** Runs `settings.code` on `host` and resolves when the block's fate is known. */
	static run(host: HostProcess, settings: BlockRunSettings, options: RunOptions): Promise<BlockOutcome> {
		const block = new BlockRun(host, settings, options);
		return new Promise((resolve) => {
			block.#resolve = resolve;
			block.#begin();
		});
	}

	#begin(): void {
		const host = this.#host;
		host.block = this.#listener;
		if (!host.alive) {
			this.#onExit(host.exitReason());
			return;
		}
		this.#clock.start();
		this.#options.signal?.addEventListener('abort', this.#onAbort, {once: true});
		const {id, code, maxOutputChars, heapCeilingBytes} = this.#settings;
		host.send({t: 'run', id, code, maxOutputChars, heapCeilingBytes});
	}

	#settle(outcome: BlockOutcome): void {
		const state = this.#state;
		if (state.phase === 'settled') return;
		if (state.phase === 'interrupting') {
			clearTimeout(state.killTimer);
			clearInterval(state.resendTimer);
		}
		this.#state = {phase: 'settled'};
		this.#clock.stop();
		this.#options.signal?.removeEventListener('abort', this.#onAbort);
		for (const controller of this.#calls.values()) controller.abort();
		this.#calls.clear();
		if (this.#host.block === this.#listener) this.#host.block = null;
		this.#resolve(outcome);
	}

	#interrupt(why: Interruption): void {
		if (this.#state.phase !== 'running') return;
		this.#clock.stop();
		for (const controller of this.#calls.values()) controller.abort();
		this.#host.send({t: 'interrupt', id: this.#settings.id});
		const killTimer = setTimeout(() => {
			const cause: RestartCause = why === 'timeout' ? {kind: 'timeout', timeoutMs: this.#settings.timeoutMs} : {kind: 'cancelled'};
			this.#settle({kind: 'lost', cause, output: this.#output()});
		}, this.#settings.interruptGraceMs);
		// An interrupt can be lost (one that lands while the worker clears a stale one as the block
		// starts): it is raised again until Python stops or the grace is over. One that arrives after
		// the block ended is only noted by the REPL, and the next block's start clears it.
		const resendTimer = setInterval(() => this.#host.send({t: 'interrupt', id: this.#settings.id}), interruptResendMs);
		this.#state = {phase: 'interrupting', why, killTimer, resendTimer};
	}

	#onMessage(message: BlockMessage): void {
		if (this.#state.phase === 'settled') return;
		switch (message.t) {
			case 'output':
				if (message.id === this.#settings.id) this.#onOutput(message.stream, message.text);
				return;
			case 'bridge':
				if (message.id === this.#settings.id) this.#onBridge(message);
				return;
			case 'tool':
				if (message.id === this.#settings.id) this.#onTool(message);
				return;
			case 'bridge-cancel':
				this.#calls.get(message.callId)?.abort();
				this.#calls.delete(message.callId);
				return;
			case 'done':
				if (message.id !== this.#settings.id) return;
				this.#settle({kind: 'done', result: message.result, ...(this.#state.phase === 'interrupting' ? {interruption: this.#state.why} : {})});
				return;
		}
	}

	#onOutput(stream: 'stdout' | 'stderr', text: string): void {
		const kept = this.#streamed[stream];
		if (kept.length < this.#settings.maxOutputChars * 2) this.#streamed[stream] = kept + text;
		try {
			this.#options.onOutput?.(stream, text);
		} catch {
			// the listener's problem, not the block's
		}
	}

	#onBridge(message: Extract<BlockMessage, {t: 'bridge'}>): void {
		const controller = new AbortController();
		this.#calls.set(message.callId, controller);
		if (this.#state.phase !== 'running') controller.abort();
		else this.#clock.subCallStarted();
		const counted = !controller.signal.aborted;
		void answerBridge({fn: message.fn, prompts: message.prompts, model: message.model}, controller.signal, this.#options.onCall).then((results) => {
			this.#calls.delete(message.callId);
			if (counted) this.#clock.subCallEnded(this.#state.phase === 'running');
			if (controller.signal.aborted || this.#state.phase === 'settled') return;
			this.#reply(message.callId, results);
		});
	}

	/** Sends a call's results to Python, or, when they could never fit under the memory ceiling,
	 * only their size (Python raises MemoryError): a reply on its way is copied several times in
	 * the host, where the ceiling's guard does not reach. */
	#reply(callId: number, results: string[]): void {
		const bytes = results.reduce((sum, result) => sum + Buffer.byteLength(result, 'utf8'), 0);
		if (bytes > this.#settings.replyLimitBytes) this.#host.send({t: 'bridge-reply', callId, results: [], tooLargeBytes: bytes});
		else this.#host.send({t: 'bridge-reply', callId, results});
	}

	/** A host tool runs in the parent on the block's clock: unlike a model call it has no request
	 * timeout of its own, so the block's timeout bounds it (and its signal tells it to stop). */
	#onTool(message: Extract<BlockMessage, {t: 'tool'}>): void {
		const controller = new AbortController();
		this.#calls.set(message.callId, controller);
		if (this.#state.phase !== 'running') controller.abort();
		void answerTool({name: message.name, input: message.input}, controller.signal, this.#options.onTool).then((outcome) => {
			this.#calls.delete(message.callId);
			if (controller.signal.aborted || this.#state.phase === 'settled') return;
			this.#reply(message.callId, [outcome]);
		});
	}

	#onInvalid(invalid: InvalidHostMessage): void {
		this.#settle({kind: 'lost', cause: {kind: 'protocol', problem: invalid.problem}, output: this.#output()});
	}

	#onExit(reason: string): void {
		const state = this.#state;
		if (state.phase === 'settled') return;
		const cause: RestartCause = this.#host.outOfMemory
			? {kind: 'memory', ceilingBytes: this.#settings.heapCeilingBytes, reason}
			: state.phase === 'interrupting'
				? state.why === 'timeout'
					? {kind: 'timeout', timeoutMs: this.#settings.timeoutMs, reason}
					: {kind: 'cancelled', reason}
				: {kind: 'crashed', reason};
		this.#settle({kind: 'lost', cause, output: this.#output()});
	}

	#output(): StreamedOutput {
		return {...this.#streamed};
	}
}
