import {describe, expect, it} from 'vitest';
import {permissionFlag} from '../../source/sandbox/host-permissions.js';

describe('permissionFlag', () => {
	it('names the flag this Node knows', () => {
		const flag = permissionFlag();
		expect(process.allowedNodeEnvironmentFlags.has(flag)).toBe(true);
		const other = flag === '--permission' ? '--experimental-permission' : '--permission';
		// On a Node that knows both, the stable name is the one to use.
		if (process.allowedNodeEnvironmentFlags.has(other)) expect(flag).toBe('--permission');
	});

	it('is --permission from Node 22.13 and 23.5 on, --experimental-permission before', () => {
		expect(['20.20.2', '22.12.0', '23.4.0'].map((version) => permissionFlag(version))).toEqual(Array(3).fill('--experimental-permission'));
		expect(['22.13.0', '23.5.0', '24.0.0', '25.1.3'].map((version) => permissionFlag(version))).toEqual(Array(4).fill('--permission'));
	});
});
