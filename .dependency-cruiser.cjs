// The rooms of source/ and the one direction between them (docs/ARCHITECTURE.md):
//   ui -> engine -> {sandbox, backends}; trajectory is pure and used by all;
//   context (loading files, folders, globs) is used by the front ends and imports only protocol;
//   text (safe terminal text, units) is shared by ui and cli and imports only protocol;
//   protocol is imported by everyone and imports no one.
// `npm run check:rooms` and test/architecture.test.ts run these rules; type-only imports count.
const room = (name) => `^source/${name}/`;
const rooms = (...names) => `^source/(${names.join('|')})/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
	forbidden: [
		{
			name: 'protocol-is-a-leaf',
			comment: 'The shared vocabulary imports no other room.',
			severity: 'error',
			from: {path: room('protocol')},
			to: {path: '^source/', pathNot: room('protocol')},
		},
		{
			name: 'engine-has-no-front-end',
			comment: 'The engine never imports a front end (ui, cli, server, mcp) or the settings store.',
			severity: 'error',
			from: {path: room('engine')},
			to: {path: rooms('ui', 'cli', 'server', 'mcp', 'settings')},
		},
		{
			name: 'engine-reaches-the-sandbox-through-its-port',
			comment: 'Only the default wiring names the sandbox; the loop depends on the Repl port.',
			severity: 'error',
			from: {path: room('engine'), pathNot: '^source/engine/sandbox-repls\\.ts$'},
			to: {path: room('sandbox')},
		},
		{
			name: 'ui-never-touches-a-backend-or-the-sandbox',
			comment: 'Not even for a type: shared types live in protocol.',
			severity: 'error',
			from: {path: room('ui')},
			to: {path: rooms('backends', 'sandbox')},
		},
		{
			name: 'ui-does-not-reach-into-the-cli',
			severity: 'error',
			from: {path: room('ui')},
			to: {path: room('cli')},
		},
		{
			name: 'cli-opens-the-ui-only-through-its-entry-points',
			severity: 'error',
			from: {path: room('cli')},
			to: {path: room('ui'), pathNot: '^source/ui/(run-tui|replay-tui)\\.tsx$'},
		},
		{
			name: 'trajectory-is-pure',
			comment: 'Events in, trees and logs out: it knows no engine, sandbox, backend or front end.',
			severity: 'error',
			from: {path: room('trajectory')},
			to: {path: rooms('engine', 'sandbox', 'backends', 'ui', 'cli', 'server', 'mcp', 'settings', 'context')},
		},
		{
			name: 'sandbox-is-isolated',
			comment: 'The host process may read only its own code: nothing but protocol.',
			severity: 'error',
			from: {path: room('sandbox')},
			to: {path: '^source/', pathNot: rooms('sandbox', 'protocol')},
		},
		{
			name: 'backends-stand-alone',
			severity: 'error',
			from: {path: room('backends')},
			to: {path: rooms('engine', 'sandbox', 'trajectory', 'ui', 'cli', 'server', 'mcp', 'settings', 'context')},
		},
		{
			name: 'settings-stand-alone',
			severity: 'error',
			from: {path: room('settings')},
			to: {path: rooms('engine', 'sandbox', 'trajectory', 'ui', 'cli', 'server', 'mcp', 'context')},
		},
		{
			name: 'text-is-a-leaf',
			comment: 'How text is made safe and numbers are written for a terminal: shared by the TUI and the command line; imports only protocol.',
			severity: 'error',
			from: {path: room('text')},
			to: {path: '^source/', pathNot: rooms('text', 'protocol')},
		},
		{
			name: 'context-stands-alone',
			comment: 'Loading a context (files, folders, globs, stdin, JSON) serves every front end: it imports only protocol.',
			severity: 'error',
			from: {path: room('context')},
			to: {path: '^source/', pathNot: rooms('context', 'protocol')},
		},
		{
			name: 'servers-use-the-engine',
			comment: 'serve and mcp are front ends: the engine, trajectory and protocol, never the UI, a backend or the sandbox.',
			severity: 'error',
			from: {path: rooms('server', 'mcp')},
			to: {path: rooms('ui', 'cli', 'sandbox', 'backends')},
		},
		{
			name: 'no-cycles',
			severity: 'error',
			from: {path: '^source/'},
			to: {circular: true},
		},
	],
	options: {
		doNotFollow: {path: 'node_modules'},
		exclude: {path: '\\.py$'},
		tsPreCompilationDeps: true,
		tsConfig: {fileName: require('node:path').join(__dirname, 'tsconfig.json')},
		enhancedResolveOptions: {extensions: ['.ts', '.tsx', '.js', '.mjs'], conditionNames: ['import', 'node', 'default']},
	},
};
