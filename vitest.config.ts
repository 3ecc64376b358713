import {defineConfig} from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.{ts,tsx}'],
		// Bounds for a hang, not timings: a test of several CLI runs or sandbox starts took over 60 s
		// on a shared 2-core machine at load 16.
		testTimeout: 120_000,
		hookTimeout: 120_000,
		pool: 'forks',
		maxWorkers: 2,
		// Polls wait for something to happen, not for a time: on a loaded shared machine 1 s is too short.
		expect: {poll: {timeout: 30_000}},
	},
});
