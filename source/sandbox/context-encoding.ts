// Python's `context` as one UTF-8 buffer, so the worker loads it with a bulk copy: a str, a dict
// whose texts are laid end to end with [name, byte length] parts, or any other JSON value as its
// JSON text (Python parses it with json.loads).
import type {ContextKind} from './protocol.js';
import type {SandboxContext} from './types.js';

export interface EncodedContext {
	kind: ContextKind;
	bytes: Uint8Array;
	parts: Array<[string, number]>;
}

export function encodeContext(context: SandboxContext | null): EncodedContext {
	if (context === null || context === undefined) return {kind: 'none', bytes: new Uint8Array(0), parts: []};
	if (typeof context === 'string') return {kind: 'str', bytes: Buffer.from(context, 'utf8'), parts: []};
	if (!isTextDict(context)) return {kind: 'json', bytes: Buffer.from(jsonText(context), 'utf8'), parts: []};
	const entries = Object.entries(context);
	const sizes = entries.map(([, text]) => Buffer.byteLength(text, 'utf8'));
	const bytes = Buffer.allocUnsafe(sizes.reduce((a, b) => a + b, 0));
	let offset = 0;
	let expected = 0;
	entries.forEach(([, text], i) => {
		offset += bytes.write(text, offset, 'utf8');
		expected += sizes[i]!;
		if (offset !== expected) throw new Error('context encoding failed');
	});
	return {kind: 'dict', bytes, parts: entries.map(([name], i) => [name, sizes[i]])};
}

/** A plain object whose values are all str: the dict-of-text path. */
function isTextDict(context: SandboxContext): context is Record<string, string> {
	if (typeof context !== 'object' || Array.isArray(context)) return false;
	for (const key in context) if (typeof context[key] !== 'string') return false;
	return true;
}

/** @throws TypeError when the value has no JSON form (a BigInt, a cycle). */
function jsonText(context: SandboxContext): string {
	const text = JSON.stringify(context);
	if (text === undefined) throw new TypeError(`context of type ${typeof context} has no JSON form`);
	return text;
}
