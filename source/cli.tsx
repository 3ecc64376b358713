#!/usr/bin/env node
// Entry point. --help and --version are answered from the raw words with nothing else loaded,
// in about the time of a bare Node start; everything else goes through cli/main.ts.
import {earlyAnswer} from './cli/help.js';

const early = earlyAnswer(process.argv.slice(2));
if (early === undefined) await import('./cli/main.js');
// No process.exit: Node leaves once the pending write into a pipe has drained.
else process.stdout.write(early);
