// Reads the terminal's input itself (not through Ink's useInput): raw bytes -> KeyDecoder -> one
// action per read, so keys split across reads, pastes and mouse reports arrive as what they are.
import {useStdin} from 'ink';
import {useEffect} from 'react';
import {KeyDecoder, type InputEvent} from './state/key-decoder.js';

export function useTerminalInput(onEvents: (events: readonly InputEvent[], now: number) => void): void {
	const {stdin, setRawMode, isRawModeSupported} = useStdin();
	useEffect(() => {
		const decoder = new KeyDecoder();
		let timer: NodeJS.Timeout | undefined;
		const deliver = (events: readonly InputEvent[]) => {
			if (events.length > 0) onEvents(events, performance.now());
		};
		// Waits for the rest of a split sequence, or for a paste to go quiet, then delivers.
		const schedule = () => {
			if (timer) clearTimeout(timer);
			timer = undefined;
			const wait = decoder.waitMs(performance.now());
			if (wait === undefined) return;
			timer = setTimeout(() => {
				timer = undefined;
				deliver(decoder.expire(performance.now()));
				schedule();
			}, wait + 1);
		};
		const onData = (data: string | Buffer) => {
			deliver(decoder.push(typeof data === 'string' ? data : data.toString('utf8'), performance.now()));
			schedule();
		};
		// Ink's raw mode also sets the encoding to UTF-8 (so a character split across reads stays whole).
		if (isRawModeSupported) setRawMode(true);
		stdin.on('data', onData);
		return () => {
			stdin.off('data', onData);
			if (timer) clearTimeout(timer);
			if (isRawModeSupported) setRawMode(false);
		};
	}, [stdin, setRawMode, isRawModeSupported, onEvents]);
}
