import { useEffect, useState } from 'react';

/**
 * The time, ticking every second so ages move between polls; the timer stops on unmount. A clock that moves by
 * itself (a replay's) is read again whenever `subscribe` says it moved.
 */
export function useClock(now: () => number, subscribe?: (listener: () => void) => () => void): number {
  const [time, setTime] = useState(now());
  useEffect(() => {
    const timer = setInterval(() => setTime(now()), 1000);
    const unsubscribe = subscribe?.(() => setTime(now()));
    return () => {
      clearInterval(timer);
      unsubscribe?.();
    };
  }, [now, subscribe]);
  return time;
}
