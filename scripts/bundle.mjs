// Bundles the command line: source/cli.tsx and everything it loads become a few files (one chunk
// per lazily loaded mode), so a start reads and compiles a handful of files instead of hundreds of
// modules. Runs after tsc and reads the sources itself (so an incremental tsc that leaves
// dist/cli.js alone never hands it a bundle to bundle again). The library (dist/index.js) stays as
// tsc wrote it; the sandbox's host and worker (dist/sandbox/host.js and worker.js, read by the
// host under the permission model) become one file each, in place. The options are in bundle-options.mjs.
import {rmSync} from 'node:fs';
import {build} from 'esbuild';
import {bundleOptions, sandboxBundleOptions} from './bundle-options.mjs';

rmSync('dist/bin', {recursive: true, force: true});
await Promise.all([build(bundleOptions), build(sandboxBundleOptions)]);
