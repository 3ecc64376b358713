// Python's `context` as one UTF-8 buffer, so the worker loads it with a bulk copy: a str, or a dict
// whose texts are laid end to end with [name, byte length] parts.
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
	const entries = Object.entries(context).map(([name, text]) => [name, typeof text === 'string' ? text : String(text)] as const);
	const sizes = entries.map(([, text]) => Buffer.byteLength(text, 'utf8'));
	const bytes = Buffer.allocUnsafe(sizes.reduce((a, b) => a + b, 0));
	let offset = 0;
	entries.forEach(([, text], i) => {
		offset += bytes.write(text, offset, 'utf8');
		if (offset !== sizes.slice(0, i + 1).reduce((a, b) => a + b, 0)) throw new Error('context encoding failed');
	});
	return {kind: 'dict', bytes, parts: entries.map(([name], i) => [name, sizes[i]])};
}
