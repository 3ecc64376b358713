// How counts are written in messages: 1,234,567 (the en-US grouping). Not toLocaleString: its
// first call loads ICU's number formatting, about 35 ms and 5-8 MB in each process that writes one.

/**
 * A count with a comma every three digits (1234567 -> "1,234,567"), as `n.toLocaleString('en-US')`
 * writes it. Integers only are written here; any other number goes to toLocaleString.
 */
export function formatCount(n: number): string {
	if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
	const digits = String(Math.abs(n)).replace(/\B(?=(\d{3})+$)/g, ',');
	return n < 0 ? `-${digits}` : digits;
}
