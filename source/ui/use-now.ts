import {useEffect, useState} from 'react';

/**
 * How often spinners and running clocks move. One clock for the whole app (one render per tick,
 * not one per component), and slow: each render lays out the whole frame.
 */
export const TICK_MS = 250;

/** performance.now(), refreshed every `interval` ms while `active` (spinners, running clocks). */
export function useNow(active: boolean, interval = TICK_MS): number {
	const [now, setNow] = useState(() => performance.now());
	useEffect(() => {
		if (!active) return;
		setNow(performance.now());
		const timer = setInterval(() => setNow(performance.now()), interval);
		return () => clearInterval(timer);
	}, [active, interval]);
	return now;
}
