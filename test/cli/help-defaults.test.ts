// The defaults --help and the README's Flags block state are the ones the code uses: each is taken
// from its one definition (source/protocol/defaults.ts, limits.ts), so a changed default shows in
// --help by itself, and this test says when the README's copy is left behind.
import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {mainHelp, mcpHelp, serveHelp} from '../../source/cli/help.js';
import {DEFAULT_MAX_CONTEXT_BYTES, DEFAULT_HOST, DEFAULT_MAX_CONCURRENT, DEFAULT_MAX_DEPTH, DEFAULT_MAX_ITERATIONS, DEFAULT_MCP_PORT, DEFAULT_SERVE_PORT, DEFAULT_TEMPERATURE, DEFAULT_TIMEOUT_SECONDS, DEFAULT_MEMORY_LIMIT_MB, DEFAULT_KEEP_WARM_MINUTES, DEFAULT_REQUEST_TIMEOUT_SECONDS} from '../../source/protocol/defaults.js';
import {DEFAULT_TIMEOUT_MS} from '../../source/backends/types.js';
import {OpenAIBackend} from '../../source/backends/openai.js';
import {AnthropicBackend} from '../../source/backends/anthropic.js';
import {DEFAULT_MAX_SUB_CALLS} from '../../source/protocol/limits.js';
import {DEFAULT_SETTINGS} from '../../source/settings/schema.js';
import {DEFAULTS} from '../../source/engine/rlm.js';
import {defaultMaxContextBytes} from '../../source/context/size.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const readmeFlags = README.slice(README.indexOf('## Flags'), README.indexOf('```', README.indexOf('```', README.indexOf('## Flags')) + 3));

/** The line of `text` that documents `flag` (the first one). */
const lineOf = (text: string, flag: string) => text.split('\n').find((line) => new RegExp(`(^|\\s)${flag}\\b`).test(line)) ?? '';

const MAX_CONTEXT = `${DEFAULT_MAX_CONTEXT_BYTES / 1024 ** 2}M`;

const STATED: ReadonlyArray<[flag: string, value: string | number]> = [
	['--temperature', DEFAULT_TEMPERATURE],
	['--max-iterations', DEFAULT_MAX_ITERATIONS],
	['--max-depth', DEFAULT_MAX_DEPTH],
	['--timeout', DEFAULT_TIMEOUT_SECONDS],
	['--memory-limit', DEFAULT_MEMORY_LIMIT_MB],
	['--keep-warm', DEFAULT_KEEP_WARM_MINUTES],
	['--request-timeout', DEFAULT_REQUEST_TIMEOUT_SECONDS],
	['--max-sub-calls', DEFAULT_MAX_SUB_CALLS],
	['--max-context-bytes', MAX_CONTEXT],
	['--port', DEFAULT_SERVE_PORT],
	['--host', DEFAULT_HOST],
	['--max-concurrent', DEFAULT_MAX_CONCURRENT],
];

describe('the defaults the help states', () => {
	it('are the values the settings, the engine and the context loader use', () => {
		expect(DEFAULT_SETTINGS).toMatchObject({maxIterations: DEFAULT_MAX_ITERATIONS, maxDepth: DEFAULT_MAX_DEPTH, timeoutSeconds: DEFAULT_TIMEOUT_SECONDS});
		expect(DEFAULTS).toMatchObject({maxIterations: DEFAULT_MAX_ITERATIONS, maxDepth: DEFAULT_MAX_DEPTH, timeoutSeconds: DEFAULT_TIMEOUT_SECONDS, memoryLimitMb: DEFAULT_MEMORY_LIMIT_MB, maxSubCalls: DEFAULT_MAX_SUB_CALLS});
		expect(defaultMaxContextBytes).toBe(DEFAULT_MAX_CONTEXT_BYTES);
		expect(DEFAULT_TIMEOUT_MS).toBe(DEFAULT_REQUEST_TIMEOUT_SECONDS * 1000);
		// A library user's longer timeout is lowered to what Node's fetch honours (300 s).
		expect(new OpenAIBackend({baseURL: 'http://127.0.0.1:9/v1', timeoutMs: 900_000}).timeoutMs).toBe(300_000);
		expect(new AnthropicBackend({baseURL: 'http://127.0.0.1:9', timeoutMs: 900_000}).timeoutMs).toBe(300_000);
	});

	it.each(STATED)('--help and the README state %s [default: %s]', (flag, value) => {
		expect(lineOf(mainHelp(), flag)).toContain(`[default: ${value}`);
		expect(lineOf(readmeFlags, flag)).toContain(`[default: ${value}`);
	});

	it("serve's and mcp's help state their own ports", () => {
		expect(lineOf(serveHelp(), '--port')).toContain(`[default: ${DEFAULT_SERVE_PORT}]`);
		expect(lineOf(mcpHelp(), '--port')).toContain(`[default: ${DEFAULT_MCP_PORT}]`);
		expect(lineOf(mcpHelp(), '--max-context-bytes')).toContain(`[default: ${MAX_CONTEXT}]`);
		expect(README).toContain(`http://${DEFAULT_HOST}:${DEFAULT_MCP_PORT}/mcp`);
	});
});
