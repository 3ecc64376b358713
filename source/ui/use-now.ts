import {useEffect, useState} from 'react';

/** performance.now(), refreshed every `interval` ms while `active` (spinners, running clocks). */
export function useNow(active: boolean, interval = 100): number {
	const [now, setNow] = useState(() => performance.now());
	useEffect(() => {
		if (!active) return;
		setNow(performance.now());
		const timer = setInterval(() => setNow(performance.now()), interval);
		return () => clearInterval(timer);
	}, [active, interval]);
	return now;
}
