import { useReducer, useRef } from 'react';

/**
 * useReducer whose state can also be read as of every action so far, not only as last rendered: keys can arrive
 * faster than React re-renders (a pasted filter, typed-ahead keys), so handlers read `current()`.
 */
export function useMirroredReducer<S, A>(
  reducer: (state: S, action: A) => S,
  initial: S,
): [state: S, current: () => S, dispatch: (action: A) => void] {
  const [state, dispatchToReact] = useReducer(reducer, initial);
  const ref = useRef(state);
  const dispatch = (action: A) => {
    ref.current = reducer(ref.current, action);
    dispatchToReact(action);
  };
  return [state, () => ref.current, dispatch];
}
