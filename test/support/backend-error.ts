// The BackendError a backend call rejects with, for tests that check what it says.
import {expect} from 'vitest';
import {BackendError} from '../../source/backends/types.js';

/** The BackendError `promise` rejects with; fails the test when it resolves or rejects with anything else. */
export async function caughtBackendError(promise: Promise<unknown>): Promise<BackendError> {
	try {
		await promise;
	} catch (error) {
		expect(error).toBeInstanceOf(BackendError);
		return error as BackendError;
	}
	throw new Error('expected a BackendError, got success');
}
