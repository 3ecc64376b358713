// The secrets this process was given: a -k key or --token on its command line, a key-like
// environment variable, the credentials in a -u / --sub-url URL or a secret --header. Every
// error the command line prints passes redactSecrets with them, so none is echoed whatever
// message quotes it (a server's, a library's, or our own).
import {isBackendName} from '../protocol/backends.js';
import {redactSecrets, secretsOfHeaders, secretsOfURL} from '../protocol/redact.js';

/** Environment variables that hold a key by their name: OPENAI_API_KEY, RLM_SUB_API_KEY, ANTHROPIC_AUTH_TOKEN, PGPASSWORD. */
const SECRET_VARIABLE = /(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD)$/i;
/** Environment variables that hold a URL: OPENAI_BASE_URL, ANTHROPIC_BASE_URL. */
const URL_VARIABLE = /_URL$/i;

/** A flag's name without dashes or case: `--backend-key`, `--backendKey` and `-k`'s long form are alike. */
const flagName = (word: string) => word.replace(/^-+/, '').replace(/-/g, '').toLowerCase();

const KEY_FLAGS = new Set(['k', 'backendkey', 'token']);
const URL_FLAGS = new Set(['u', 'backendurl', 'suburl']);

/** Each flag on the command line with the value after it (`--flag value`, `--flag=value`, `-kVALUE`). */
function flagValues(argv: readonly string[]): Array<[string, string]> {
	const found: Array<[string, string]> = [];
	argv.forEach((word, index) => {
		if (!word.startsWith('-') || word === '-' || word === '--') return;
		const equals = word.indexOf('=');
		if (word.startsWith('--') && equals > 0) found.push([flagName(word.slice(0, equals)), word.slice(equals + 1)]);
		else if (!word.startsWith('--') && word.length > 2) found.push([word[1]!, word.slice(2).replace(/^=/, '')]);
		else if (argv[index + 1] !== undefined) found.push([flagName(word), argv[index + 1]!]);
	});
	return found;
}

/** The secrets `argv` (without node and the script) and `env` hold. */
export function knownSecrets(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
	const found: string[] = [];
	for (const [name, value] of Object.entries(env)) {
		if (!value) continue;
		if (SECRET_VARIABLE.test(name)) found.push(value.trim());
		else if (URL_VARIABLE.test(name)) found.push(...secretsOfURL(value.trim()));
	}
	for (const [flag, value] of flagValues(argv)) {
		// `-k @FILE` names a file, which errors name too; the key in it is not on the command line.
		if (KEY_FLAGS.has(flag)) {
			// `-k openai` (meant as -b) holds no key: hidden, the word would go from every message
			// that names the backends, the one that explains the mistake among them.
			if (!value.startsWith('@') && !isBackendName(value.trim().toLowerCase())) found.push(value.trim());
		}
		else if (URL_FLAGS.has(flag)) found.push(...secretsOfURL(value.trim()));
		else if (flag === 'header') {
			const colon = value.indexOf(':');
			if (colon > 0) found.push(...secretsOfHeaders({[value.slice(0, colon).trim()]: value.slice(colon + 1).trim()}));
		}
	}
	return found;
}

/** `message` with every secret this process was given, and any redactSecrets finds, as [redacted]. */
export function withoutSecrets(message: string, argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): string {
	return redactSecrets(message, knownSecrets(argv, env));
}
