// The rooms' one-way rules (.dependency-cruiser.cjs, docs/ARCHITECTURE.md) hold: an import across a
// forbidden boundary fails this test. Violations that predate the rules are listed, one by one, in
// .dependency-cruiser-known-violations.json; the restructure empties that list.
import {spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {join, resolve} from 'node:path';
import {describe, expect, it} from 'vitest';

const root = resolve(import.meta.dirname, '..');
const cruiser = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const config = join(root, '.dependency-cruiser.cjs');

function cruise(cwd: string, ...extra: string[]) {
	const result = spawnSync(process.execPath, [cruiser, 'source', '--config', config, '--output-type', 'err', ...extra], {cwd, encoding: 'utf8'});
	return {code: result.status, output: `${result.stdout}${result.stderr}`};
}

describe('rooms', () => {
	it('no import crosses a forbidden boundary beyond the known, listed ones', () => {
		const known = join(root, '.dependency-cruiser-known-violations.json');
		const {code, output} = cruise(root, '--ignore-known', known);
		expect(output).not.toMatch(/error/);
		expect(code).toBe(0);
	});

	it('the rules catch a UI file importing a backend', () => {
		const {code, output} = cruise(join(root, 'test/fixtures/rooms'));
		expect(code).not.toBe(0);
		expect(output).toContain('ui-never-touches-a-backend-or-the-sandbox: source/ui/leak.ts → source/backends/secret.ts');
	});

	it('the list of known violations only shrinks: every entry is still a real violation', () => {
		const known = JSON.parse(readFileSync(join(root, '.dependency-cruiser-known-violations.json'), 'utf8')) as Array<{from: string; to: string; rule: {name: string}; cycle?: unknown[]}>;
		const {output} = cruise(root);
		for (const {rule, from, to, cycle} of known) {
			const line = cycle ? `${rule.name}: ${from} →` : `${rule.name}: ${from} → ${to}`;
			expect(output, 'a fixed violation is still listed: remove it from .dependency-cruiser-known-violations.json').toContain(line);
		}
	});
});
