// The user's tools (--tools FILE.py, the library's toolsCode): Python run in a REPL before the
// first block, whose public functions are listed, with their docstrings, in the system prompt.
import * as z from 'zod';
import type {ExecResult, Repl} from '../protocol/repl.js';

export interface ToolInfo {
	name: string;
	/** Python's inspect.signature, e.g. "(path, limit=10)". */
	signature: string;
	doc: string;
}

const listingSchema = z.array(z.object({name: z.string().max(200), signature: z.string().max(2000), doc: z.string()}));

const lastLine = (text: string | undefined) => (text ?? '').trim().split('\n').filter(Boolean).at(-1) ?? 'it failed';

/** Why a tools file's code failed: a limit the sandbox stopped it at (the traceback's last line
 * is then a bare KeyboardInterrupt; the sandbox's notice comes first), else the traceback's last line. */
function toolsFailure(ran: ExecResult, timeoutSeconds: number | undefined): string {
	if (ran.limit === 'timeout' && timeoutSeconds !== undefined) return `timed out after ${timeoutSeconds} s (--timeout)`;
	if (ran.limit) return `failed: ${firstLine(ran.error)}`;
	return `failed: ${lastLine(ran.error)}`;
}

const firstLine = (text: string | undefined) => (text ?? '').trim().split('\n').find(Boolean) ?? 'it failed';

/**
 * Runs a tools file's code in `repl` and registers its public functions as reserved names.
 * `timeoutSeconds`: the REPL's time limit, for the words of a file that runs past it.
 * @throws Error naming `source` when the code fails or its functions cannot be listed.
 */
export async function loadTools(repl: Pick<Repl, 'run'>, code: string, source: string, timeoutSeconds?: number): Promise<ToolInfo[]> {
	const ran = await repl.run(code);
	if (!ran.ok) throw new Error(`The tools file ${source} ${toolsFailure(ran, timeoutSeconds)}`);
	const listed = await repl.run('__import__("_rlm").register_tools()');
	const line = listed.stdout.trim().split('\n').at(-1) ?? '';
	let parsed: ToolInfo[] | undefined;
	try {
		parsed = listingSchema.parse(JSON.parse(line));
	} catch {
		parsed = undefined;
	}
	if (!listed.ok || !parsed) throw new Error(`The tools of ${source} could not be listed: ${lastLine(listed.error ?? listed.stdout)}`);
	return parsed;
}

/** The system prompt's section naming the tools ('' when there are none). Docstrings are cut at 600 characters. */
export function toolsSection(tools: readonly ToolInfo[], source?: string): string {
	if (tools.length === 0) return '';
	const lines = tools.map((tool) => {
		const doc = tool.doc.length > 600 ? `${tool.doc.slice(0, 600)}…` : tool.doc;
		return `- \`${tool.name}${tool.signature}\`${doc ? `: ${doc.replace(/\n+/g, ' ')}` : ''}`;
	});
	return `Tools defined for you in the REPL${source ? ` (from ${source})` : ''}, callable from your code like any function:\n${lines.join('\n')}`;
}
