// The REPLs an Rlm uses unless it is given others: the Pyodide sandbox. The one engine file that
// imports source/sandbox; everything else in the engine speaks to the Repl port (protocol/repl.ts).
import type {ReplFactory} from '../protocol/repl.js';
import {Sandbox} from '../sandbox/sandbox.js';
import {snapshotWritesSettled} from '../sandbox/snapshot.js';

export const sandboxRepls: ReplFactory = {
	start: (options) => Sandbox.start(options),
	settled: snapshotWritesSettled,
};
