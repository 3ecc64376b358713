// What a host sends about its own start (the snapshot, the code cache) is taken only before it is
// ready: after that, model code may have run in it, and what it sends is no longer made by a host
// that ran none.
import {describe, expect, it} from 'vitest';
import type {HostLink} from '../../source/sandbox/host-link.js';
import {HostProcess} from '../../source/sandbox/host-process.js';
import {waitFor} from './helpers.js';

/** A host link that delivers what the test hands it. */
class ScriptedLink implements HostLink {
	readonly pid = 4242;
	readonly connected = true;
	readonly contextStream = null;
	#listeners: Array<(raw: unknown) => void> = [];
	deliver(raw: unknown): void {
		for (const listener of this.#listeners) listener(raw);
	}
	send(): void {}
	onMessage(listener: (raw: unknown) => void): void {
		this.#listeners.push(listener);
	}
	onGone(): void {}
	kill(): void {}
	exitDetail() {
		return {detail: 'lost', stderr: ''};
	}
}

describe('a host process', () => {
	it('hands on a snapshot and a code cache sent before ready, and drops those sent after', async () => {
		const link = new ScriptedLink();
		const host = new HostProcess(null, 1_000, link);
		const snapshots: number[] = [];
		const caches: string[] = [];
		let ready = false;
		host.onSnapshot((bytes) => snapshots.push(bytes.byteLength));
		host.onCodeCache((sourceHash) => caches.push(sourceHash));
		host.onReady(() => (ready = true));
		link.deliver({t: 'snapshot', bytes: new Uint8Array(8)});
		link.deliver({t: 'code-cache', sourceHash: 'a'.repeat(64), bytes: new Uint8Array(8)});
		link.deliver({t: 'ready', fromSnapshot: false, codeCache: false, loadMs: 1, heapBytes: 1});
		link.deliver({t: 'snapshot', bytes: new Uint8Array(16)});
		link.deliver({t: 'code-cache', sourceHash: 'b'.repeat(64), bytes: new Uint8Array(16)});
		await waitFor(() => ready);
		// Messages are handled in order: anything after ready has been seen once the next request is answered.
		const answered = host.request({t: 'turn', id: 1, history: []});
		link.deliver({t: 'ok', id: 1, heapBytes: 1});
		await answered;
		expect(snapshots).toEqual([8]);
		expect(caches).toEqual(['a'.repeat(64)]);
	});
});
