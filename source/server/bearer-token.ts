// The bearer-token check of serve and mcp --http (RFC 6750 over RFC 9110's Authorization header):
// the scheme is case-insensitive ("bearer", "BEARER"), the token is compared exactly and in
// constant time.
import {timingSafeEqual} from 'node:crypto';

/** A check of an Authorization header against `token`; with no token, every request passes. */
export function bearerTokenCheck(token: string | undefined): (authorization: string | undefined) => boolean {
	if (!token) return () => true;
	const expected = Buffer.from(token);
	return (authorization) => {
		const match = /^bearer +(\S+) *$/i.exec(authorization ?? '');
		const given = Buffer.from(match?.[1] ?? '');
		return given.length === expected.length && timingSafeEqual(given, expected);
	};
}
