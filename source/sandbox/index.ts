// The sandboxed Python REPL: Pyodide in a worker thread of a hardened host process.
export {Sandbox, prewarmSandbox, sandboxDefaults} from './client.js';
/** Resolves when snapshot writes under way are done (await before exiting right after a first start). */
export {snapshotWritesSettled} from './snapshot.js';
export type {SandboxStartOptions, StartInfo} from './client.js';
export type * from './types.js';
