// The engine reaches Python only through the Repl port: no engine file imports the sandbox but the
// one that wires the default, and protocol/ (the shared vocabulary) imports no one.
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';

const sourceDir = path.resolve(import.meta.dirname, '..', '..', 'source');

function importsOf(file: string): string[] {
	const text = fs.readFileSync(file, 'utf8');
	return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)].map(
		(m) => (m[1] ?? m[2] ?? m[3])!,
	);
}

function filesIn(dir: string): string[] {
	return fs.readdirSync(path.join(sourceDir, dir)).filter((name) => /\.tsx?$/.test(name)).map((name) => path.join(sourceDir, dir, name));
}

describe('the Repl port', () => {
	it('finds the imports it checks', () => {
		expect(importsOf(path.join(sourceDir, 'engine', 'sandbox-repls.ts'))).toContain('../sandbox/spare.js');
	});

	it('is the only way the engine reaches the sandbox', () => {
		const crossings = filesIn('engine').flatMap((file) =>
			importsOf(file)
				.filter((target) => target.startsWith('../sandbox/'))
				.map((target) => `${path.basename(file)} -> ${target}`),
		);
		expect(crossings.filter((crossing) => !crossing.startsWith('sandbox-repls.ts ->'))).toEqual([]);
		expect(crossings.length).toBeGreaterThan(0);
	});

	it('protocol/ imports nothing of the project', () => {
		const imports = filesIn('protocol').flatMap((file) => importsOf(file).map((target) => `${path.basename(file)} -> ${target}`));
		expect(imports.filter((line) => line.includes('-> .'))).toEqual([]);
	});
});
