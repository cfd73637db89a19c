import { render } from 'ink-testing-library';
import { App } from '../../components/App.js';
import type { ConsoleCommand } from '../../components/commands.js';
import { StoreContext } from '../../components/store-context.js';
import type { ActionLayer, ConsoleRequest } from '../../src/actions/console-contract.js';
import type { LvsStore } from '../../src/store/lvs-store.js';
import { NOW } from './console-store.js';
import { waitForFrame } from './frames.js';

/** Records what the UI asks of the action layer; planning answers with a preview so the dialog can be driven. */
export class RecordingActions implements ActionLayer {
  readonly requests: ConsoleRequest[] = [];
  readonly runs: (string | true)[] = [];
  /** The reason each run was given ('' for none). */
  readonly reasons: string[] = [];
  constructor(
    private readonly confirmName?: string,
    private readonly reasonRequired = false,
  ) {}
  async plan(request: ConsoleRequest) {
    this.requests.push(request);
    return {
      ok: true as const,
      preview: {
        title: `plan ${request.kind}`,
        lines: ['director1: ipvsadm -e ...'],
        warnings: [],
        ...(this.confirmName ? { confirmName: this.confirmName, guardReason: 'last one' } : {}),
        ...(this.reasonRequired ? { reasonRequired: true } : {}),
      },
      token: request,
    };
  }
  async run(_token: unknown, confirmation: string | true, reason?: string) {
    this.runs.push(confirmation);
    this.reasons.push(reason ?? '');
    return { ok: true, message: 'done and verified' };
  }
}

export interface Mounted extends ReturnType<typeof render> {
  readonly calls: string[];
}

export function mount(
  store: LvsStore,
  options: {
    actions?: ActionLayer;
    commands?: readonly ConsoleCommand[];
    keyOverrides?: Record<string, readonly string[]>;
  } = {},
): Mounted {
  const calls: string[] = [];
  const r = render(
    <StoreContext.Provider value={store}>
      <App
        onQuit={() => calls.push('quit')}
        onRefresh={() => calls.push('refresh')}
        onTogglePause={() => calls.push('pause')}
        now={() => NOW}
        initialView="vrrp"
        {...(options.actions ? { actions: options.actions } : {})}
        {...(options.commands ? { commands: options.commands } : {})}
        {...(options.keyOverrides ? { keyOverrides: options.keyOverrides } : {})}
      />
    </StoreContext.Provider>,
  );
  return Object.assign(r, { calls });
}

const KEY_SEQ: Record<string, string> = {
  escape: '\u001b',
  backspace: '\u007f',
  return: '\r',
  tab: '\t',
  'shift+tab': '\u001b[Z',
  space: ' ',
  down: '\u001b[B',
  up: '\u001b[A',
  pagedown: '\u001b[6~',
  pageup: '\u001b[5~',
  home: '\u001b[H',
  end: '\u001b[F',
  'ctrl+c': '\u0003',
  'ctrl+f': '\u0006',
  'ctrl+b': '\u0002',
};

/** The bytes a terminal sends for a key name. */
export const keySequence = (key: string) => KEY_SEQ[key] ?? key;

/** A key, or a key and the frame to wait for before the next one (keys that change the view). */
export type Step = string | readonly [string, RegExp];

export async function press(r: Mounted, steps: readonly Step[]): Promise<void> {
  for (const step of steps) {
    const [key, until] = typeof step === 'string' ? [step, undefined] : step;
    r.stdin.write(keySequence(key));
    if (until) await waitForFrame(r, until);
  }
}
