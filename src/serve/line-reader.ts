import type { Socket } from 'node:net';

export type LineEvent = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

/**
 * Newline-delimited JSON from a socket: each complete line parsed on its own; a line longer than `maxBytes` is an
 * error and the rest of the stream is dropped (the caller closes the socket).
 */
export function readJsonLines(socket: Socket, maxBytes: number, onLine: (e: LineEvent) => void): void {
  let buffered: Buffer[] = [];
  let size = 0;
  let broken = false;
  socket.on('data', (chunk: Buffer) => {
    if (broken) return;
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      const part = chunk.subarray(start, nl);
      if (size + part.length > maxBytes) return fail(maxBytes);
      const line = Buffer.concat([...buffered, part]).toString('utf8');
      buffered = [];
      size = 0;
      start = nl + 1;
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        onLine({ ok: false, error: 'a line is not JSON' });
        continue;
      }
      onLine({ ok: true, value });
      if (broken || socket.destroyed) return;
    }
    const rest = chunk.subarray(start);
    if (size + rest.length > maxBytes) return fail(maxBytes);
    buffered.push(rest);
    size += rest.length;
  });
  const fail = (max: number) => {
    broken = true;
    buffered = [];
    onLine({ ok: false, error: `a line is longer than ${max} bytes` });
  };
}

/** Write one message as a line; false when the socket is gone. */
export function writeJsonLine(socket: Socket, message: unknown): boolean {
  if (socket.destroyed || !socket.writable) return false;
  socket.write(JSON.stringify(message) + '\n');
  return true;
}
