// The sandboxed Python REPL: Pyodide in a worker thread of a hardened host process.
export {Sandbox, prewarmSandbox} from './sandbox.js';
export {disposeSpares, startSandbox, startSpare} from './spare.js';
export {sandboxDefaults} from './options.js';
/** Resolves when snapshot writes under way are done (await before exiting right after a first start). */
export {snapshotWritesSettled} from './snapshot.js';
export type {SandboxStartOptions} from './options.js';
export type {StartInfo} from './sandbox.js';
export type * from './types.js';
