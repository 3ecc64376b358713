// The help screens (`--help`, `rlm-tui help [serve|mcp]`, `rlm-tui serve --help`, `rlm-tui mcp --help`)
// and the version.
// Imports nothing heavy: `--help` and `--version` answer in about the time of a bare Node start.
import {readFileSync} from 'node:fs';
import type {EarlyRequest} from './early-words.js';
import {aliasSummary} from '../backends/model-aliases.js';
import {BACKEND_KINDS, BACKEND_PRESETS, DEFAULT_KIND_MODELS, DEFAULT_OPENAI_BASE_URL} from '../protocol/backends.js';
import {
	DEFAULT_HOST,
	DEFAULT_MAX_CONCURRENT,
	DEFAULT_MAX_CONTEXT_BYTES,
	DEFAULT_MAX_DEPTH,
	DEFAULT_MAX_ITERATIONS,
	DEFAULT_MAX_QUEUED,
	DEFAULT_MCP_PORT,
	DEFAULT_MEMORY_LIMIT_MB,
	DEFAULT_KEEP_WARM_MINUTES,
	MAX_KEEP_WARM_MINUTES,
	DEFAULT_REQUEST_TIMEOUT_SECONDS,
	MAX_REQUEST_TIMEOUT_SECONDS,
	DEFAULT_SERVE_PORT,
	DEFAULT_TEMPERATURE,
	DEFAULT_TIMEOUT_SECONDS,
	MAX_MEMORY_LIMIT_MB,
	MIN_MEMORY_LIMIT_MB,
} from '../protocol/defaults.js';
import {DEFAULT_MAX_SUB_CALLS} from '../protocol/limits.js';

/** 104857600 -> "100M", as --max-context-bytes takes it. */
const bytesFlag = (bytes: number) => (bytes % 1024 ** 3 === 0 ? `${bytes / 1024 ** 3}G` : `${Math.round(bytes / 1024 ** 2)}M`);
const MAX_CONTEXT = bytesFlag(DEFAULT_MAX_CONTEXT_BYTES);

const commonOptions = `  Model
    -m, --model <MODEL>        Root model, or an alias (below) [default: ${DEFAULT_KIND_MODELS.openai} for openai, ${DEFAULT_KIND_MODELS.anthropic} for anthropic]
    -b, --backend <BACKEND>    ${BACKEND_KINDS.join(' | ')}, or a preset (below) [default: see README]
    -u, --backend-url <URL>    Base URL [default: ${DEFAULT_OPENAI_BASE_URL} (Ollama)]
    -k, --backend-key <KEY>    API key, or @FILE to read it from a file (others can see a key
                               on the command line); or OPENAI_API_KEY / ANTHROPIC_API_KEY / ...
        --header <'N: V'>      Extra request header (repeat for more), e.g. for a gateway
    -t, --temperature <TEMP>   Sampling temperature [default: ${DEFAULT_TEMPERATURE}; none for GPT-5, o-series, Anthropic]
        --sub-model <MODEL>    Model for llm_query / rlm_query [default: the root model]
        --tools <FILE.py>      Python run in the REPL first; its functions are listed to the model
        --sub-tools <FILE.py>  The same for child RLMs [default: --tools]
        --context-window <N>   The root model's window in tokens [default: what its server says]
        --no-compaction        Never summarise older iterations to fit the window
        --sub-backend <NAME>   Backend for llm_query / child RLMs (key: RLM_SUB_API_KEY or its own)
        --sub-url <URL>        Base URL for sub-calls (alone: an OpenAI-compatible server)
    -s, --system <TEXT>        Instructions added to the system prompt
        --system-file <FILE>   Replace the system prompt whole (README: what it must keep)
        --max-iterations <N>   Turns before a forced final answer [default: ${DEFAULT_MAX_ITERATIONS}]
        --max-depth <N>        1: rlm_query is a plain call; 2+: child RLMs [default: ${DEFAULT_MAX_DEPTH}]
        --timeout <SECONDS>    Limit per code block, on Python's own time [default: ${DEFAULT_TIMEOUT_SECONDS}]
        --request-timeout <SECONDS>  How long a model request waits for the server (at most ${MAX_REQUEST_TIMEOUT_SECONDS}) [default: ${DEFAULT_REQUEST_TIMEOUT_SECONDS}]
        --memory-limit <MB>    Python's memory per block (MiB, ${MIN_MEMORY_LIMIT_MB}-${MAX_MEMORY_LIMIT_MB}); past it MemoryError [default: ${DEFAULT_MEMORY_LIMIT_MB}]
        --keep-warm <MIN>      Leave a sandbox ready for the next run, for MIN minutes (0-${MAX_KEEP_WARM_MINUTES}; 5, 5m, 1h) [default: ${DEFAULT_KEEP_WARM_MINUTES}]
        --log-dir <DIR>        Where JSONL trajectories are written [default: ~/.local/state/rlm-tui/trajectories]`;

const limitOptions = `  Limits of a whole run (root, sub-calls, child runs); at one the run ends with its best answer
        --max-budget <USD>     Estimated cost, from known model prices [default: none]
        --max-timeout <SECS>   Wall-clock time, sub-call waiting included [default: none]
        --max-tokens <N>       Input plus output tokens [default: none]
        --max-errors <N>       Failed code blocks in a row [default: none]
        --max-sub-calls <N>    Sub-calls (each prompt of a batch counts one) [default: ${DEFAULT_MAX_SUB_CALLS}]
        --allow-models <M,..>  Models model= may name in sub-calls, besides -m and --sub-model;
                               for serve, the only other rlm:<model> it runs`;

const serveOptions = `  serve
        --port <N>             Port [default: ${DEFAULT_SERVE_PORT}]
        --host <HOST>          Interface [default: ${DEFAULT_HOST}]; any other needs a token
        --token <TOKEN>        Bearer token clients must send (generated when needed)
        --max-concurrent <N>   RLM runs at once; more wait in a queue, then get 429 [default: ${DEFAULT_MAX_CONCURRENT}]
        --cors <ORIGIN>        Let web pages from ORIGIN call the endpoint (repeat for more;
                               '*' needs --token; refused by default)`;

const presets = () => `  Backend presets (-b NAME, /backend NAME)
${BACKEND_PRESETS.map((preset) => `    ${preset.name.padEnd(11)} ${preset.baseURL}  key: ${preset.keyEnv}${preset.needsKey ? '' : ' (if set)'}`).join('\n')}`;

const aliases = () => `  Model aliases (-m, --sub-model)
${aliasSummary()
	.map((line) => `    ${line}`)
	.join('\n')}`;

export function mainHelp(): string {
	return `
  rlm-tui ${version()}: Recursive Language Models in the terminal

  Usage
    $ rlm-tui                          full-screen chat (TTY)
    $ rlm-tui -p "question" [-c FILE]  headless: the answer on stdout
    $ cat notes.txt | rlm-tui -p "what is decided here?"
    $ rlm-tui --replay FILE            a logged run, read-only
    $ rlm-tui serve                    OpenAI-compatible endpoint (rlm-tui serve --help)
    $ rlm-tui mcp [--http]             MCP server for coding agents (rlm-tui mcp --help)
    $ rlm-tui help [serve|mcp]         this help, or serve's or mcp's

${commonOptions}

${limitOptions}

  Run
    -p, --prompt <TEXT>        Headless: answer on stdout. Piped stdin is the prompt,
                               or the context when -p is given too
    -c, --context-file <PATH>  Context from a file, a folder (honours .gitignore), a
                               quoted glob, or - for stdin; repeat for several (a dict)
        --context-format <F>   text, or json: .json parsed, .jsonl as a list [text]
        --max-context-bytes <N>  Most that folders and globs load, e.g. 500M [default: ${MAX_CONTEXT}]
        --json                 Print the whole result (iterations, code, usage) as JSON
    -e, --exec-log             Print the compact execution log, ending with the cost (stderr)
    -v, --verbose              Print every iteration in full (stderr)
        --replay <FILE>        Open a trajectory (ours or the original RLM's) read-only
        --resume               Reopen the last session: its chat, REPL variables and backend
    -h, --help                 Show this help
    -V, --version              Show the version

${serveOptions}

${presets()}

${aliases()}

  Exit codes: 0 answered, 1 the run failed, 2 bad usage, 3 a limit stopped the run
  (its best answer printed), 130 Ctrl+C (SIGINT), 143 SIGTERM
`;
}

export function serveHelp(): string {
	return `
  rlm-tui serve: the RLM as an OpenAI-compatible endpoint

  Usage
    $ rlm-tui serve [-m MODEL] [--sub-model MODEL] [--port N] [--host HOST] [--token TOKEN]

  Endpoints: POST /v1/chat/completions, POST /v1/responses, GET /v1/models, GET /v1/models/{id},
  GET /health. Model "rlm" is the RLM over -m; "rlm:<model>" over another backend model.

${serveOptions}

${commonOptions}

${limitOptions}

${aliases()}
`;
}

const mcpOptions = `  mcp
        --http                 Serve Streamable HTTP at /mcp instead of stdio
        --port <N>             With --http: port [default: ${DEFAULT_MCP_PORT}]
        --host <HOST>          With --http: interface [default: ${DEFAULT_HOST}]; any other needs a token
        --token <TOKEN>        With --http: bearer token clients must send (generated when needed)
        --allow-dir <DIR>      A folder calls may read besides the client's roots (repeat for more)
        --allow-models <M>     A model calls may name besides -m and --sub-model (repeat for more)
        --max-context-bytes <N>  Most that one call's folders and globs load, e.g. 500M [default: ${MAX_CONTEXT}]
        --max-concurrent <N>   Runs at once; more wait (up to ${DEFAULT_MAX_QUEUED}), then are refused [default: ${DEFAULT_MAX_CONCURRENT}]
  Each call's caps (a call may ask for lower ones, never higher)
        --max-iterations, --max-depth (above), and
        --max-budget <USD>     Estimated cost of one call's whole tree
        --max-timeout <SECONDS>  Wall-clock time of one call
        --max-tokens <N>       Input + output tokens of one call's whole tree
        --max-errors <N>       Failed code blocks in a row
        --max-sub-calls <N>    Sub-calls of one call
  The server's whole life (then every call is refused until a restart)
        --total-budget <USD>   Estimated cost of all calls together
        --total-tokens <N>     Tokens of all calls together`;

export function mcpHelp(): string {
	return `
  rlm-tui mcp: the RLM as an MCP tool for coding agents (Claude Code, Cursor, Codex CLI, Claude Desktop)

  Usage
    $ rlm-tui mcp [-b BACKEND] [-m MODEL] [--allow-dir DIR] [--max-budget USD]   stdio (the client starts it)
    $ rlm-tui mcp --http [--port N]                                               Streamable HTTP at /mcp
    $ claude mcp add rlm -- rlm-tui mcp -m gpt-5-mini                             add it to Claude Code

  Tools: rlm_query (question, paths, context, model, per-call limits), rlm_runs (recent runs),
  rlm_run (a run's summary or whole trajectory). Resources: rlm-tui://runs/{file}.
  paths are read only inside the client's MCP roots and the --allow-dir folders. Keys come from
  the environment (OPENAI_API_KEY, ANTHROPIC_API_KEY, ...), never from the client. Every run's
  trajectory goes to --log-dir: rlm-tui --replay FILE shows it.

${mcpOptions}

${commonOptions}

${aliases()}
`;
}

/** The help of a command (serve, mcp), else the main help. */
export function helpFor(topic: string | undefined): string {
	if (topic === 'serve') return serveHelp();
	if (topic === 'mcp') return mcpHelp();
	return mainHelp();
}

let cachedVersion: string | undefined;

/** The package's version, from its package.json: the nearest one above this file named rlm-tui
 * (next to source/ and dist/; bundled chunks sit one level deeper, in dist/bin/). */
export function version(): string {
	if (cachedVersion) return cachedVersion;
	cachedVersion = 'unknown';
	for (const up of ['../package.json', '../../package.json', '../../../package.json']) {
		try {
			const manifest = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as {name?: string; version?: string};
			if (manifest.name === 'rlm-tui' && manifest.version) {
				cachedVersion = manifest.version;
				break;
			}
		} catch {
			// Not there: look one level further up.
		}
	}
	return cachedVersion;
}

/** The help or version text a command line asks for (cli/early-words.ts). */
export function earlyAnswer(request: Exclude<EarlyRequest, {kind: 'usage error'}>): string {
	return request.kind === 'help' ? helpFor(request.topic) : `${version()}\n`;
}
