// Writes the README's tables of keys and slash commands from the code (source/ui/state/keys.ts and
// source/ui/commands/, through source/ui/help-lines.ts, as built in dist/). test/ui/readme.test.ts
// fails when they differ; `npm run readme:tables` brings the README back in line.
import {readFileSync, writeFileSync} from 'node:fs';
import {commandsTableMarkdown, keysTableMarkdown} from '../dist/ui/help-lines.js';

const file = new URL('../README.md', import.meta.url);
let readme = readFileSync(file, 'utf8');
for (const [name, table] of [
	['keys', keysTableMarkdown()],
	['commands', commandsTableMarkdown()],
]) {
	const pattern = new RegExp(`(<!-- ${name}-table:start[^>]*-->\\n)[\\s\\S]*?(<!-- ${name}-table:end -->)`);
	if (!pattern.test(readme)) throw new Error(`README.md has no <!-- ${name}-table:start --> ... <!-- ${name}-table:end --> markers`);
	readme = readme.replace(pattern, (_all, start, end) => `${start}${table}\n${end}`);
}
writeFileSync(file, readme);
