// Runs the built CLI (dist/cli.js) as a user would, with a private config dir and no keys.
import {spawn} from 'node:child_process';
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {BACKEND_PRESETS} from '../../source/protocol/backends.js';

export const cliPath = resolve(import.meta.dirname, '../../dist/cli.js');

export interface CliResult {
	code: number | null;
	stdout: string;
	stderr: string;
}

export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {...process.env};
	for (const name of ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_BASE_URL', 'RLM_BACKEND', 'RLM_MODEL', 'OLLAMA_HOST', 'AZURE_OPENAI_API_KEY', 'ANTHROPIC_AUTH_TOKEN', ...BACKEND_PRESETS.map((preset) => preset.keyEnv)])
		delete env[name];
	env.XDG_CONFIG_HOME = mkdtempSync(join(tmpdir(), 'rlm-cli-config-'));
	env.RLM_DEMO_DELAY_MS = '0';
	return {...env, ...extra};
}

export function runCli(args: string[], options: {input?: string | Buffer; env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string} = {}): Promise<CliResult> {
	return new Promise((resolvePromise, reject) => {
		const child = spawn(process.execPath, [cliPath, ...args], {env: options.env ?? cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'], ...(options.cwd ? {cwd: options.cwd} : {})});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr += chunk));
		const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
		child.on('error', reject);
		child.on('close', (code) => {
			clearTimeout(timer);
			resolvePromise({code, stdout, stderr});
		});
		// A child may stop reading stdin (past a cap) and exit: the rest of the input is not its to read.
		child.stdin.on('error', () => {});
		child.stdin.end(options.input ?? '');
	});
}
