// Reading a file a user named (a context, a key, a prompt, settings, a log) with a cap: a device,
// an endless pipe or a huge file is refused with one line instead of filling memory (-c /dev/zero
// read 6.5 GB in 30 s) or ending in a stack trace. Every user-named input goes through here.
import {constants} from 'node:buffer';
import {closeSync, constants as fsConstants, fstatSync, openSync, readSync, statSync, type Stats} from 'node:fs';
import {open, stat, type FileHandle} from 'node:fs/promises';
import {Socket} from 'node:net';

/** The most one input read as a string may hold: the longest string Node's V8 makes (2^29 - 24 =
 * 536,870,888 on 64-bit, buffer.constants.MAX_STRING_LENGTH, "512 MiB"). As bytes it always
 * decodes: UTF-8 never gives more characters than bytes. */
export const MAX_INPUT_BYTES = constants.MAX_STRING_LENGTH;

/** An input could not be read, or is over its cap; the message is one line and names it. */
export class InputReadError extends Error {
	constructor(
		message: string,
		readonly reason: 'missing' | 'denied' | 'folder' | 'not a file' | 'too large' | 'unreadable',
	) {
		super(message);
	}
}

/** What is read and how much of it may be. */
export interface InputSpec {
	/** What it is, to start the message: "Context file", "The key file for -k". */
	what: string;
	/** Most bytes it may hold. */
	limit: number;
	/** What to do when it holds more, e.g. "split it into smaller files". */
	tooLarge: string;
	/** Whether a FIFO or socket (`-c <(cmd)`, `-k @<(pass key)`) is read, up to the cap. When not,
	 * it is refused unopened (opening a FIFO waits for a writer). Devices are always refused. */
	streams?: boolean;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const chunkBytes = MiB;

/** 1536 -> "1.5 KiB", 536870888 -> "512 MiB". */
export function bytesText(bytes: number): string {
	if (bytes < KiB) return `${bytes} B`;
	const [unit, size] = bytes >= GiB ? ['GiB', GiB] : bytes >= MiB ? ['MiB', MiB] : ['KiB', KiB];
	const value = bytes / size;
	return `${value >= 10 || Number.isInteger(value) ? Math.round(value) : value.toFixed(1)} ${unit}`;
}

/** "<what> <path> is 3 GiB, over the 512 MiB it may hold: <advice>"; `size` undefined: a stream
 * that went past the cap ("<what> is over the 512 MiB it may hold: ..."). */
export function tooLargeMessage(spec: Pick<InputSpec, 'what' | 'limit' | 'tooLarge'>, name: string, size?: number): string {
	const subject = name ? `${spec.what} ${name}` : spec.what;
	return `${subject} is ${size === undefined ? '' : `${bytesText(size)}, `}over the ${bytesText(spec.limit)} it may hold: ${spec.tooLarge}`;
}

function kindOf(info: Stats): string {
	if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
	if (info.isFIFO()) return 'a pipe (FIFO)';
	if (info.isSocket()) return 'a socket';
	return 'not a regular file';
}

const tooLarge = (spec: InputSpec, name: string, size: number) => new InputReadError(tooLargeMessage(spec, name, size), 'too large');

/** Why `info` may not be read, or undefined when it may; `sized`: a regular file's size is judged too. */
function refusal(spec: InputSpec, name: string, info: Stats, sized: boolean): InputReadError | undefined {
	if (info.isDirectory()) return new InputReadError(`${spec.what} ${name} is a folder, not a file`, 'folder');
	if (info.isFile()) return sized && info.size > spec.limit ? tooLarge(spec, name, info.size) : undefined;
	if (spec.streams && (info.isFIFO() || info.isSocket())) return undefined;
	return new InputReadError(`${spec.what} ${name} is ${kindOf(info)}, not a regular file: give a file`, 'not a file');
}

function fsError(spec: InputSpec, name: string, error: unknown): InputReadError {
	if (error instanceof InputReadError) return error;
	const code = (error as NodeJS.ErrnoException).code;
	if (code === 'ENOENT') return new InputReadError(`${spec.what} ${name} was not found`, 'missing');
	if (code === 'EACCES' || code === 'EPERM') return new InputReadError(`${spec.what} ${name} is not readable (permission denied)`, 'denied');
	if (code === 'EISDIR') return new InputReadError(`${spec.what} ${name} is a folder, not a file`, 'folder');
	return new InputReadError(`Cannot read ${spec.what.charAt(0).toLowerCase() + spec.what.slice(1)} ${name}: ${code ?? (error as Error).message}`, 'unreadable');
}

// Opened non-blocking: opening a FIFO otherwise waits for a writer, in open() itself, where no
// signal reaches (sync: -c on a FIFO nobody wrote to ignored Ctrl+C and SIGTERM) or on a pool thread
// that the process's exit then waits for (async: the exit hung). A FIFO is then read as a pipe
// (fifoReader), a regular file as before.
const openFlags = fsConstants.O_RDONLY | fsConstants.O_NONBLOCK;

/** How long a sync read waits on a pipe whose writer has written nothing yet (EAGAIN), in ms. */
const SYNC_PIPE_WAIT_MS = 10_000;
const pause = new Int32Array(new SharedArrayBuffer(4));

/** readSync for a descriptor that may be a non-blocking pipe: EAGAIN waits and reads again, for
 * SYNC_PIPE_WAIT_MS at most (a sync read cannot be interrupted). A pipe with no writer reads as ended. */
function readSyncWaiting(fd: number, {buffer, offset, length}: ReadRequest): number {
	for (let waited = 0; ; waited += 10) {
		try {
			return readSync(fd, buffer, offset, length, null);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || waited >= SYNC_PIPE_WAIT_MS) throw error;
			Atomics.wait(pause, 0, 0, 10);
		}
	}
}

/** Reads from a FIFO through a pipe handle of the event loop, as the writer writes: waiting for a
 * writer (Linux reports no end before one has come and gone) holds no thread, so signals work. */
function fifoReader(fd: number): {read: (request: ReadRequest) => Promise<number>; close: () => void} {
	const socket = new Socket({fd, readable: true, writable: false});
	const chunks = socket[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
	let pending: Buffer = Buffer.alloc(0);
	let ended = false;
	return {
		async read({buffer, offset, length}) {
			while (pending.length === 0 && !ended) {
				const next = await chunks.next();
				if (next.done) ended = true;
				else pending = next.value;
			}
			const n = pending.copy(buffer, offset, 0, Math.min(length, pending.length));
			pending = pending.subarray(n);
			return n;
		},
		close: () => socket.destroy(),
	};
}

/** An error of a head check's `judge`, which goes to the caller as it was thrown. */
class JudgeError extends Error {
	constructor(readonly error: unknown) {
		super('a head check failed');
	}
}

/** How a file, once opened and found fit to read (`sized`: its size too), is read. */
type Reader<R> = {sized: boolean; plan: (info: Stats) => Plan<R>};

function openAndReadSync<R>(path: string, spec: InputSpec, name: string, reader: Reader<R>): R {
	let fd: number | undefined;
	try {
		const before = refusal(spec, name, statSync(path), reader.sized);
		if (before) throw before;
		fd = openSync(path, openFlags);
		const info = fstatSync(fd);
		const after = refusal(spec, name, info, reader.sized);
		if (after) throw after;
		const opened = fd;
		return driveSync(reader.plan(info), (request) => readSyncWaiting(opened, request));
	} catch (error) {
		if (error instanceof JudgeError) throw error.error;
		throw fsError(spec, name, error);
	} finally {
		if (fd !== undefined) closeSync(fd);
	}
}

async function openAndRead<R>(path: string, spec: InputSpec, name: string, reader: Reader<R>): Promise<R> {
	let handle: FileHandle | undefined;
	let fifo: ReturnType<typeof fifoReader> | undefined;
	try {
		const found = await stat(path);
		const before = refusal(spec, name, found, reader.sized);
		if (before) throw before;
		if (found.isFIFO()) {
			// Opened here (non-blocking: at once) for the pipe handle, which owns the descriptor.
			const fd = openSync(path, openFlags);
			if (!fstatSync(fd).isFIFO()) {
				closeSync(fd);
				throw new InputReadError(`${spec.what} ${name} changed while it was opened`, 'unreadable');
			}
			fifo = fifoReader(fd);
			return await drive(reader.plan(found), fifo.read);
		}
		handle = await open(path, openFlags);
		const info = await handle.stat();
		const after = refusal(spec, name, info, reader.sized);
		if (after) throw after;
		const opened = handle;
		return await drive(reader.plan(info), async ({buffer, offset, length}) => (await opened.read(buffer, offset, length, null)).bytesRead);
	} catch (error) {
		if (error instanceof JudgeError) throw error.error;
		throw fsError(spec, name, error);
	} finally {
		fifo?.close();
		await handle?.close();
	}
}

const wholeFile = (spec: InputSpec, name: string): Reader<Buffer> => ({sized: true, plan: (info) => (info.isFile() ? readKnownSize(info.size) : readToCap(spec, name))});

/**
 * The bytes of the file at `path`, read whole. `name` is how the messages show it.
 * @throws InputReadError (one line) when it is missing, unreadable, a folder, a device, a stream
 * that `spec` does not allow, or holds more than `spec.limit`.
 */
export function readInputFileSync(path: string, spec: InputSpec, name = path): Buffer {
	return openAndReadSync(path, spec, name, wholeFile(spec, name));
}

/** As readInputFileSync, without blocking the event loop (for servers). */
export async function readInputFile(path: string, spec: InputSpec, name = path): Promise<Buffer> {
	return openAndRead(path, spec, name, wholeFile(spec, name));
}

/** A look at a file's first bytes before the rest is read, so that a file that is not what is
 * wanted (a binary, not a log) costs one small read and is refused as that, however large. */
export interface HeadCheck<T> {
	/** How many of the first bytes `judge` sees. */
	bytes: number;
	/** Sees them, with the file's size: a value to stop with instead of reading on, or undefined
	 * to read the whole file (refused when it holds more than the cap). What it throws goes to the
	 * caller as it is. */
	judge: (head: Buffer, size: number) => T | undefined;
}

/** The whole file, or what the head check stopped with. */
export type HeadFirst<T> = {bytes: Buffer} | {stopped: T};

const headFirst = <T>(spec: InputSpec, name: string, check: HeadCheck<T>): Reader<HeadFirst<T>> => ({sized: false, plan: (info) => readHeadFirst(spec, name, info, check)});

/** As readInputFileSync, with a look at the file's start (`check`) before the rest is read and
 * before its size is held against the cap. */
export function readInputFileHeadFirstSync<T>(path: string, spec: InputSpec, check: HeadCheck<T>, name = path): HeadFirst<T> {
	return openAndReadSync(path, spec, name, headFirst(spec, name, check));
}

/** As readInputFileHeadFirstSync, without blocking the event loop. */
export async function readInputFileHeadFirst<T>(path: string, spec: InputSpec, check: HeadCheck<T>, name = path): Promise<HeadFirst<T>> {
	return openAndRead(path, spec, name, headFirst(spec, name, check));
}

/** One read a driver performs for a plan: into `buffer` at `offset`, at most `length` bytes. */
interface ReadRequest {
	buffer: Buffer;
	offset: number;
	length: number;
}

/** How a file is read, as the reads it asks for: the driver sends back how many bytes each one
 * got, and the plan returns what was read (the bytes). The sync and async readers drive the same plan. */
type Plan<R> = Generator<ReadRequest, R, number>;
type ReadPlan = Plan<Buffer>;

function driveSync<R>(plan: Plan<R>, read: (request: ReadRequest) => number): R {
	let step = plan.next();
	while (!step.done) step = plan.next(read(step.value));
	return step.value;
}

async function drive<R>(plan: Plan<R>, read: (request: ReadRequest) => Promise<number>): Promise<R> {
	let step = plan.next();
	while (!step.done) step = plan.next(await read(step.value));
	return step.value;
}

// A regular file is read into one buffer of its size (checked against the cap): no copy of it,
// and a file that grows meanwhile is read only as far as it was. `head`: its first bytes, read already.
function* readKnownSize(size: number, head?: Buffer): ReadPlan {
	const bytes = Buffer.allocUnsafe(size);
	let filled = head ? head.copy(bytes) : 0;
	while (filled < size) {
		const got = yield {buffer: bytes, offset: filled, length: size - filled};
		if (got === 0) break;
		filled += got;
	}
	return bytes.subarray(0, filled);
}

/** Collects chunks of a stream of unknown length; past the cap, the one-line refusal. */
export class CappedChunks {
	readonly #chunks: Buffer[] = [];
	#total = 0;

	constructor(
		private readonly spec: Pick<InputSpec, 'what' | 'limit' | 'tooLarge'>,
		private readonly name: string,
	) {}

	/** @throws InputReadError once the chunks hold more than the cap. */
	add(chunk: Buffer): void {
		this.#total += chunk.length;
		if (this.#total > this.spec.limit) throw new InputReadError(tooLargeMessage(this.spec, this.name), 'too large');
		this.#chunks.push(chunk);
	}

	get bytes(): number {
		return this.#total;
	}

	join(): Buffer {
		return Buffer.concat(this.#chunks, this.#total);
	}
}

function* readHeadFirst<T>(spec: InputSpec, name: string, info: Stats, check: HeadCheck<T>): Plan<HeadFirst<T>> {
	const judged = (head: Buffer, size: number) => {
		try {
			return check.judge(head, size);
		} catch (error) {
			throw new JudgeError(error);
		}
	};
	if (!info.isFile()) {
		// A stream (as `spec` allows): its length is known once it has ended.
		const bytes = yield* readToCap(spec, name);
		const stopped = judged(bytes.subarray(0, check.bytes), bytes.length);
		return stopped === undefined ? {bytes} : {stopped};
	}
	const head = yield* readKnownSize(Math.min(info.size, check.bytes));
	const stopped = judged(head, info.size);
	if (stopped !== undefined) return {stopped};
	if (info.size > spec.limit) throw tooLarge(spec, name, info.size);
	// A file that ended sooner than its size said has been read whole.
	return {bytes: head.length < check.bytes ? head : yield* readKnownSize(info.size, head)};
}

function* readToCap(spec: InputSpec, name: string): ReadPlan {
	const chunks = new CappedChunks(spec, name);
	const buffer = Buffer.allocUnsafe(chunkBytes);
	for (;;) {
		const got = yield {buffer, offset: 0, length: chunkBytes};
		if (got === 0) return chunks.join();
		chunks.add(Buffer.from(buffer.subarray(0, got)));
	}
}
