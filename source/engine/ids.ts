import {randomBytes} from 'node:crypto';

/** Short unique ids for runs and calls; the prefix says which. */
export function newId(prefix: 'run' | 'call'): string {
	return `${prefix}_${randomBytes(6).toString('hex')}`;
}
