// The status line at the sizes users run it: the key hints keep their room beside the usage and
// the run-wide limits, because a cap the user did not set (the engine's 500 sub-calls) is left out.
import {render} from 'ink-testing-library';
import {describe, expect, it} from 'vitest';
import {StatusLine, type StatusLineProps} from '../../source/ui/components/status-line.js';
import {themeFor} from '../../source/ui/theme.js';
import {stripAnsi} from './harness.js';

const HINTS = 'Enter send · Tab tree · /help';

function line(width: number, overrides: Partial<StatusLineProps> = {}): string {
	const props: StatusLineProps = {
		width,
		backend: 'openai',
		model: 'gpt-4.1-mini',
		iteration: 7,
		maxIterations: 30,
		cancelling: false,
		lastElapsed: 83_000,
		usage: {inputTokens: 48_200, outputTokens: 3_100},
		costUsd: 0.0213,
		limits: {caps: {maxSubCalls: 500}, use: {costUsd: 0.0213, unpricedModels: [], tokens: 51_300, subCalls: 212, errors: 0, elapsedMs: 83_000}, defaults: ['maxSubCalls']},
		hints: HINTS,
		theme: themeFor('dark'),
		now: 0,
		...overrides,
	};
	const instance = render(<StatusLine {...props} />);
	// ink-testing-library's terminal is 100 columns: make it as wide as the line under test.
	Object.defineProperty(instance.stdout, 'columns', {value: width, configurable: true});
	instance.rerender(<StatusLine {...props} />);
	const {lastFrame, unmount} = instance;
	const text = stripAnsi(lastFrame() ?? '');
	unmount();
	return text;
}

describe('the status line', () => {
	for (const width of [80, 100, 140]) {
		it(`keeps the key hints whole at ${width} columns when only the default sub-call cap applies`, () => {
			const text = line(width);
			expect(text).toContain(HINTS);
			expect(text).not.toContain('sub-calls');
			expect(text).toContain('iter 7/30');
		});
	}

	it('shows the caps the user set, and the default one once it is nearly reached', () => {
		const chosen = line(140, {limits: {caps: {maxSubCalls: 300, maxBudget: 0.5}, use: {costUsd: 0.0213, unpricedModels: [], tokens: 51_300, subCalls: 212, errors: 0, elapsedMs: 83_000}}});
		expect(chosen).toContain('212/300 sub-calls');
		expect(chosen).toContain('/$0.50');
		expect(chosen).toContain(HINTS);
		const near = line(140, {limits: {caps: {maxSubCalls: 500}, use: {costUsd: 0, unpricedModels: [], tokens: 0, subCalls: 450, errors: 0, elapsedMs: 0}, defaults: ['maxSubCalls']}});
		expect(near).toContain('450/500 sub-calls');
	});

	it("short of room, it keeps the cap nearest its end and the model (without the backend's name)", () => {
		const limits = {caps: {maxSubCalls: 300, maxBudget: 0.5, maxTokens: 200_000}, use: {costUsd: 0.0213, unpricedModels: [], tokens: 51_300, subCalls: 212, errors: 0, elapsedMs: 83_000}};
		const narrow = line(80, {limits});
		expect(narrow).toContain('212/300 sub-calls');
		expect(narrow).not.toContain('51k/200k tok');
		expect(narrow).not.toContain('openai ·');
		expect(narrow).toContain('gpt-4.1-mini');
		expect(narrow).toContain(HINTS);
		const wide = line(140, {limits});
		expect(wide).toContain(HINTS);
		expect(wide).toContain('$0.021/$0.50 · 51k/200k tok · 212/300 sub-calls');
	});

	it('at 100 columns a user-set token cap and budget still leave the hints whole', () => {
		const text = line(100, {limits: {caps: {maxTokens: 200_000, maxBudget: 1}, use: {costUsd: 0.0213, unpricedModels: [], tokens: 51_300, subCalls: 212, errors: 0, elapsedMs: 83_000}}});
		expect(text).toContain('51k/200k tok');
		expect(text).toContain(HINTS);
	});
});

describe('a figure a cap holds is shown once, with the cap beside it', () => {
	const use = {costUsd: 0.0213, unpricedModels: [], tokens: 51_300, subCalls: 212, errors: 0, elapsedMs: 83_000};
	const count = (text: string, figure: string) => text.split(figure).length - 1;
	// The run's figures as the line writes them without a cap: 48k in, 3.1k out (51k in all), ~$0.021, 1:23.
	const cases = [
		['maxTokens', {maxTokens: 200_000}, '51k/200k tok', ['↑48k', '51k tok']],
		['maxBudget', {maxBudget: 0.5}, '$0.021/$0.50', ['~$0.021']],
		['maxTimeout', {maxTimeout: 600}, '1:23/10:00', []],
	] as const;
	for (const width of [80, 140]) {
		for (const [name, caps, capped, gone] of cases) {
			it(`${name} at ${width} columns`, () => {
				const text = line(width, {limits: {caps, use}});
				expect(text).toContain(capped);
				for (const figure of gone) expect(text).not.toContain(figure);
				const figure = capped.split('/')[0]!;
				expect(count(text, figure)).toBe(1);
				expect(text).toContain(HINTS);
			});
		}
		it(`all three caps at ${width} columns: each figure once, whichever form the line takes`, () => {
			const text = line(width, {limits: {caps: {maxTokens: 200_000, maxBudget: 0.5, maxTimeout: 600}, use}});
			for (const figure of ['51k', '$0.021', '1:23']) expect(count(text, figure)).toBeLessThanOrEqual(1);
			expect(text).toContain(HINTS);
		});
	}

	it("beside a session's larger figures, the question's own are the ones the caps hold", () => {
		const text = line(140, {
			usage: {inputTokens: 148_200, outputTokens: 13_100},
			costUsd: 0.09,
			run: {usage: {inputTokens: 48_200, outputTokens: 3_100}, costUsd: 0.0213},
			limits: {caps: {maxTokens: 200_000}, use},
		});
		expect(text).toContain('51k/200k tok');
		expect(text).not.toContain('run ↑48k');
		// The question's cost (no cap on it) stays, and so does the session's whole figure.
		expect(text).toContain('run ~$0.021');
		expect(text).toContain('session ↑148k ↓13k tok ~$0.090');
	});

	it('without a cap the figures are as before', () => {
		const text = line(140, {limits: {caps: {}, use}});
		expect(text).toContain('↑48k ↓3.1k tok ~$0.021');
		expect(text).toContain('1:23');
	});
});
