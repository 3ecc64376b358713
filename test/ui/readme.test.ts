// The README's tables of keys and slash commands are the ones the app's code holds (the key tables
// in source/ui/state/keys.ts, the commands in source/ui/commands/): a key or command changed in one
// place and not the other fails here. `npm run readme:tables` rewrites the README's from the code.
import {readFileSync} from 'node:fs';
import {resolve} from 'node:path';
import {describe, expect, it} from 'vitest';
import {commandsTableMarkdown, keysTableMarkdown} from '../../source/ui/help-lines.js';

const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');

function section(name: string): string {
	const match = new RegExp(`<!-- ${name}-table:start[^>]*-->\\n([\\s\\S]*?)\\n<!-- ${name}-table:end -->`).exec(readme);
	if (!match) throw new Error(`README.md lacks the ${name}-table markers`);
	return match[1]!;
}

describe('README', () => {
	it('lists the keys the key tables bind, where and what they do (npm run readme:tables)', () => {
		expect(section('keys')).toBe(keysTableMarkdown());
	});

	it('lists the slash commands the app has (npm run readme:tables)', () => {
		expect(section('commands')).toBe(commandsTableMarkdown());
	});
});
