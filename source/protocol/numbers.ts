// How counts are written in messages: 1,234,567 (the en-US grouping). Not toLocaleString: its
// first call loads ICU's number formatting, about 35 ms and 5-8 MB in each process that writes one.
// And how numbers are read from what a user types (flags, /set): 8k, 2G, 5m, $0.50.

/**
 * A count with a comma every three digits (1234567 -> "1,234,567"), as `n.toLocaleString('en-US')`
 * writes it. Integers only are written here; any other number goes to toLocaleString.
 */
export function formatCount(n: number): string {
	if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
	const digits = String(Math.abs(n)).replace(/\B(?=(\d{3})+$)/g, ',');
	return n < 0 ? `-${digits}` : digits;
}

/**
 * What a typed number stands for, which decides the suffixes it may carry (one parser for the
 * command-line flags and /set): `count` 8k, 1.5M, 2G (powers of 1000, as token counts are shown);
 * `bytes` 200M, 1.5G, 64KiB and `megabytes` 512M, 2G (powers of 1024; `megabytes` plain is MiB);
 * `seconds` 90, 90s, 500ms, 5m, 2h, 1d; `minutes` 5, 5m, 1h, 90s (1.5: the caller's check decides
 * whether a fraction is allowed); `usd` 0.50 or $0.50; `plain` a decimal number only.
 */
export type Quantity = 'count' | 'bytes' | 'megabytes' | 'seconds' | 'minutes' | 'usd' | 'plain';

const KIB = 1024;
const BYTE_UNITS: Record<string, number> = {'': 1, b: 1, k: KIB, kb: KIB, kib: KIB, m: KIB ** 2, mb: KIB ** 2, mib: KIB ** 2, g: KIB ** 3, gb: KIB ** 3, gib: KIB ** 3};
const UNITS: Record<Quantity, Record<string, number>> = {
	count: {'': 1, k: 1e3, m: 1e6, g: 1e9, b: 1e9},
	bytes: BYTE_UNITS,
	megabytes: Object.fromEntries(Object.entries(BYTE_UNITS).map(([suffix, bytes]) => [suffix, suffix === '' ? 1 : bytes / KIB ** 2])),
	seconds: {'': 1, ms: 0.001, s: 1, sec: 1, m: 60, min: 60, h: 3600, d: 86_400},
	minutes: {'': 1, s: 1 / 60, sec: 1 / 60, m: 1, min: 1, h: 60, d: 1440},
	usd: {'': 1},
	plain: {'': 1},
};

/**
 * A number as typed, with the suffixes its quantity takes (see Quantity): `8k` as a count is
 * 8000, `2G` as megabytes is 2048, `5m` as seconds is 300. Digit separators `_` and `,` (between
 * groups of three) are skipped; a sign is kept for the caller's range check to refuse.
 * @returns the number, or undefined when the text is not one (NaN, Infinity, hex and empty included).
 */
export function parseQuantity(text: string, quantity: Quantity): number | undefined {
	let typed = text.trim().replace(/_/g, '').replace(/(\d),(?=\d{3}(?!\d))/g, '$1');
	if (quantity === 'usd') typed = typed.replace(/^\$/, '');
	const match = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*([a-z]*)$/i.exec(typed);
	const factor = match ? UNITS[quantity][match[2]!.toLowerCase()] : undefined;
	if (!match || factor === undefined) return undefined;
	const value = Number(match[1]) * factor;
	// 1.1k is 1100, not 1100.0000000000002.
	return Number.isFinite(value) ? Number(value.toPrecision(12)) : undefined;
}
