// The esbuild options of the command line's bundle (scripts/bundle.mjs builds it; a test rebuilds
// it in memory with a metafile to learn which sources each chunk holds).
import {readFile} from 'node:fs/promises';

/**
 * meow's prebuilt dependencies run two CommonJS graphs as it is imported that rlm-tui never calls:
 * normalize-package-data (hosted-git-info, semver, the SPDX license lists, sorted on load) and
 * Babel's code frame (for package.json syntax errors). meow calls them only to read and normalize
 * a package.json, and cli/flags.ts hands it `pkg: {}` with autoHelp and autoVersion off. This
 * plugin makes both graphs load on their first call instead of at import, which takes about 10 ms
 * off every start. The code is meow's own, unchanged but for when it runs; if a meow release
 * changes those lines, the build warns and bundles meow as it is (correct, only slower).
 */
const meowLazyPackageReading = {
	name: 'meow-lazy-package-reading',
	setup(build) {
		build.onLoad({filter: /[\\/]node_modules[\\/]meow[\\/]build[\\/]dependencies\.js$/}, async ({path}) => {
			const text = await readFile(path, 'utf8');
			const edits = [
				['var libExports = requireLib$1();', 'var libExports = {codeFrameColumns: (...args) => requireLib$1().codeFrameColumns(...args)};'],
				[
					'var normalizeExports = requireNormalize();\nconst normalizePackageData = getDefaultExportFromCjs(normalizeExports);',
					'const normalizePackageData = (...args) => getDefaultExportFromCjs(requireNormalize())(...args);',
				],
			];
			const missing = edits.filter(([from]) => text.split(from).length !== 2);
			if (missing.length) {
				return {
					contents: text,
					loader: 'js',
					warnings: [{text: `meow's build changed (${missing.length} of its eager requires not found once): bundled as it is; update scripts/bundle-options.mjs`}],
				};
			}
			return {contents: edits.reduce((code, [from, to]) => code.replace(from, () => to), text), loader: 'js'};
		});
	},
};

/** @type {import('esbuild').BuildOptions} */
export const bundleOptions = {
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
	plugins: [meowLazyPackageReading],
};

/**
 * The sandbox's host and worker, each one file in place of tsc's (dist/sandbox/host.js and
 * worker.js): every host start loads them, and each module of theirs was one more resolve, read
 * and compile, under the permission model's checks, on the way to Python being ready. Only Node's
 * built-ins stay imports (Pyodide is imported by URL at run time).
 * @type {import('esbuild').BuildOptions}
 */
export const sandboxBundleOptions = {
	entryPoints: {'sandbox/host': 'source/sandbox/host.ts', 'sandbox/worker': 'source/sandbox/worker.ts'},
	tsconfig: 'tsconfig.build.json',
	outdir: 'dist',
	allowOverwrite: true,
	bundle: true,
	format: 'esm',
	platform: 'node',
	target: 'node20',
	legalComments: 'none',
	logLevel: 'warning',
};
