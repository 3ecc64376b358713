// Secrets out of text that leaves for Python, events, logs or a screen: credentials in URLs
// (userinfo, key/token-style query parameters), auth headers a server echoed back, and key shapes
// of common providers (sources: each provider's documented key prefix). A leaf: imports no one.

/** What a secret is replaced with. */
export const REDACTED = '[redacted]';

/** Key and token shapes of common providers, private keys, JWTs. */
const KEY_SHAPES: readonly RegExp[] = [
	/\bsk-(?:ant-|proj-|or-|svcacct-)?[A-Za-z0-9_-]{16,}/g, // OpenAI, Anthropic, OpenRouter
	/\bAKIA[0-9A-Z]{16}\b/g, // AWS access key id
	/\bgh[pousr]_[A-Za-z0-9]{20,}/g, // GitHub tokens
	/\bgithub_pat_[A-Za-z0-9_]{20,}/g,
	/\bxox[abpors]-[A-Za-z0-9-]{10,}/g, // Slack
	/\bAIza[0-9A-Za-z_-]{30,}/g, // Google API keys
	/\bhf_[A-Za-z0-9]{20,}/g, // Hugging Face
	/\bgsk_[A-Za-z0-9]{20,}/g, // Groq
	/\bxai-[A-Za-z0-9]{20,}/g, // xAI
	/\bpplx-[A-Za-z0-9]{20,}/g, // Perplexity
	/\bnvapi-[A-Za-z0-9_-]{20,}/g, // NVIDIA
	/\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g, // JWT
	/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
];

/** userinfo in any URL: `scheme://user:pass@host` or `scheme://token@host`. */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;

/** Words in a parameter or header name that mark its value as a secret. */
const SECRET_WORDS = new Set(['key', 'apikey', 'token', 'secret', 'password', 'passwd', 'pwd', 'auth', 'authorization', 'credential', 'credentials', 'sig', 'signature', 'session', 'sessionid', 'cookie', 'jwt', 'bearer']);

/** The words of a name, lower case: `X-Api-Key`, `apiKey` and `api_key` are `api` and `key`. */
const nameWords = (name: string): string[] =>
	name
		.replace(/([a-z0-9])([A-Z])/g, '$1 $2')
		.toLowerCase()
		.split(/[^a-z0-9]+/)
		.filter(Boolean);

/** Whether a query parameter or header name says its value is a secret (`api_key`, `X-Api-Key`,
 * `access_token`, `X-Amz-Signature`, `apiKey`; not `max_tokens` or `api-version`). */
export function isSecretName(name: string): boolean {
	const words = nameWords(name);
	return words.some((word) => SECRET_WORDS.has(word)) || SECRET_WORDS.has(words.join(''));
}

/** How a word of a header's name marks its value as a secret beyond isSecretName's whole words:
 * it begins with key, token, secret, auth, cookie, passw, credential or session (`Authentication`,
 * `Tokens`), or ends with token, secret, cookie or a kind of key (`X-Csrftoken`, `X-Apikey`). Not
 * any `key` inside a word: `X-Portkey-Provider` names a gateway, and its value is no secret. */
const SECRET_HEADER_WORD = /^(?:key|token|secret|auth|cookie|passw|credential|session)|(?:token|secret|cookie|apikey|accesskey|secretkey|privatekey)$/;

/** Whether a header's name says its value is a secret (Authorization, Proxy-Authorization,
 * x-api-key, api-key, Cookie, and names with a word as SECRET_HEADER_WORD says), in any case. */
export function isSecretHeaderName(name: string): boolean {
	return isSecretName(name) || nameWords(name).some((word) => SECRET_HEADER_WORD.test(word));
}

/** `name=value` inside a query string (after `?`, `&` or `;`). */
const QUERY_PARAM = /([?&;])([^=&#\s"'<>?;]+)=([^&#\s"'<>;]*)/g;

const HEADER_NAMES = '(?:proxy-)?authorization|x-api-key|api-key|x-goog-api-key|x-auth-token|set-cookie|cookie';

/** A header or JSON field that carries credentials, as servers echo them, with a quoted value:
 * `"x-api-key": "x"`, `'Authorization': 'Bearer x'`, `\\"authorization\\": \\"x\\"` (JSON inside a JSON string). */
const QUOTED_HEADER = new RegExp(`\\b(${HEADER_NAMES})(\\\\?["']?\\s*[:=]\\s*)(\\\\?["'])((?:(?!\\3)[^\\r\\n])+)`, 'gi');

/** The same unquoted, to the end of the line (or of a list item): `Authorization: Bearer x`. */
const BARE_HEADER = new RegExp(`\\b(${HEADER_NAMES})(\\s*[:=]\\s*)(?![\\\\"'\\s])([^\\r\\n,;}"']+)`, 'gi');

/** A bare `Bearer <token>` or `Basic <credentials>`. */
const AUTH_SCHEME = /\b(Bearer|Basic)\s+([A-Za-z0-9._~+/=-]{6,})/g;

/** Whether a word after Bearer/Basic is a credential rather than prose ("Basic authentication"):
 * it has a digit, an inner capital or a base64/token punctuation mark. */
const credentialLike = (word: string) => /[0-9=+/._~-]/.test(word) || /.[A-Z]/.test(word);

/** Known secrets shorter than this are not searched for as text (they would match ordinary words). */
const MIN_KNOWN_SECRET = 6;

/**
 * `text` with secrets replaced by `[redacted]`: every occurrence of a `known` secret (as written
 * and URL-encoded), credentials in URLs, echoed auth headers, bearer tokens and provider key shapes.
 * Idempotent; text without secrets comes back unchanged.
 */
export function redactSecrets(text: string, known: readonly string[] = []): string {
	let out = text;
	const literal = [...new Set(known.flatMap((secret) => (secret.length >= MIN_KNOWN_SECRET ? [secret, encodeURIComponent(secret)] : [])))];
	for (const secret of literal.sort((a, b) => b.length - a.length)) out = out.split(secret).join(REDACTED);
	out = redactCutSecrets(out, literal);
	out = out.replace(USERINFO, `$1${REDACTED}@`);
	out = out.replace(QUERY_PARAM, (whole, lead: string, name: string, value: string) =>
		value !== '' && value !== REDACTED && isSecretName(safeDecode(name)) ? `${lead}${name}=${REDACTED}` : whole,
	);
	out = out.replace(QUOTED_HEADER, (whole, name: string, separator: string, quote: string, value: string) =>
		value.trim() === '' || value === REDACTED ? whole : `${name}${separator}${quote}${REDACTED}`,
	);
	out = out.replace(BARE_HEADER, (whole, name: string, separator: string, value: string) =>
		value.trim() === REDACTED ? whole : `${name}${separator}${REDACTED}`,
	);
	out = out.replace(AUTH_SCHEME, (whole, scheme: string, word: string) => (credentialLike(word) ? `${scheme} ${REDACTED}` : whole));
	for (const shape of KEY_SHAPES) out = out.replace(shape, REDACTED);
	return out;
}

/** The fewest characters of a known secret that count as its start where a message was cut. */
const MIN_CUT_PREFIX = 3;

/** `text` without the start of a known secret that a cut message ends on (`Key = plainke…`, as a
 * server's message is cut to one short line before it is redacted). */
function redactCutSecrets(text: string, secrets: readonly string[]): string {
	if (secrets.length === 0 || !text.includes('…')) return text;
	return text.replace(/(\S+)…/g, (whole, before: string) => {
		for (const secret of secrets) {
			for (let length = Math.min(before.length, secret.length - 1); length >= MIN_CUT_PREFIX; length--) {
				if (before.endsWith(secret.slice(0, length))) return `${before.slice(0, before.length - length)}${REDACTED}…`;
			}
		}
		return whole;
	});
}

/** Whether `text` holds something redactSecrets would remove (without `known` secrets). */
export function looksSecret(text: string): boolean {
	return redactSecrets(text) !== text;
}

/** The secrets a URL itself carries: its userinfo and the values of key/token-style parameters
 * (so they are also caught where a server echoes them on their own). */
export function secretsOfURL(url: string): string[] {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return [];
	}
	const found = [parsed.username, parsed.password].map(safeDecode);
	for (const [name, value] of parsed.searchParams) if (isSecretName(name)) found.push(value);
	return found.filter((secret) => secret.length >= MIN_KNOWN_SECRET);
}

/** Secrets among request headers: the values of headers whose names say they carry one. */
export function secretsOfHeaders(headers: Record<string, string | null | undefined> | undefined): string[] {
	const found: string[] = [];
	for (const [name, value] of Object.entries(headers ?? {})) {
		if (!value || !isSecretHeaderName(name)) continue;
		found.push(value);
		// `Bearer abc` also as `abc`, which a server may echo alone.
		const token = /^\s*\S+\s+(\S+)\s*$/.exec(value)?.[1];
		if (token) found.push(token);
	}
	return found.filter((secret) => secret.length >= MIN_KNOWN_SECRET);
}

/** A header name (RFC 9110 token) at the start of a header as typed. */
const HEADER_NAME = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)/;

/**
 * A header as the user typed it (`--header 'Name: value'`), fit for an error message: the value
 * hidden when the name says it is a secret, and when the text is not `Name: value` at all (no
 * colon), everything after its first word hidden if that word is a secret's name or the rest
 * holds a credential-like word (`Authorization Bearer sk-1` → `Authorization [redacted]`); a lone
 * word is shown only when it is letters and dashes, as a name is. Everything else redactSecrets'.
 */
export function redactHeader(text: string): string {
	const name = HEADER_NAME.exec(text)?.[1];
	const rest = name === undefined ? text : text.slice(text.indexOf(name) + name.length);
	if (name !== undefined && /^\s*:/.test(rest)) {
		return isSecretHeaderName(name) ? `${name}: ${REDACTED}` : redactSecrets(text);
	}
	if (name === undefined) return REDACTED;
	if (rest.trim() === '') return /^[A-Za-z_-]+$/.test(name) && !looksSecret(name) ? text.trim() : REDACTED;
	const credentialInRest = rest.split(/[\s:=,;]+/).some((word) => word.length >= MIN_KNOWN_SECRET && credentialLike(word));
	return isSecretHeaderName(name) || credentialInRest || looksSecret(text) ? `${looksSecret(name) ? REDACTED : name} ${REDACTED}` : text;
}

function safeDecode(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}
