// ESLint (flat config): typescript-eslint with type information, plus React's rules of hooks.
// `npm run lint` runs it; `npm test` runs it before the tests, so CI fails on a finding.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// no-unnecessary-type-assertion, less its reports on `list[index]!`: this code base marks every
// read past an array's end as possibly missing (the `!` says the index was checked), which the rule
// calls unnecessary because noUncheckedIndexedAccess is off. Every other assertion is still checked.
const unnecessaryAssertion = tseslint.plugin.rules['no-unnecessary-type-assertion'];
const isIndexRead = (node) => node?.type === 'TSNonNullExpression' && node.expression.type === 'MemberExpression' && node.expression.computed;
const local = {
	rules: {
		'no-unnecessary-type-assertion': {
			...unnecessaryAssertion,
			create: (context) =>
				unnecessaryAssertion.create(
					Object.create(context, {report: {value: (descriptor) => (isIndexRead(descriptor.node) ? undefined : context.report(descriptor))}}),
				),
		},
	},
};

export default tseslint.config(
	{ignores: ['dist/', 'node_modules/', 'coverage/']},
	js.configs.recommended,
	...tseslint.configs.recommendedTypeChecked,
	{
		languageOptions: {
			parserOptions: {projectService: {allowDefaultProject: ['vitest.config.ts']}, tsconfigRootDir: import.meta.dirname},
		},
		plugins: {'react-hooks': reactHooks, local},
		rules: {
			'react-hooks/rules-of-hooks': 'error',
			'react-hooks/exhaustive-deps': 'error',
			'@typescript-eslint/no-unnecessary-type-assertion': 'off',
			'local/no-unnecessary-type-assertion': 'error',
			'@typescript-eslint/no-unused-vars': [
				'error',
				{argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true},
			],
			// Off: an async method that does not await still returns a promise and turns a throw into a
			// rejection, which is what the interfaces it implements (Backend, Repl, EnginePort) promise.
			'@typescript-eslint/require-await': 'off',
			// Off: the terminal code matches control characters (ESC, C0, C1) on purpose; that is its job.
			'no-control-regex': 'off',
			// Off: the sanitisers list combining and joining characters one by one in classes on purpose.
			'no-misleading-character-class': 'off',
		},
	},
	{
		// The TUI draws text through components/text.tsx, which makes every string printable: Ink's
		// own Text would let a model id's or file name's escape sequences reach the terminal.
		files: ['source/ui/**'],
		ignores: ['source/ui/components/text.tsx'],
		rules: {
			'no-restricted-imports': ['error', {paths: [{name: 'ink', importNames: ['Text', 'Transform'], message: "Draw text with source/ui/components/text.tsx's Text: it makes every string printable."}]}],
		},
	},
	{
		// Off here: the worker patches Node's globals and reaches into Pyodide's internals (_module,
		// _api, FS), which have no types; the file declares the few members it uses.
		files: ['source/sandbox/worker.ts'],
		rules: {
			'@typescript-eslint/no-explicit-any': 'off',
			'@typescript-eslint/no-unsafe-assignment': 'off',
			'@typescript-eslint/no-unsafe-member-access': 'off',
			'@typescript-eslint/no-unsafe-call': 'off',
			'@typescript-eslint/no-unsafe-argument': 'off',
		},
	},
	{
		// Off in tests: vitest's asymmetric matchers (expect.stringMatching...) are typed any, and tests
		// parse JSON output to assert on its fields; a field of the wrong shape fails the assertion.
		files: ['test/**'],
		rules: {
			'@typescript-eslint/no-unsafe-assignment': 'off',
			'@typescript-eslint/no-unsafe-member-access': 'off',
			'@typescript-eslint/no-unsafe-return': 'off',
		},
	},
	{
		// Plain JavaScript (scripts, benchmarks, configs) is in no tsconfig: linted without types.
		files: ['**/*.{js,mjs,cjs}'],
		extends: [tseslint.configs.disableTypeChecked],
		languageOptions: {globals: globals.node},
		rules: {'local/no-unnecessary-type-assertion': 'off'},
	},
	{
		files: ['**/*.cjs'],
		languageOptions: {sourceType: 'commonjs'},
		rules: {'@typescript-eslint/no-require-imports': 'off'},
	},
);
