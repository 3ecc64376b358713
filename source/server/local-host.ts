// Who may talk to serve and mcp --http without a token: programs on this machine. A web page is
// told apart by its Origin header; a DNS-rebinding page (its own name re-pointed at 127.0.0.1)
// by its Host header, which still carries the name the attacker controls. So only names that no
// one outside this machine can point anywhere are accepted.
import {isIP} from 'node:net';

/** A loopback interface: localhost, ::1, or an IPv4 address in 127.0.0.0/8 (never a host name). */
export function isLoopback(host: string): boolean {
	const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
	if (bare === 'localhost' || bare === '::1') return true;
	return isIP(bare) === 4 && bare.startsWith('127.');
}

/**
 * The names containers use for the host: Docker Desktop's `host.docker.internal` (Open WebUI in
 * Docker reaches the host's loopback that way) and Podman's `host.containers.internal`. They are in
 * `.internal`, a top-level domain ICANN reserved for private use (2024), which no one can register:
 * a rebinding attacker cannot own them.
 */
export const CONTAINER_HOST_NAMES: readonly string[] = ['host.docker.internal', 'host.containers.internal'];

/** The Host header's name part, without the port ('' when there is none). */
export function hostNameOf(header: string | undefined): string {
	if (!header) return '';
	if (header.startsWith('[')) return header.slice(0, header.indexOf(']') + 1);
	return header.replace(/:\d+$/, '');
}

/** A Host header that only a program on this machine (or in a container on it) sends. */
export function isLocalHostHeader(header: string | undefined): boolean {
	const name = hostNameOf(header).toLowerCase();
	return isLoopback(name) || CONTAINER_HOST_NAMES.includes(name);
}

/** The one-line refusal for any other Host header. */
export const HOST_REFUSAL = `Only loopback Host names (localhost, 127.0.0.1, [::1]) and ${CONTAINER_HOST_NAMES.join(', ')} are accepted without a bearer token.`;
