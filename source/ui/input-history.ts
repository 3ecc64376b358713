// Input history across restarts: one JSON string per line in the state directory, beside the
// trajectories. Secrets are never written: an input that looks like it holds a key, a token or a
// password is kept for this session only. Large inputs (big pastes) are not kept either.
import {appendFile, chmod, readFile, writeFile} from 'node:fs/promises';
import {dirname} from 'node:path';
import * as z from 'zod';
import {makeDirectory} from '../protocol/make-dir.js';
import {jsonText} from '../text/json-text.js';
import {looksSecret as redactable} from '../protocol/redact.js';
import {HISTORY_LIMIT} from './state/line-input.js';

/** Inputs longer than this are not written. */
export const HISTORY_ENTRY_MAX_CHARS = 4000;

// Key and token shapes of common providers, private keys, credentials in URLs, and "key = value"
// assignments of secret-sounding names (sources: each provider's documented key prefix).
const SECRET_PATTERNS: readonly RegExp[] = [
	/\bsk-(?:ant-|proj-|or-)?[A-Za-z0-9_-]{16,}/, // OpenAI, Anthropic, OpenRouter
	/\bAKIA[0-9A-Z]{16}\b/, // AWS access key id
	/\bgh[pousr]_[A-Za-z0-9]{20,}/, // GitHub tokens
	/\bgithub_pat_[A-Za-z0-9_]{20,}/,
	/\bxox[abpors]-[A-Za-z0-9-]{10,}/, // Slack
	/\bAIza[0-9A-Za-z_-]{30,}/, // Google API keys
	/\bhf_[A-Za-z0-9]{20,}/, // Hugging Face
	/\bgsk_[A-Za-z0-9]{20,}/, // Groq
	/\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, // JWT
	/-----BEGIN [A-Z ]*PRIVATE KEY-----/,
	/\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, // user:password@host
	/(?:api[_-]?key|apikey|secret|token|password|passwd|authorization)\s*[:=]\s*\S{6,}/i,
	/\bBearer\s+[A-Za-z0-9._~+/-]{16,}/,
];

/** True when the text looks like it holds a secret (it is then never written to disk): the shapes
 * above, or anything the one redaction step would remove (a URL's userinfo or `?key=` parameter,
 * `/backend openai http://host/v1?key=...`). */
export function looksSecret(text: string): boolean {
	return SECRET_PATTERNS.some((pattern) => pattern.test(text)) || redactable(text);
}

/** Whether an input may be written to the history file. */
export const keepable = (text: string) => text.trim() !== '' && text.length <= HISTORY_ENTRY_MAX_CHARS && !looksSecret(text);

const entry = z.string();

/** The last HISTORY_LIMIT inputs in the file (a missing or damaged file is an empty history). */
export async function loadHistory(file: string): Promise<string[]> {
	let text: string;
	try {
		text = await readFile(file, 'utf8');
	} catch {
		return [];
	}
	const out: string[] = [];
	for (const line of text.split('\n')) {
		if (!line.trim()) continue;
		try {
			const parsed = entry.safeParse(JSON.parse(line));
			if (parsed.success && keepable(parsed.data)) out.push(parsed.data);
		} catch {
			// A damaged line is skipped.
		}
	}
	return out.slice(-HISTORY_LIMIT);
}

/** Appends one input (unless it is not keepable); the file is private to the user. Rewrites the
 * file to its last HISTORY_LIMIT entries when it has grown to twice that. */
export async function appendHistory(file: string, text: string): Promise<boolean> {
	if (!keepable(text)) return false;
	makeDirectory(dirname(file), 0o700);
	// jsonText: a pasted input is kept whole (escape bytes too), and `cat` of the file stays safe.
	await appendFile(file, `${jsonText(text)}\n`, {mode: 0o600});
	await chmod(file, 0o600).catch(() => undefined);
	const raw = await readFile(file, 'utf8').catch(() => '');
	if (raw.split('\n').length > HISTORY_LIMIT * 2) {
		const kept = await loadHistory(file);
		await writeFile(file, kept.map((item) => `${jsonText(item)}\n`).join(''), {mode: 0o600});
	}
	return true;
}
