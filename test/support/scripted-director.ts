import type { ConnectionState, ExecOptions, ExecResult, Transport } from '../../src/transport/transport.js';
import { TransportFailure, type TransportError } from '../../src/transport/transport-error.js';

export interface SectionAnswer {
  readonly stdout: string;
  readonly stderr?: string;
  readonly exitCode?: number;
}

/**
 * A transport that answers section scripts (src/transport/section-script.ts) from canned outputs by section id, and
 * records every other command. `onCommand` may change the canned outputs, as the real command would change the host.
 */
export class ScriptedDirector implements Transport {
  readonly host: string;
  state: ConnectionState = 'up';
  lastError: TransportError | undefined;
  readonly sections = new Map<string, SectionAnswer>();
  /** Commands other than section scripts, in order. */
  readonly commands: (readonly string[])[] = [];
  reads = 0;
  onCommand: (argv: readonly string[]) => ExecResult | undefined = () => undefined;
  /** When set, every exec fails like a dropped connection. */
  down = false;

  constructor(host: string, sections: Record<string, SectionAnswer | string> = {}) {
    this.host = host;
    for (const [id, a] of Object.entries(sections)) this.sections.set(id, typeof a === 'string' ? { stdout: a } : a);
  }

  async exec(argv: readonly string[], _options: ExecOptions): Promise<ExecResult> {
    if (this.down)
      throw new TransportFailure({
        kind: 'unreachable',
        host: this.host,
        operation: 'exec',
        message: 'connection lost',
      });
    const script = argv[0] === 'sh' && argv[1] === '-c' ? (argv[2] ?? '') : '';
    // A poll function's begin markers (the first printed alone, each other one with the trailer of the section before
    // it), and the nonce its call passes (see sectionPoll).
    const nonce = /^lvstop_poll_[0-9a-f]+ ([A-Za-z0-9]+)$/m.exec(script)?.[1];
    const begins = nonce ? [...script.matchAll(/"@@LVSTOP:\$lv_n:"'begin (\S+)'$/gm)] : [];
    if (begins.length === 0) {
      this.commands.push(argv);
      return this.onCommand(argv) ?? { stdout: '', stderr: '', exitCode: 0, durationMs: 1 };
    }
    this.reads += 1;
    const out = begins.map(([, id]) => {
      const a = this.sections.get(id!) ?? { stdout: '', stderr: `no such section ${id}`, exitCode: 1 };
      const mark = `@@LVSTOP:${nonce}`;
      return `${mark}:begin ${id}\n${a.stdout}\n${mark}:stderr\n${a.stderr ?? ''}\n${mark}:end ${id} ${a.exitCode ?? 0}\n`;
    });
    return { stdout: out.join(''), stderr: '', exitCode: 0, durationMs: 1 };
  }

  async close(): Promise<void> {
    this.state = 'closed';
  }
}
