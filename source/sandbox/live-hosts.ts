// Host processes alive in this process: all killed when it exits, so none outlives the app.
import type {ChildProcess} from 'node:child_process';

const liveHosts = new Set<ChildProcess>();
let exitHookInstalled = false;

export function trackHost(child: ChildProcess): void {
	liveHosts.add(child);
	child.once('exit', () => liveHosts.delete(child));
	if (!exitHookInstalled) {
		exitHookInstalled = true;
		process.once('exit', () => {
			for (const host of liveHosts) host.kill('SIGKILL');
		});
	}
}

/** Host processes alive now (for tests and diagnostics). */
export function liveHostCount(): number {
	return liveHosts.size;
}
