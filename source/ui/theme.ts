// Colours for the two themes. Components take a Theme; nothing else hard-codes colours.
// `undefined` is the terminal's own foreground: readable on a dark and on a light background alike
// (bold white titles vanished on a light one). With NO_COLOR set (no-color.org) every colour is
// undefined and colour codes are taken out of highlighted code and Markdown; bold, dim, inverse stay.
type Color = string | undefined;

export interface Theme {
	name: 'dark' | 'light' | 'none';
	accent: Color;
	dim: Color;
	text: Color;
	ok: Color;
	error: Color;
	warn: Color;
	running: Color;
	user: Color;
	border: Color;
	focusBorder: Color;
	selectedBg: Color;
	selectedFg: Color;
	kinds: Record<'run' | 'iteration' | 'reply' | 'reasoning' | 'code' | 'output' | 'call' | 'notice', Color>;
}

export const darkTheme: Theme = {
	name: 'dark',
	accent: 'cyan',
	dim: 'gray',
	text: undefined,
	ok: 'green',
	error: 'red',
	warn: 'yellow',
	running: 'cyan',
	user: 'magenta',
	border: 'gray',
	focusBorder: 'cyan',
	selectedBg: 'blue',
	selectedFg: undefined,
	kinds: {run: 'magentaBright', iteration: 'blueBright', reply: undefined, reasoning: 'gray', code: 'yellow', output: 'gray', call: 'cyan', notice: 'yellow'},
};

export const lightTheme: Theme = {
	name: 'light',
	accent: 'blue',
	dim: 'gray',
	text: undefined,
	ok: 'green',
	error: 'red',
	warn: 'magenta',
	running: 'blue',
	user: 'magenta',
	border: 'gray',
	focusBorder: 'blue',
	selectedBg: 'cyan',
	selectedFg: 'black',
	kinds: {run: 'magenta', iteration: 'blue', reply: undefined, reasoning: 'gray', code: 'magenta', output: 'gray', call: 'blue', notice: 'magenta'},
};

export const monoTheme: Theme = {
	name: 'none',
	accent: undefined,
	dim: undefined,
	text: undefined,
	ok: undefined,
	error: undefined,
	warn: undefined,
	running: undefined,
	user: undefined,
	border: undefined,
	focusBorder: undefined,
	selectedBg: undefined,
	selectedFg: undefined,
	kinds: {run: undefined, iteration: undefined, reply: undefined, reasoning: undefined, code: undefined, output: undefined, call: undefined, notice: undefined},
};

/** NO_COLOR set to anything but the empty string (no-color.org). */
export const noColorIn = (env: NodeJS.ProcessEnv) => env.NO_COLOR !== undefined && env.NO_COLOR !== '';

let colorsOn = true;
/** Turns colour codes in rendered Markdown and code on or off (the app sets it from NO_COLOR). */
export function setColors(on: boolean): void {
	colorsOn = on;
}

export const themeFor = (name: 'dark' | 'light' | undefined): Theme => (!colorsOn ? monoTheme : name === 'light' ? lightTheme : darkTheme);

/** SGR parameters that set a colour: 30-39, 40-49, 90-97, 100-107 (38 and 48 with their arguments). */
function dropColorParams(params: string): string {
	const parts = params.split(';');
	const kept: string[] = [];
	for (let i = 0; i < parts.length; i++) {
		const n = Number(parts[i] || '0');
		if (n === 38 || n === 48) {
			i += parts[i + 1] === '5' ? 2 : parts[i + 1] === '2' ? 4 : 0;
			continue;
		}
		if ((n >= 30 && n <= 39) || (n >= 40 && n <= 49) || (n >= 90 && n <= 97) || (n >= 100 && n <= 107)) continue;
		kept.push(parts[i]!);
	}
	return kept.join(';');
}

/** The text with colour codes taken out when colours are off; other styles stay. */
export function colorless(text: string): string {
	if (colorsOn || !text.includes('\x1b[')) return text;
	return text.replace(/\x1b\[([0-9;]*)m/g, (whole, params: string) => {
		if (params === '' || params === '0') return whole;
		const kept = dropColorParams(params);
		return kept ? `\x1b[${kept}m` : '';
	});
}

export const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
export const spinnerFrame = (now: number): string => SPINNER[Math.floor(now / 250) % SPINNER.length]!;
