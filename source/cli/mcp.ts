// `rlm-tui mcp`: the RLM as an MCP tool for coding agents, on stdio (the client starts it) or
// Streamable HTTP (--http). The flags set every call's caps and the server's lifetime limits.
import {statSync} from 'node:fs';
import {resolve} from 'node:path';
import {parseByteSize} from '../context/index.js';
import type {CallLimits} from '../protocol/limits.js';
import type {LifetimeLimits} from '../mcp/limits.js';
import {McpRuntime, type McpOptions} from '../mcp/runtime.js';
import {serveHttp, serveStdio} from '../mcp/transports.js';
import {generateToken, isLoopback} from '../server/server.js';
import {ConfigError, type ResolvedConfig} from '../settings/resolve.js';
import {defaultLogDir} from '../trajectory/jsonl-log.js';
import {rlmOptionsFrom} from './headless.js';
import {tell} from './tell.js';
import {version} from './help.js';
import {DEFAULT_HOST, DEFAULT_MCP_PORT} from '../protocol/defaults.js';

export interface McpFlags {
	http?: boolean;
	port?: number;
	host?: string;
	token?: string;
	maxConcurrent?: number;
	logDir?: string;
	allowDir?: string[];
	maxContextBytes?: string;
	totalBudget?: number;
	totalTokens?: number;
	/** The number flags as typed, for their errors (flags.ts). */
	typed?: {port?: string; maxConcurrent?: string; totalBudget?: string; totalTokens?: string};
}

/** How long a shutdown waits for cancelled runs to write their trajectories, in milliseconds. */
const windDownMs = 5_000;

function positive(name: string, value: number | undefined, whole: boolean, typed: string | undefined): number | undefined {
	if (value === undefined) return undefined;
	if (!(value > 0) || (whole && !Number.isInteger(value))) throw new ConfigError(`Invalid --${name} ${typed ?? value}: expected ${whole ? 'a whole number of at least 1' : 'a number above 0'}.`);
	return value;
}

/** The --allow-dir folders, absolute. @throws ConfigError for one that is not a folder. */
function allowedDirs(dirs: readonly string[]): string[] {
	return dirs.map((dir) => {
		const absolute = resolve(dir);
		let isDir = false;
		try {
			isDir = statSync(absolute).isDirectory();
		} catch {
			// reported below
		}
		if (!isDir) throw new ConfigError(`--allow-dir ${dir}: not a folder.`);
		return absolute;
	});
}

/** The server's options from the resolved settings and the mcp flags. The run-wide limits
 * (--max-budget ... --max-sub-calls, checked by resolveConfig) are every call's caps.
 * @throws ConfigError */
export function mcpOptionsFrom(config: ResolvedConfig, flags: McpFlags): McpOptions {
	const {maxIterations, maxDepth, maxBudget, maxTimeout, maxTokens, maxErrors, maxSubCalls, ...rlm} = rlmOptionsFrom(config);
	const callLimits: CallLimits = {maxIterations, maxDepth, ...definedOnly({maxBudget, maxTimeout, maxTokens, maxErrors, maxSubCalls})};
	const lifetime: LifetimeLimits = definedOnly({
		totalBudget: positive('total-budget', flags.totalBudget, false, flags.typed?.totalBudget),
		totalTokens: positive('total-tokens', flags.totalTokens, true, flags.typed?.totalTokens),
	});
	const maxConcurrent = positive('max-concurrent', flags.maxConcurrent, true, flags.typed?.maxConcurrent);
	return {
		rlm,
		logDir: flags.logDir ? resolve(flags.logDir) : defaultLogDir(),
		allowDirs: allowedDirs(flags.allowDir ?? []),
		...(config.limits?.allowModels?.length ? {allowModels: config.limits.allowModels} : {}),
		...(flags.maxContextBytes !== undefined ? {maxContextBytes: parseByteSize(flags.maxContextBytes)} : {}),
		callLimits,
		lifetime,
		...(maxConcurrent !== undefined ? {maxConcurrent} : {}),
	};
}

function definedOnly<T extends Record<string, number | undefined>>(values: T): {[K in keyof T]?: number} {
	return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as {[K in keyof T]?: number};
}

/** SIGHUP (the terminal it runs in closing) too: the runs wind down and write their trajectories. */
const signalled = () =>
	new Promise<void>((done) => {
		for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => done());
	});

/** Runs the server until the client goes away (stdio) or SIGINT/SIGTERM/SIGHUP; resolves with the exit code. */
export async function runMcp(config: ResolvedConfig, flags: McpFlags, stderr: NodeJS.WritableStream): Promise<number> {
	const options = mcpOptionsFrom(config, flags);
	const runtime = new McpRuntime(options);
	const described = `RLM over ${config.backend}:${config.model}; trajectories in ${options.logDir}${options.allowDirs.length ? `; --allow-dir ${options.allowDirs.join(', ')}` : ''}`;
	if (!flags.http) {
		// tell: the model's name may be a server's id saved by /model, escape sequences and all.
		tell(stderr, `rlm-tui mcp: serving on stdio (${described})`);
		await Promise.race([serveStdio(runtime, version()), signalled()]);
		await runtime.close(windDownMs);
		return 0;
	}
	const port = flags.port ?? DEFAULT_MCP_PORT;
	if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`Invalid --port ${flags.typed?.port ?? String(port)}: expected 0-65535.`);
	const host = flags.host ?? DEFAULT_HOST;
	let token = flags.token;
	const generated = !token && !isLoopback(host);
	if (generated) token = generateToken();
	let server;
	try {
		server = await serveHttp(runtime, version(), {host, port, ...(token ? {token} : {})});
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'EADDRINUSE') throw new ConfigError(`Port ${port} on ${host} is already in use: pick another with --port.`);
		if (code === 'EACCES') throw new ConfigError(`Not allowed to bind ${host}:${port}: pick a port above 1024.`);
		throw error;
	}
	tell(stderr, `rlm-tui mcp: ${server.url}  (Streamable HTTP; ${described})`);
	if (generated) stderr.write(`rlm-tui mcp: bearer token (required on ${host}): ${token}\n`);
	else if (token) stderr.write('rlm-tui mcp: bearer token required\n');
	await signalled();
	await runtime.close(windDownMs);
	await server.close();
	return 0;
}
