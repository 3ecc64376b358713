#!/usr/bin/env node
// Entry point. --help and --version are answered from the raw words with nothing else loaded,
// in about the time of a bare Node start; for everything else the Python sandbox starts first
// (cli/early-sandbox.ts), then cli/main.ts reads the flags, settings and context meanwhile.
import {earlyAnswer} from './cli/help.js';
import {startSandboxEarly} from './cli/early-sandbox.js';

const words = process.argv.slice(2);
const early = earlyAnswer(words);
if (early === undefined) {
	await startSandboxEarly(words);
	await import('./cli/main.js');
}
// No process.exit: Node leaves once the pending write into a pipe has drained.
else process.stdout.write(early);
