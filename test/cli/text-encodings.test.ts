// Text that is not plain UTF-8 is read as a user expects, through the built CLI, the fake server
// and the real sandbox: a UTF-8 byte order mark dropped, UTF-16 with one decoded, Latin-1 as
// Windows-1252 with a note naming the file; only real binary is refused.
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, scripted} from '../support/rlm-script.js';
import {runCli} from '../support/run-cli.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model']});
	server.setResponder(scripted({root: () => repl('import json\nllm_output(json.dumps(context, ensure_ascii=True))')}));
});
afterAll(async () => {
	await server?.close();
});

const model = () => ['-u', server.openaiBaseURL, '-m', 'root-model'];
const dir = mkdtempSync(join(tmpdir(), 'rlm-cli-encodings-'));
const file = (name: string, bytes: Buffer) => {
	writeFileSync(join(dir, name), bytes);
	return join(dir, name);
};
const french = 'Çà et là, les élèves répètent « déjà vu » à l’école; où est la fenêtre? Noël, maïs, Ærø.\n'.repeat(20);
const utf16 = (text: string, order: 'le' | 'be') => {
	const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
	return order === 'le' ? le : Buffer.from(le).swap16();
};

describe('text encodings', () => {
	it('Latin-1 bytes are read as Windows-1252, with one note naming the file and the encoding', async () => {
		for (const [name, text] of [['lat.txt', 'café latin1 text here'], ['french.txt', french]] as const) {
			const path = file(name, Buffer.from(text.replaceAll('’', '\u0092'), 'latin1'));
			const result = await runCli([...model(), '-c', path, '-p', 'q']);
			expect(result.stderr, name).not.toMatch(/binary/);
			expect(result.code, name).toBe(0);
			expect(JSON.parse(result.stdout), name).toBe(text);
			expect(result.stderr.trim()).toBe(`rlm-tui: note: ${path}: not UTF-8, read as Windows-1252 (Latin-1)`);
		}
	});

	it('a UTF-8 byte order mark is dropped; UTF-16 LE and BE with one are decoded, from a file and from stdin', async () => {
		const bom = await runCli([...model(), '-c', file('bom.txt', Buffer.from('\uFEFFhello bom', 'utf8')), '-p', 'q']);
		expect(JSON.parse(bom.stdout)).toBe('hello bom');
		expect(bom.stderr).toBe('');
		for (const order of ['le', 'be'] as const) {
			const fromFile = await runCli([...model(), '-c', file(`u16${order}.txt`, utf16('héllo 𝄞 utf16', order)), '-p', 'q']);
			expect(JSON.parse(fromFile.stdout), order).toBe('héllo 𝄞 utf16');
			expect(fromFile.stderr).toBe('');
			const fromStdin = await runCli([...model(), '-c', '-', '-p', 'q'], {input: utf16('piped ü', order)});
			expect(JSON.parse(fromStdin.stdout), order).toBe('piped ü');
		}
	});

	it('Latin-1 on stdin and in a folder is read too, with the note; real binary is still refused', async () => {
		const piped = await runCli([...model(), '-c', '-', '-p', 'q'], {input: Buffer.from('naïve café', 'latin1')});
		expect(JSON.parse(piped.stdout)).toBe('naïve café');
		expect(piped.stderr.trim()).toBe('rlm-tui: note: stdin: not UTF-8, read as Windows-1252 (Latin-1)');
		server.requests.length = 0;
		const asked = await runCli([...model()], {input: Buffer.from('où est le café?', 'latin1')});
		expect(asked.stderr.trim()).toBe('rlm-tui: note: stdin: not UTF-8, read as Windows-1252 (Latin-1)');
		expect(JSON.stringify(server.requests)).toContain('où est le café?');
		const folder = mkdtempSync(join(tmpdir(), 'rlm-cli-encodings-folder-'));
		writeFileSync(join(folder, 'a.txt'), Buffer.from('déjà', 'latin1'));
		writeFileSync(join(folder, 'b.txt'), 'plain');
		writeFileSync(join(folder, 'c.bin'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2]));
		const walked = await runCli([...model(), '-c', folder, '-p', 'q']);
		expect(JSON.parse(walked.stdout)).toEqual({'a.txt': 'déjà', 'b.txt': 'plain'});
		expect(walked.stderr.trim().split('\n')).toEqual(['rlm-tui: note: a.txt: not UTF-8, read as Windows-1252 (Latin-1)', 'rlm-tui: context: skipped 1 file: 1 binary (c.bin)']);
		const binary = await runCli([...model(), '-c', file('x.dat', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3])), '-p', 'q']);
		expect(binary.code).toBe(2);
		expect(binary.stderr).toMatch(/looks binary, not text/);
	});

	it('UTF-8 with a stray bad byte stays UTF-8, the bad byte replaced and said', async () => {
		const bytes = Buffer.concat([Buffer.from('déjà vu, naïve, cœur ', 'utf8'), Buffer.from([0xff]), Buffer.from(' fin', 'utf8')]);
		const result = await runCli([...model(), '-c', file('mixed.txt', bytes), '-p', 'q']);
		expect(JSON.parse(result.stdout)).toBe('déjà vu, naïve, cœur \uFFFD fin');
		expect(result.stderr).toMatch(/mixed\.txt: not valid UTF-8 in places: 1 character replaced with U\+FFFD/);
	});
});
