import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

export interface TerminalSize {
  readonly rows: number;
  readonly columns: number;
}

/** The size of a stream, 80×24 when it is not a terminal. */
const sizeOf = (stdout: NodeJS.WriteStream): TerminalSize => ({
  rows: stdout.rows || 24,
  columns: stdout.columns || 80,
});

/** The terminal's size, following resizes; the listener goes on unmount. */
export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => sizeOf(stdout));
  useEffect(() => {
    const onResize = () => setSize(sizeOf(stdout));
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
