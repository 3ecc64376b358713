// The status line's key hints in the room they have, never cut inside a word without a mark: the
// first form (longest first) that fits whole; else the shortest one's first hints (`a · b`, split
// at ` · `) and ` …` for the rest; else its first hint cut after a word, with `…`.
import {clip, displayWidth} from '../format.js';

const SEPARATOR = ' · ';

/** Cut after the last whole word that leaves room for `…` (a single long word: cut inside it, marked). */
function clipWords(text: string, room: number): string {
	if (displayWidth(text) <= room) return text;
	const cut = clip(text, room);
	const end = cut.slice(0, -1).lastIndexOf(' ');
	return end > 0 ? `${cut.slice(0, end).trimEnd()}…` : cut;
}

export function fitHints(forms: readonly string[], room: number): string {
	if (room <= 0 || forms.length === 0) return '';
	const fits = forms.find((form) => displayWidth(form) <= room);
	if (fits !== undefined) return fits;
	const parts = forms.at(-1)!.split(SEPARATOR);
	for (let kept = parts.length - 1; kept >= 1; kept--) {
		const text = `${parts.slice(0, kept).join(SEPARATOR)} …`;
		if (displayWidth(text) <= room) return text;
	}
	return clipWords(parts[0]!, room);
}
