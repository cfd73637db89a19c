import type { Client } from 'ssh2';
import { OutputCollector } from './output-collector.js';
import { classifySshError, transportError, type TransportFailure } from './transport-error.js';
import type { ExecOptions, ExecResult } from './transport.js';

/** Run one command on its own channel of a connected client; its output is collected within the limits. */
export function execOnClient(client: Client, host: string, command: string, options: ExecOptions): Promise<ExecResult> {
  const output = new OutputCollector(host, options);
  return new Promise<ExecResult>((resolve, reject) => {
    client.exec(command, (err, stream) => {
      if (err) {
        reject(classifySshError(err, host, 'exec'));
        return;
      }
      let failure: TransportFailure | undefined;
      let exitCode: number | null = null;
      let exitSignal: string | undefined;
      // Settle at once: the channel only closes when the remote process exits, which a hung command never does.
      const abort = (f: TransportFailure) => {
        if (failure) return;
        failure = f;
        output.stop();
        clearTimeout(timer);
        reject(f);
        stream.signal('KILL');
        stream.close();
      };
      const timer = setTimeout(
        () => abort(transportError('timeout', host, 'exec', `command did not finish within ${options.timeoutMs} ms`)),
        options.timeoutMs,
      );
      stream.on('data', (chunk: Buffer) => {
        const overflow = output.stdout(chunk);
        if (overflow) abort(overflow);
      });
      stream.stderr.on('data', (chunk: Buffer) => output.stderr(chunk));
      stream.on('error', (e: Error) => abort(classifySshError(e, host, 'exec')));
      stream.stderr.on('error', () => undefined);
      stream.on('exit', (code: number | null, signal?: string) => {
        exitCode = code;
        if (signal) exitSignal = signal;
      });
      stream.on('close', () => {
        clearTimeout(timer);
        if (failure) return;
        if (exitCode === null && !exitSignal) {
          reject(transportError('closed', host, 'exec', 'channel closed before the command exited'));
          return;
        }
        resolve(output.result(exitCode, exitSignal));
      });
      if (options.stdin !== undefined) stream.end(options.stdin);
      else stream.end();
    });
  });
}
