// Colours for the two themes. Components take a Theme; nothing else hard-codes colours.
export interface Theme {
	name: 'dark' | 'light';
	accent: string;
	dim: string;
	text: string;
	ok: string;
	error: string;
	warn: string;
	running: string;
	user: string;
	border: string;
	focusBorder: string;
	selectedBg: string;
	selectedFg: string;
	kinds: Record<'run' | 'iteration' | 'reply' | 'reasoning' | 'code' | 'output' | 'call' | 'notice', string>;
}

export const darkTheme: Theme = {
	name: 'dark',
	accent: 'cyan',
	dim: 'gray',
	text: 'white',
	ok: 'green',
	error: 'red',
	warn: 'yellow',
	running: 'cyan',
	user: 'magenta',
	border: 'gray',
	focusBorder: 'cyan',
	selectedBg: 'blue',
	selectedFg: 'white',
	kinds: {run: 'magentaBright', iteration: 'blueBright', reply: 'white', reasoning: 'gray', code: 'yellow', output: 'gray', call: 'cyan', notice: 'yellow'},
};

export const lightTheme: Theme = {
	name: 'light',
	accent: 'blue',
	dim: 'gray',
	text: 'black',
	ok: 'green',
	error: 'red',
	warn: 'magenta',
	running: 'blue',
	user: 'magenta',
	border: 'gray',
	focusBorder: 'blue',
	selectedBg: 'cyan',
	selectedFg: 'black',
	kinds: {run: 'magenta', iteration: 'blue', reply: 'black', reasoning: 'gray', code: 'magenta', output: 'gray', call: 'blue', notice: 'magenta'},
};

export const themeFor = (name: 'dark' | 'light' | undefined): Theme => (name === 'light' ? lightTheme : darkTheme);

export const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
export const spinnerFrame = (now: number): string => SPINNER[Math.floor(now / 100) % SPINNER.length]!;
