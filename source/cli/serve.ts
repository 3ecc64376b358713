// `rlm-tui serve`: starts the OpenAI-compatible endpoint and runs until SIGINT, SIGTERM or SIGHUP.
import {createBackend} from '../backends/create.js';
import type {ResolvedConfig} from '../settings/resolve.js';
import {ConfigError} from '../settings/resolve.js';
import {generateToken, isLoopback, startRlmServer} from '../server/server.js';
import {unaskableModelName} from '../server/served-models.js';
import {rlmOptionsFrom} from './headless.js';
import {tell} from './tell.js';
import {DEFAULT_HOST, DEFAULT_MAX_CONCURRENT, DEFAULT_SERVE_PORT} from '../protocol/defaults.js';
import {quoted} from '../protocol/quoted.js';

/** The signals that stop serve gracefully. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface ServeFlags {
	port?: number;
	host?: string;
	token?: string;
	maxConcurrent?: number;
	logDir?: string;
	/** Origins allowed to call from web pages (--cors, repeatable). */
	cors?: string[];
	/** --allow-models as typed (each may hold several names, comma-separated), for its error; [] when
	 * given with no name at all (`--allow-models ""`). */
	allowModels?: string[];
	/** The settings file: where it is, and its allowModels as read (for the refusal of an empty one). */
	settingsFile?: {path: string; allowModels?: readonly string[] | undefined; allowModelsDropped?: boolean};
	/** --port and --max-concurrent as typed, for their errors (flags.ts). */
	typed?: {port?: string; maxConcurrent?: string};
}

export async function runServe(config: ResolvedConfig, flags: ServeFlags, stderr: NodeJS.WritableStream): Promise<number> {
	const port = flags.port ?? DEFAULT_SERVE_PORT;
	if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`Invalid --port ${flags.typed?.port ?? String(port)}: expected 0-65535.`);
	const maxConcurrent = flags.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
	if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1)
		throw new ConfigError(`Invalid --max-concurrent ${flags.typed?.maxConcurrent ?? String(maxConcurrent)}: expected a whole number of at least 1.`);
	const host = flags.host ?? DEFAULT_HOST;
	const corsOrigins = flags.cors ?? [];
	for (const origin of corsOrigins) {
		if (origin === '*') continue;
		let parsed: URL | undefined;
		try {
			parsed = new URL(origin);
		} catch {
			parsed = undefined;
		}
		if (!parsed || parsed.origin !== origin.replace(/\/$/, ''))
			throw new ConfigError(`Invalid --cors ${quoted(origin)}: expected an origin such as http://localhost:3000 (scheme, host and port, no path), or "*" with --token.`);
	}
	// As typed, so that the position named is the one on the command line (the resolved list is
	// deduplicated); from settings when the flag was not given.
	const typedModels = flags.allowModels?.flatMap((text) => text.split(',')).map((name) => name.trim()).filter(Boolean);
	// An empty list restricts nothing here (no list serves every model): `--allow-models "$ALLOWED"`
	// with the variable unset would start an open server.
	if (typedModels?.length === 0)
		throw new ConfigError(`--allow-models names no model: give the models a client may ask for besides -m and --sub-model (--allow-models gpt-4o-mini,qwen3), or leave the flag out to serve every model the backend lists.`);
	// A list the file's checks dropped would leave the default, no list: every model served.
	if (!typedModels && flags.settingsFile?.allowModelsDropped)
		throw new ConfigError(`allowModels in the settings file ${flags.settingsFile.path} is not a list of model names, so it cannot restrict what serve serves: fix it, or remove the key to serve every model the backend lists.`);
	if (!typedModels && flags.settingsFile?.allowModels?.length === 0)
		throw new ConfigError(`allowModels in the settings file ${flags.settingsFile.path} is empty: list the models a client may ask for besides -m and --sub-model, or remove the key to serve every model the backend lists.`);
	const unaskable = unaskableModelName(typedModels ?? config.limits?.allowModels ?? [], typedModels ? '--allow-models' : 'allowModels in the settings file');
	if (unaskable) throw new ConfigError(unaskable);
	if (corsOrigins.includes('*') && !flags.token) throw new ConfigError('--cors "*" lets every web page call the endpoint: give a bearer token with --token too.');
	let token = flags.token;
	let generated = false;
	if (!token && !isLoopback(host)) {
		token = generateToken();
		generated = true;
	}
	const options = {...rlmOptionsFrom(config), ...(flags.logDir ? {logDir: flags.logDir} : {})};
	const backend = createBackend({
		kind: config.backend,
		...(config.baseURL ? {baseURL: config.baseURL} : {}),
		...(config.apiKey ? {apiKey: config.apiKey} : {}),
		...(config.headers ? {headers: config.headers} : {}),
		...(config.requestTimeoutSeconds !== undefined ? {timeoutMs: config.requestTimeoutSeconds * 1000} : {}),
		model: config.model,
	});
	let server;
	try {
		server = await startRlmServer({rlm: options, backend, host, port, maxConcurrent, ...(token ? {token} : {}), ...(corsOrigins.length ? {corsOrigins} : {})});
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'EADDRINUSE') throw new ConfigError(`Port ${port} on ${host} is already in use: pick another with --port.`);
		if (code === 'EACCES') throw new ConfigError(`Not allowed to bind ${host}:${port}: pick a port above 1024.`);
		throw error;
	}
	tell(stderr, `rlm-tui serve: ${server.url}/v1  (model "rlm" = RLM over ${config.backend}:${config.model}; "rlm:<model>" for another)`);
	if (generated) tell(stderr, `rlm-tui serve: bearer token (required on ${host}): ${token}`);
	else if (token) stderr.write('rlm-tui serve: bearer token required\n');
	// SIGHUP (the terminal it runs in closing) stops it as SIGTERM does: open requests get the
	// shutdown error, not a bare closed socket.
	const signal = await new Promise<NodeJS.Signals>((resolve) => {
		const stop = (name: NodeJS.Signals) => {
			for (const each of STOP_SIGNALS) process.off(each, stop);
			resolve(name);
		};
		for (const each of STOP_SIGNALS) process.once(each, stop);
	});
	const answered = await server.close();
	tell(stderr, `rlm-tui serve: stopped (${signal}); ${answered === 0 ? 'no request was open' : `${answered} open request${answered === 1 ? ' was' : 's were'} answered with a shutdown error`}.`);
	return 0;
}
