// Runs Python code in a bare Pyodide (no sandbox, no host process): the floor any Pyodide
// sandbox can reach. argv: the context file, the code file. Prints what the code prints.
import fs from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {loadPyodide} from 'pyodide';

const require = createRequire(import.meta.url);
const [contextFile, codeFile] = process.argv.slice(2);
const py = await loadPyodide({indexURL: `${path.dirname(require.resolve('pyodide/package.json'))}/`});
let out = '';
py.setStdout({batched: (text) => (out += `${text}\n`)});
py.globals.set('context', fs.readFileSync(contextFile, 'utf8'));
py.runPython(fs.readFileSync(codeFile, 'utf8'));
process.stdout.write(out);
