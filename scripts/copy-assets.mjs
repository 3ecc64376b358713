// Copies non-TypeScript runtime files (the Python prelude) from source/ to dist/, keeping paths.
import {cpSync, readdirSync, statSync, chmodSync, existsSync} from 'node:fs';
import {join, relative} from 'node:path';

const from = 'source';
const to = 'dist';
const assetPattern = /\.(py|txt)$/;

function walk(dir) {
	for (const name of readdirSync(dir)) {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) walk(path);
		else if (assetPattern.test(name)) cpSync(path, join(to, relative(from, path)));
	}
}

walk(from);
if (existsSync(join(to, 'cli.js'))) chmodSync(join(to, 'cli.js'), 0o755);
