// What the TUI tells a user to do when something fails: its own advice (commands), in place of
// the command line's (flags).
import {presetOf} from '../protocol/backends.js';

/** The backend cannot be reached: what failed, and the commands that help. */
export function unreachableHint(backend: string, baseURL: string | undefined, message: string): string {
	const where = baseURL ? ` at ${baseURL}` : '';
	// The backend's own message already names the URL; its advice about flags does not fit here.
	const what = /^Cannot reach/i.test(message) ? message.replace(/\s*Start the server[\s\S]*$/, '') : `Cannot reach the ${backend} backend${where}: ${message}.`;
	const start = presetOf(backend)?.start;
	const how = backend === 'openai' ? ' (for Ollama: `ollama serve`)' : start ? ` (${start})` : '';
	return `${what} Start the server${how}, fix the URL with /backend ${backend} URL, or try the offline demo model: /backend demo`;
}
