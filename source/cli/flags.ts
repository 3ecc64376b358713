// The command line: meow flag definitions and the help text.
import meow from 'meow';

export const helpText = `
  Usage
    $ rlm-tui                         full-screen chat (TTY)
    $ rlm-tui -p "question" [-c FILE] headless: the answer on stdout
    $ cat notes.txt | rlm-tui -p "what is decided here?"
    $ rlm-tui serve                   OpenAI-compatible endpoint (see README)

  Options
    -m, --model <MODEL>        Root model [default: cogito:14b for openai, claude-sonnet-4-5 for anthropic]
    -b, --backend <BACKEND>    openai | anthropic | demo [default: openai]
    -u, --backend-url <URL>    Base URL [default: http://localhost:11434/v1 (Ollama)]
    -k, --backend-key <KEY>    API key (or OPENAI_API_KEY / ANTHROPIC_API_KEY)
    -t, --temperature <TEMP>   Sampling temperature [default: 0.7; none for GPT-5 and o-series]
    -v, --verbose              Print every iteration in full (stderr)
    -e, --exec-log             Print the compact execution log (stderr)
    -c, --context-file <FILE>  Load context from a file (repeat for several: a dict)
    -p, --prompt <TEXT>        Headless: answer on stdout. Piped stdin is the prompt,
                               or the context when -p is given too
        --json                 Print the whole result (iterations, code, usage) as JSON
        --sub-model <MODEL>    Model for llm_query / rlm_query [default: the root model]
        --max-iterations <N>   Turns before a forced final answer [default: 30]
        --max-depth <N>        1: rlm_query is a plain call; 2+: child RLMs [default: 1]
        --timeout <SECONDS>    Wall-clock limit per code block [default: 30]
        --log-dir <DIR>        Where JSONL trajectories are written [default: ~/.local/state/rlm-tui/trajectories]
        --replay <FILE>        Open a trajectory (ours or the original RLM's) read-only
        --resume               Reopen the last session: its chat and its REPL variables
    -h, --help                 Show this help

  serve options
        --port <N>             Port [default: 8080]
        --host <HOST>          Interface [default: 127.0.0.1]; any other needs a token
        --token <TOKEN>        Bearer token clients must send (generated when needed)
        --max-concurrent <N>   RLM runs at once; more wait in a queue, then get 429 [default: 2]
        --version              Show the version
`;

export function parseCli(argv: string[] = process.argv.slice(2)) {
	return meow(helpText, {
		importMeta: import.meta,
		argv,
		allowUnknownFlags: false,
		flags: {
			model: {type: 'string', shortFlag: 'm'},
			backend: {type: 'string', shortFlag: 'b'},
			backendUrl: {type: 'string', shortFlag: 'u'},
			backendKey: {type: 'string', shortFlag: 'k'},
			temperature: {type: 'number', shortFlag: 't'},
			verbose: {type: 'boolean', shortFlag: 'v'},
			execLog: {type: 'boolean', shortFlag: 'e'},
			contextFile: {type: 'string', shortFlag: 'c', isMultiple: true},
			prompt: {type: 'string', shortFlag: 'p'},
			json: {type: 'boolean'},
			subModel: {type: 'string'},
			maxIterations: {type: 'number'},
			maxDepth: {type: 'number'},
			timeout: {type: 'number'},
			logDir: {type: 'string'},
			replay: {type: 'string'},
			resume: {type: 'boolean'},
			port: {type: 'number'},
			host: {type: 'string'},
			token: {type: 'string'},
			maxConcurrent: {type: 'number'},
			help: {type: 'boolean', shortFlag: 'h'},
		},
	});
}

export type Cli = ReturnType<typeof parseCli>;
export type CliFlags = Cli['flags'];
