// Checks every message the parent receives from a host process. The host runs model-written code,
// so what it sends is untrusted data: shapes, types and sizes are checked before anything reads
// them, and a message that fails is reported as a problem, never acted on.
import * as z from 'zod';
import {MAX_KEEP_WARM_MINUTES} from '../protocol/defaults.js';
import {bridgeFunctions, type HostMessage, type WarmHello} from './protocol.js';

/** Bounds on what a host may send. Far above anything a well-behaved host sends; they keep a
 * misbehaving one from handing the parent (and the model's prompt, and the UI) unbounded data. */
export const hostMessageLimits = {
	/** Characters of a final answer or a sub-call prompt: a quarter GiB of UTF-16, half V8's longest string. */
	textChars: 2 ** 28,
	/** Characters of an error, a traceback or a note (the prelude cuts tracebacks to about 6,000). */
	errorChars: 100_000,
	/** Prompts in one batched sub-call. */
	prompts: 100_000,
	/** Variables listed after a block, and the characters of a name or a type name. */
	variables: 100_000,
	nameChars: 10_000,
	typeChars: 1_000,
	/** Characters of a model name passed to llm_query(model=...). */
	modelChars: 1_000,
	/** Bytes of a Pyodide memory snapshot (Pyodide's are tens of MB). */
	snapshotBytes: 2 ** 31,
	/** Bytes of V8's code cache for pyodide.asm.mjs (Pyodide 314's: 1.2 MB). */
	codeCacheBytes: 2 ** 26,
	/** Output the capture keeps beyond maxOutputChars: the omission marker. */
	outputSlackChars: 200,
} as const;

const L = hostMessageLimits;
const id = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const bytes = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const ms = z.number().nonnegative().max(Number.MAX_SAFE_INTEGER);
const errorText = z.string().max(L.errorChars);

function hostMessageSchema(maxOutputChars: number) {
	const output = z.string().max(maxOutputChars + L.outputSlackChars);
	const variable = z.object({name: z.string().max(L.nameChars), type: z.string().max(L.typeChars)});
	const runResult = z.object({
		ok: z.boolean(),
		error: errorText.nullable(),
		errorType: z.string().max(L.typeChars).nullable(),
		final: z.string().max(L.textChars).nullable(),
		variables: z.array(variable).max(L.variables),
		variableCount: bytes.optional(),
		answerDraft: z.string().max(L.textChars).nullable().optional(),
		stdout: output,
		stderr: output,
		truncatedChars: bytes,
		heapBytes: bytes,
		heapLimitHit: z.boolean(),
	});
	return z.discriminatedUnion('t', [
		z.object({t: z.literal('ready'), fromSnapshot: z.boolean(), codeCache: z.boolean(), loadMs: ms, heapBytes: bytes, note: errorText.optional()}),
		z.object({t: z.literal('snapshot'), bytes: z.instanceof(Uint8Array).refine((b) => b.byteLength <= L.snapshotBytes, 'snapshot too large')}),
		z.object({
			t: z.literal('code-cache'),
			sourceHash: z.string().regex(/^[0-9a-f]{64}$/),
			bytes: z.instanceof(Uint8Array).refine((b) => b.byteLength <= L.codeCacheBytes, 'code cache too large'),
		}),
		z.object({t: z.literal('ok'), id, heapBytes: bytes}),
		z.object({t: z.literal('failed'), id, message: errorText}),
		z.object({t: z.literal('output'), id, stream: z.enum(['stdout', 'stderr']), text: output}),
		z.object({
			t: z.literal('bridge'),
			id,
			callId: id,
			fn: z.enum(bridgeFunctions),
			prompts: z.array(z.string().max(L.textChars)).max(L.prompts),
			model: z.string().max(L.modelChars).nullable(),
		}),
		z.object({t: z.literal('bridge-cancel'), callId: id}),
		z.object({t: z.literal('tool'), id, callId: id, name: z.string().max(L.nameChars), input: z.string().max(L.textChars)}),
		z.object({t: z.literal('done'), id, result: runResult}),
		z.object({t: z.literal('fatal'), message: errorText, outOfMemory: z.boolean().optional()}),
	]);
}

/** A message that failed the checks: where and how, e.g. `result.final: Invalid input: expected string, received number`. */
export interface InvalidHostMessage {
	problem: string;
}

export type CheckedHostMessage = {ok: true; message: HostMessage} | ({ok: false} & InvalidHostMessage);

/** Makes the checker for a host whose blocks keep at most `maxOutputChars` of output. */
export function hostMessageChecker(maxOutputChars: number): (raw: unknown) => CheckedHostMessage {
	const schema = hostMessageSchema(maxOutputChars);
	return (raw) => {
		const parsed = schema.safeParse(raw);
		if (parsed.success) return {ok: true, message: parsed.data as HostMessage};
		const issue = parsed.error.issues[0]!;
		const where = issue.path.map(String).join('.') || 'message';
		return {ok: false, problem: `${where}: ${issue.message}`};
	};
}

const warmHelloSchema = z.object({
	t: z.literal('hello'),
	tag: z.string().max(100),
	pid: z.number().int().min(2).max(2 ** 31 - 1),
	// A file name in the warm directory: no separators, no dot files.
	contextSocket: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/),
	idleMs: z.number().int().min(1).max(MAX_KEEP_WARM_MINUTES * 60_000),
});

/** Checks a warm host's hello (protocol.ts WarmHello); null when it is not one. */
export function checkWarmHello(raw: unknown): WarmHello | null {
	const parsed = warmHelloSchema.safeParse(raw);
	return parsed.success ? parsed.data : null;
}
