// What a file given to --replay (or an MCP log read) is when it is no trajectory: the shapes our
// own commands write (/save's session JSON, what --json prints, /export's Markdown transcript) are named,
// with what to do instead, in one line.
import {homedir} from 'node:os';
import {defaultLogDir} from './jsonl-log.js';

/** The trajectory folder as a user would type it (`~/.local/state/…`). */
function shownLogDir(): string {
	const dir = defaultLogDir();
	const home = homedir();
	return home && dir.startsWith(`${home}/`) ? `~${dir.slice(home.length)}` : dir;
}

/** What a JSON document holds, when it is one of ours (undefined: not JSON). */
function jsonShape(text: string): string | undefined {
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		return undefined;
	}
	const object = json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
	if (Array.isArray(object.runs) && Array.isArray(object.history)) return 'a session saved by /save (its chat and tree as JSON)';
	if (Array.isArray(object.runs)) return 'a tree printed by --replay --json';
	if (typeof object.response === 'string' && Array.isArray(object.iterations)) return 'a result printed by -p --json';
	return '';
}

/**
 * One line saying why `path` is not a trajectory: a saved session (`/save`), what `--json` prints, a
 * transcript (`/export`), other JSON, or anything else; then what --replay takes and where the
 * logs are, and that --resume reopens the last session from them.
 */
export function notATrajectory(text: string, path: string): string {
	const takes = `--replay takes a trajectory log (.jsonl): every run writes one to ${shownLogDir()} (or --log-dir), and --resume reopens the last session from there`;
	const head = text.trimStart();
	if (/^# rlm-tui transcript\b/.test(head)) return `${path} is a transcript written by /export (Markdown, to read): it holds no trajectory to replay. ${takes}.`;
	const shape = head.startsWith('{') || head.startsWith('[') ? jsonShape(text) : undefined;
	if (shape) return `${path} is ${shape}, to read or process: it cannot be replayed or resumed. ${takes}.`;
	if (shape === '') return `${path} is JSON but not an RLM trajectory (no metadata or iteration lines). ${takes}.`;
	return `${path} is not an RLM trajectory (no metadata or iteration lines). ${takes}.`;
}
