// Escape attempts from Python. Each must fail inside Python or kill only the host (which is then
// restarted); no key, host file or network connection may be reached.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {MessageChannel, Worker} from 'node:worker_threads';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Sandbox} from '../../source/sandbox/index.js';
import type {BridgeRequest, ExecResult} from '../../source/sandbox/index.js';
import {sandboxDir} from '../../source/sandbox/paths.js';
import {CTL, type HostMessage} from '../../source/sandbox/protocol.js';
import {workerInit} from '../../source/sandbox/snapshot.js';
import {findPyodide, testCacheDir} from './helpers.js';

const FAKE_KEY = 'sk-rlm-sandbox-test-DO-NOT-LEAK-7f3a9c';
const projectDir = path.resolve(import.meta.dirname, '..', '..');
const packageJson = path.join(projectDir, 'package.json');
const marker = path.join(os.tmpdir(), `rlm-sandbox-escape-${process.pid}`);

let sandbox: Sandbox;
let server: net.Server;
let port = 0;
let connections = 0;
const transcript: string[] = [];
const requests: BridgeRequest[] = [];
let savedKey: string | undefined;

/** Runs a block, recording everything that came back and every bridge request. */
async function attempt(code: string): Promise<ExecResult> {
	const result = await sandbox.run(code, {
		onCall: async (request) => {
			requests.push(request);
			return request.prompts.map(() => 'ok');
		},
	});
	transcript.push(result.stdout, result.stderr, result.error ?? '', JSON.stringify(result.variables));
	return result;
}

beforeAll(async () => {
	savedKey = process.env.OPENAI_API_KEY;
	process.env.OPENAI_API_KEY = FAKE_KEY;
	server = net.createServer((socket) => {
		connections++;
		socket.destroy();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	port = (server.address() as net.AddressInfo).port;
	fs.rmSync(marker, {force: true});
	sandbox = await Sandbox.start({cacheDir: testCacheDir, timeoutMs: 15_000});
	await sandbox.setContext('secret-free context');
});

afterAll(async () => {
	await sandbox?.dispose();
	server?.close();
	fs.rmSync(marker, {force: true});
	if (savedKey === undefined) delete process.env.OPENAI_API_KEY;
	else process.env.OPENAI_API_KEY = savedKey;
});

describe('the host process', () => {
	it('runs with an empty environment and the permission model', () => {
		const pid = sandbox.pid!;
		if (!fs.existsSync(`/proc/${pid}`)) return;
		// Only the IPC channel's own variables, which Node adds itself.
		const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
		expect(environ.filter((entry) => !entry.startsWith('NODE_CHANNEL_'))).toEqual([]);
		const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
		expect(args.some((a) => a === '--experimental-permission' || a === '--permission')).toBe(true);
		expect(args.some((a) => a.startsWith('--allow-fs-write') || a.startsWith('--allow-child-process'))).toBe(false);
	});
});

describe('code from strings', () => {
	// The host forbids it in its worker's context (sandbox/worker-flags.ts), and a worker that finds it
	// allowed starts no Python: the sandbox above starting at all shows the ban in force; here a
	// worker started without it (this test's own thread allows eval) refuses.
	it('a worker whose context allows eval does not start Python', async () => {
		const {port2} = new MessageChannel();
		const worker = new Worker(path.join(sandboxDir(), 'worker.js'), {
			workerData: {init: workerInit(null), ctl: new SharedArrayBuffer(CTL.size * 4), replyPort: port2},
			transferList: [port2],
			stdout: true,
			stderr: true,
		});
		try {
			const first = await new Promise<HostMessage>((resolve, reject) => {
				worker.once('message', resolve);
				worker.once('error', reject);
			});
			expect(first).toMatchObject({t: 'fatal'});
			expect((first as {message: string}).message).toMatch(/allows code from strings/);
		} finally {
			await worker.terminate();
		}
	});
});

describe('reaching JavaScript', () => {
	it('import js, pyodide_js, pyodide.code.run_js and ctypes fail inside Python', async () => {
		for (const code of [
			'import js',
			'import pyodide_js',
			'from pyodide.code import run_js\nrun_js("process.pid")',
			'import ctypes\nctypes.CDLL(None).emscripten_run_script_int(b"process.pid")',
		]) {
			const result = await attempt(code);
			expect(result.ok, code).toBe(false);
			expect(result.error, code).toMatch(/ModuleNotFoundError|ImportError/);
			expect(result.restarted).toBe(false);
		}
	});

	it('the Function constructor is refused through any JS proxy, bridge functions included', async () => {
		const result = await attempt(`${findPyodide}
from pyodide.ffi import to_js
host = llm_query.__globals__["_st"].host
tryit("bridge call", lambda: host.call.constructor("return process.pid")())
tryit("bridge sleep", lambda: host.sleep.constructor.constructor("return process.pid")())
tryit("to_js object", lambda: to_js({"a": 1}).constructor.constructor("return process.pid")())
tryit("pyodide api", lambda: pj.runPython.constructor("return process.pid")())
tryit("module", lambda: M.FS.mount.constructor("return globalThis.process.pid")())
tryit("run_script", lambda: M._emscripten_run_script_int(M.stringToNewUTF8("process.pid")))
`);
		const lines = result.stdout.trim().split('\n');
		expect(lines).toHaveLength(6);
		for (const line of lines) expect(line).toMatch(/ blocked /);
		expect(result.stdout).not.toContain('ESCAPED');
		expect(result.stdout).not.toContain(String(sandbox.pid));
	});
});

describe('the memory ceiling', () => {
	it('cannot be lifted from Python through the Pyodide objects it finds', async () => {
		// The sandbox here has the default ceiling, 1024 MB; every attempt must leave it in place.
		const result = await attempt(`${findPyodide}
from pyodide.ffi import to_js
def tried(label, fn):
    try:
        print(label, "ESCAPED", str(fn())[:200])
    except BaseException as e:
        print(label, "blocked", type(e).__name__, str(e).replace("\\n", " ")[:200])
tried("grow", lambda: M.memory.grow(30000))
tried("prototype", lambda: setattr(M.memory.constructor.prototype, "grow", M.memory.constructor.prototype.toString))
tried("resize", lambda: M._emscripten_resize_heap(2**31) or (_ for _ in ()).throw(MemoryError("refused")))
tried("side module", lambda: M.loadWebAssemblyModule(to_js(b"\\0asm\\1\\0\\0\\0"), to_js({}), "x.so", to_js({}), 0))
tried("dynamic library", lambda: M.loadDynamicLibrary("x.so", to_js({})))
tried("allocation", lambda: len(bytearray(1100 * 10**6)))
`);
		const lines = result.stdout.trim().split('\n');
		expect(lines, result.error).toHaveLength(6);
		for (const line of lines) expect(line).toMatch(/ blocked /);
		expect(lines[0]).toContain("the REPL's memory limit refuses this growth");
		expect(lines.filter((line) => line.includes('is disabled in the sandbox'))).toHaveLength(2);
		expect(lines[5]).toContain('MemoryError');
		expect(sandbox.heapBytes).toBeLessThanOrEqual(1024 * 1024 * 1024);
		expect((await attempt('print(len(bytearray(10**6)))')).stdout).toBe('1000000\n');
	});
});

describe('secrets', () => {
	it('no API key is visible: not in os.environ, Pyodide config, /proc, or anything sent to a model', async () => {
		const result = await attempt(`${findPyodide}
import os
dump = [repr(dict(os.environ))]
for label, fn in [
    ("config.env", lambda: API.config.env.to_py()),
    ("ENV", lambda: M.ENV.to_py()),
    ("proc environ", lambda: open("/proc/self/environ").read()),
    ("process", lambda: M.process),
]:
    try:
        dump.append(label + ": " + repr(fn()))
    except BaseException as e:
        dump.append(label + ": " + type(e).__name__)
text = "\\n".join(dump)
llm_query(text)
print(text)
print("OPENAI_API_KEY" in os.environ)
`);
		expect(result.ok, result.error).toBe(true);
		expect(result.stdout.trim().endsWith('False')).toBe(true);
		expect(requests.length).toBeGreaterThan(0);
		const everything = transcript.join('\n') + JSON.stringify(requests);
		expect(everything).not.toContain(FAKE_KEY);
		expect(everything).not.toContain('OPENAI_API_KEY=');
	});
});

describe('host files', () => {
	it('/etc/passwd, the home dir and the project dir cannot be read, directly or by mounting', async () => {
		const result = await attempt(`${findPyodide}
import os
from pyodide.ffi import to_js
tryit("passwd", lambda: open("/etc/passwd").read())
tryit("home", lambda: os.listdir(${JSON.stringify(os.homedir())}))
tryit("project", lambda: open(${JSON.stringify(packageJson)}).read())
tryit("mountNodeFS", lambda: (pj.mountNodeFS("/mnt/p", ${JSON.stringify(projectDir)}), os.listdir("/mnt/p")))
tryit("FS.mount", lambda: (os.makedirs("/mnt/q", exist_ok=True), M.FS.mount(M.FS.filesystems.NODEFS, to_js({"root": ${JSON.stringify(projectDir)}}), "/mnt/q"), os.listdir("/mnt/q")))
tryit("loadBinaryFile", lambda: API.loadBinaryFile(${JSON.stringify(packageJson)}))
tryit("etc via mount", lambda: (pj.mountNodeFS("/mnt/e", "/etc"), open("/mnt/e/passwd").read()))
for _fs in ["PROXYFS", "WORKERFS", "NODERAWFS", "IDBFS"]:
    if getattr(M.FS.filesystems, _fs, None) is not None:
        tryit("mount " + _fs, lambda: M.FS.mount(getattr(M.FS.filesystems, _fs), to_js({"root": "/", "fs": M.FS}), "/mnt/" + _fs))
tryit("made-up type", lambda: M.FS.mount(to_js({"mount": lambda m: M.FS.filesystems.MEMFS.mount(m)}), to_js({}), "/mnt/x"))
`);
		const lines = result.stdout.trim().split('\n');
		expect(lines.length).toBeGreaterThanOrEqual(9);
		for (const line of lines) expect(line).toMatch(/ blocked /);
		const pkg = fs.readFileSync(packageJson, 'utf8');
		const everything = transcript.join('\n');
		expect(everything).not.toContain('"name": "rlm-tui"');
		expect(everything).not.toContain(pkg.slice(0, 40));
		expect(everything).not.toMatch(/root:.*:0:0:/);
	});
});

describe('file systems and scheduled callbacks', () => {
	it('FS.mount still takes MEMFS', async () => {
		const result = await attempt(`${findPyodide}
import os
os.makedirs("/mnt/mem", exist_ok=True)
M.FS.mount(M.FS.filesystems.MEMFS, {}, "/mnt/mem")
open("/mnt/mem/f", "w").write("in memory")
print(open("/mnt/mem/f").read())
`);
		expect(result.error).toBeUndefined();
		expect(result.stdout.trim()).toBe('in memory');
	});

	it('callbacks Python scheduled do not run after its block ended', async () => {
		// call_soon, a short call_later and a task all go through setImmediate: without the
		// cancellation they run as soon as the block returns, before the next block can start.
		const first = await attempt(`
import asyncio
fired = []
loop = asyncio.get_event_loop()
loop.call_soon(lambda: fired.append("call_soon"))
loop.call_later(0.001, lambda: fired.append("call_later"))
async def later():
    fired.append("task")
    print("LATE OUTPUT")
task = asyncio.ensure_future(later())
print("scheduled", len(fired))
`);
		expect(first.stdout.trim()).toBe('scheduled 0');
		const second = await attempt('print(fired)');
		expect(second.stdout.trim()).toBe('[]');
		expect(second.stdout).not.toContain('LATE OUTPUT');
	});
});

describe('the network', () => {
	it('sockets, urllib, http.client, fetch and Pyodide loaders reach nothing', async () => {
		const url = `http://127.0.0.1:${port}/x`;
		const result = await attempt(`${findPyodide}
import socket, urllib.request, http.client
def sock():
    s = socket.socket()
    s.settimeout(2)
    s.connect(("127.0.0.1", ${port}))
    return "connected"
tryit("socket", sock)
tryit("urllib", lambda: urllib.request.urlopen("${url}", timeout=2).read())
tryit("http.client", lambda: http.client.HTTPConnection("127.0.0.1", ${port}, timeout=2).request("GET", "/"))
tryit("pyfetch", lambda: __import__("pyodide.http").http.pyfetch("${url}"))
tryit("loadPackage", lambda: pj.loadPackage("${url}/p.whl"))
tryit("useNodeSockFS", lambda: pj.useNodeSockFS())
tryit("nodesock", lambda: API.initializeNodeSockFS())
tryit("sockfs", lambda: (M.SOCKFS.createSocket(2, 1, 0)))
tryit("createPeer", lambda: M.SOCKFS.websocket_sock_ops.createPeer(M.SOCKFS.createSocket, "127.0.0.1/x", ${port}))
tryit("listen", lambda: M.SOCKFS.websocket_sock_ops.listen(None, 0))
`);
		const lines = result.stdout.trim().split('\n');
		expect(lines).toHaveLength(10);
		for (const line of lines) expect(line).toMatch(/ blocked /);
		// Anything that had gone out would have reached the listener by now; give it a moment.
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(connections).toBe(0);
	});
});

describe('socket internals', () => {
	it("every websocket_sock_ops entry refuses before it can load a socket library", async () => {
		const result = await attempt(`${findPyodide}
ops = M.SOCKFS.websocket_sock_ops
for name in ["createPeer", "listen", "connect", "sendmsg"]:
    try:
        getattr(ops, name)(None, "127.0.0.1/x", ${port})
        print(name, "ESCAPED")
    except BaseException as e:
        print(name, "refused", str(e).replace("\\n", " ")[:200])
`);
		const lines = result.stdout.trim().split('\n');
		expect(lines).toHaveLength(4);
		for (const line of lines) {
			expect(line).toMatch(/ refused /);
			// Refused by the sandbox itself, not by a module loader that was reached and failed.
			expect(line).not.toMatch(/\bws\b|require|ACCESS_DENIED|Cannot find module/i);
		}
		expect(connections).toBe(0);
	});
});

describe('child processes', () => {
	it('os.system, subprocess, popen and posix (even reloaded) start nothing', async () => {
		const touch = `touch ${marker}`;
		for (const code of [
			`import os\nos.system(${JSON.stringify(touch)})`,
			`import subprocess\nsubprocess.run(["touch", ${JSON.stringify(marker)}])`,
			`import os\nos.popen(${JSON.stringify(touch)}).read()`,
			`import importlib, posix\nimportlib.reload(posix)\nposix.system(${JSON.stringify(touch)})`,
		]) {
			const result = await attempt(code);
			expect(result.ok, code).toBe(false);
		}
		expect(fs.existsSync(marker)).toBe(false);
	});

	it('the sandbox still works afterwards', async () => {
		const result = await attempt('print(context)');
		expect(result.ok).toBe(true);
		expect(result.stdout).toBe('secret-free context\n');
	});
});
