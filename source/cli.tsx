#!/usr/bin/env node
// Entry point. It loads no module before the Python sandbox starts (cli/early-sandbox.ts: the help
// texts, too, load only for --help), then cli/main.ts reads the flags, settings and context
// meanwhile. --help and --version are answered from the raw words with nothing else loaded, in
// about the time of a bare Node start.
import {earlyRequest} from './cli/early-words.js';
import {startSandboxEarly} from './cli/early-sandbox.js';
import {guardStandardStreams} from './cli/std-streams.js';
import {holdTypeahead} from './cli/typeahead.js';
import {dropRelativeXdgPaths} from './cli/xdg-env.js';

guardStandardStreams();
dropRelativeXdgPaths();

const words = process.argv.slice(2);
const early = earlyRequest(words);
if (early === undefined) {
	// Keys typed from now until the app reads them are kept for it (cli/typeahead.ts).
	holdTypeahead(words);
	await startSandboxEarly(words);
	await import('./cli/main.js');
} else {
	// No process.exit: Node leaves once the pending write into a pipe has drained.
	if (early.kind === 'usage error') {
		process.stderr.write(`rlm-tui: ${early.message}\n`);
		process.exitCode = 2;
	} else {
		const {earlyAnswer} = await import('./cli/help.js');
		process.stdout.write(earlyAnswer(early));
	}
}
