// Sizes in bytes: the cap on what folders and globs may gather, its flag's values, and how a
// size is shown.
import {ContextLoadError} from './errors.js';
import {DEFAULT_MAX_CONTEXT_BYTES} from '../protocol/defaults.js';
import {parseQuantity} from '../protocol/numbers.js';
import {quoted} from '../protocol/quoted.js';
import {bytesText} from '../protocol/bounded-read.js';

const KiB = 1024;
export const MiB = 1024 * KiB;

/**
 * The default cap on the bytes that folders and globs gather (100 MiB): about 25M tokens, twice
 * the largest task of the RLM paper (BrowseComp-Plus over 1,000 documents, 6-11M tokens), and a
 * load of a second or two into the sandbox. A folder holds more than people think (build output,
 * data, vendored code not in .gitignore); past this the user says so with --max-context-bytes.
 * Files named one by one and stdin are not capped: the user chose them.
 */
export const defaultMaxContextBytes = DEFAULT_MAX_CONTEXT_BYTES;

/**
 * Reads a size such as `200M`, `1.5G`, `64KiB` or `1048576` (bytes; K, M, G are powers of 1024).
 * @throws ContextLoadError naming `flag` when the value is not a positive size.
 */
export function parseByteSize(value: string, flag = '--max-context-bytes'): number {
	const size = parseQuantity(value, 'bytes');
	const bytes = size === undefined ? Number.NaN : Math.floor(size);
	if (!Number.isFinite(bytes) || bytes <= 0) throw new ContextLoadError(`${flag} needs a size in bytes, e.g. 200M or 2G, not ${quoted(String(value))}`);
	return bytes;
}

/** 1536 -> "1.5 KiB", 104857600 -> "100 MiB" (the capped reader's own wording of sizes). */
export const formatBytes = bytesText;
