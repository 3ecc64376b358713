// The REPLs an Rlm uses unless it is given others: the Pyodide sandbox, taking a spare one started
// ahead of need when there is one (sandbox/spare.ts). The one engine file that imports
// source/sandbox; everything else in the engine speaks to the Repl port (protocol/repl.ts).
import type {ReplFactory} from '../protocol/repl.js';
import {startSandbox} from '../sandbox/spare.js';
import {snapshotWritesSettled} from '../sandbox/snapshot.js';

export const sandboxRepls: ReplFactory = {
	start: (options) => startSandbox(options),
	settled: snapshotWritesSettled,
};
