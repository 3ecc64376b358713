import {defineConfig} from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.{ts,tsx}'],
		testTimeout: 60_000,
		hookTimeout: 60_000,
		pool: 'forks',
		maxWorkers: 2,
		// Polls wait for something to happen, not for a time: on a loaded shared machine 1 s is too short.
		expect: {poll: {timeout: 30_000}},
	},
});
