// What the app shows in a terminal too small for its panes: the sizes and how to quit, wrapped to
// the width and as few lines as the height holds, down to a terminal of one cell.
import wrapAnsi from 'wrap-ansi';

interface Size {
	columns: number;
	rows: number;
}

/**
 * The message's lines for a terminal of `size` (each at most `size.columns` wide, at most
 * `size.rows - 1` of them, as the full frame leaves the last row free): the longest of its
 * wordings that fits, from "Terminal too small (30×8): make it at least 40×10. Ctrl+C twice quits."
 * down to "40×10", else as much of that as fits.
 */
export function tooSmallLines(size: Size, minimum: Size, quitKey: string): string[] {
	const width = Math.max(1, size.columns);
	const rows = Math.max(1, size.rows - 1);
	const need = `${minimum.columns}×${minimum.rows}`;
	const wordings = [
		`Terminal too small (${size.columns}×${size.rows}): make it at least ${need}. ${quitKey} twice quits.`,
		`Terminal too small: needs ${need}. ${quitKey} twice quits.`,
		`Too small: needs ${need}. ${quitKey} twice quits.`,
		`Too small: needs ${need}.`,
		`Needs ${need}`,
		need,
	];
	for (const wording of wordings) {
		const lines = wrapAnsi(wording, width, {hard: true, trim: true}).split('\n');
		if (lines.length <= rows) return lines;
	}
	return wrapAnsi(need, width, {hard: true, trim: true}).split('\n').slice(0, rows);
}
