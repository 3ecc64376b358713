// Bundles the command line: source/cli.tsx and everything it loads become a few files (one chunk
// per lazily loaded mode), so a start reads and compiles a handful of files instead of hundreds of
// modules. Runs after tsc and reads the sources itself (so an incremental tsc that leaves
// dist/cli.js alone never hands it a bundle to bundle again). The library (dist/index.js) and the
// sandbox's host and worker (dist/sandbox/, read by the host under the permission model) stay as
// tsc wrote them.
import {rmSync} from 'node:fs';
import {build} from 'esbuild';

rmSync('dist/bin', {recursive: true, force: true});
await build({
	entryPoints: {cli: 'source/cli.tsx'},
	tsconfig: 'tsconfig.build.json',
	outdir: 'dist',
	allowOverwrite: true,
	chunkNames: 'bin/[name]-[hash]',
	bundle: true,
	splitting: true,
	format: 'esm',
	platform: 'node',
	target: 'node20',
	// Pyodide runs only in the host process; Ink imports react-devtools-core only when DEV=true.
	external: ['pyodide', 'react-devtools-core'],
	// CommonJS dependencies call require() for Node's built-ins.
	banner: {js: "import {createRequire as __bundleRequire} from 'node:module'; const require = __bundleRequire(import.meta.url);"},
	legalComments: 'none',
	logLevel: 'warning',
});
