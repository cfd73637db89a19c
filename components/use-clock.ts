import { useEffect, useState } from 'react';

/** The time, ticking every second so ages move between polls; the timer stops on unmount. */
export function useClock(now: () => number): number {
  const [time, setTime] = useState(now());
  useEffect(() => {
    const timer = setInterval(() => setTime(now()), 1000);
    return () => clearInterval(timer);
  }, [now]);
  return time;
}
