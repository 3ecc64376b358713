import type {SandboxContext} from '../protocol/repl.js';
import type {ContextInfo} from '../protocol/events.js';

export function contextInfo(context: SandboxContext | null | undefined): ContextInfo {
	if (context === null || context === undefined) return {type: 'none', chars: 0};
	if (typeof context === 'string') return {type: 'str', chars: context.length};
	const keys = Object.keys(context);
	return {type: 'dict', chars: keys.reduce((sum, key) => sum + context[key]!.length, 0), keys};
}
