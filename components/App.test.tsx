import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionLayer, ConsoleRequest, PlanOutcome } from '../src/actions/console-contract.js';
import { eventually, waitForFrame, waitForFrameWithout } from '../test/support/frames.js';
import { capturedStore, NOW } from '../test/support/console-store.js';
import { App } from './App.js';
import { StoreContext } from './store-context.js';
import { mount, press, RecordingActions, type Mounted, type Step } from '../test/support/app-harness.js';
import { COMMANDS, type ConsoleCommand } from './commands.js';

let mounted: Mounted | undefined;
afterEach(() => mounted?.unmount());

interface Case {
  /** Keys before the command's key. */
  readonly setup?: readonly Step[];
  /** The command's keys when not its first bound key: a `:` line, say. */
  readonly keys?: readonly Step[];
  /** Passes when the command did its job, within `timeoutMs`; throws otherwise. */
  readonly effect: (r: Mounted, actions: RecordingActions, timeoutMs: number) => Promise<unknown>;
}

const SERVICES: Step = ['2', /SERVICE \/ REAL SERVER/];
const REAL1 = { kind: 'real-server', director: 'director1', service: 'TCP 10.18.11.40:80' };

const frame =
  (re: RegExp): Case['effect'] =>
  (r, _a, t) =>
    waitForFrame(r, re, t);
const called =
  (what: string): Case['effect'] =>
  (r, _a, t) =>
    eventually(() => expect(r.calls).toContain(what), t);
const requested =
  (match: Record<string, unknown>): Case['effect'] =>
  (_r, a, t) =>
    eventually(() => expect(a.requests.at(-1)).toMatchObject(match), t);
/** The selected VRRP row, seen through what `M` asks for. */
const selects =
  (director: string): Case['effect'] =>
  async (r, a, t) => {
    r.stdin.write('M');
    await eventually(() => expect(a.requests.at(-1)).toMatchObject({ target: { director } }), t);
  };
const weighs = (value: unknown, wholeHost?: true, keys?: Case['keys']): Case => ({
  setup: [SERVICES, 'j', 'j'],
  ...(keys ? { keys } : {}),
  effect: async (r, a, t) => {
    await requested({
      kind: 'weight',
      targets: [{ ...REAL1, realServer: { address: '10.18.11.21', port: 80 } }],
      value,
      ...(wholeHost ? { wholeHost } : {}),
    })(r, a, t);
    // A one-row change never asks for the whole host: a key that drained the host would not pass for `d`.
    if (!wholeHost) expect(a.requests.at(-1)).not.toHaveProperty('wholeHost');
  },
});

const VIEW_HEADERS = [
  /CLUSTER\s+MODE/,
  /SERVICE \/ REAL SERVER/,
  /DIRECTOR\s+INSTANCE/,
  /PAIR\s+SOURCE/,
  /HOST\s+MOUNT/,
  /DOCTOR/,
  /TIME\s+SEV/,
  /OPERATOR\s+ACTION/,
  /REAL SERVER\s+W\s+ACT/,
];

/** One observable effect per command: a command without a case here fails the first test. */
const CASES: Record<string, Case> = {
  help: { effect: frame(/help: every key/) },
  'command-line': { effect: frame(/^:/m) },
  filter: { effect: frame(/^\//m) },
  clear: {
    setup: ['/', 'x', ['return', /filter \/x\//]],
    effect: (r, _a, t) => waitForFrameWithout(r, /filter \/x\//, t),
  },
  down: { effect: selects('director2') },
  up: { setup: ['j'], effect: selects('director1') },
  'page-down': { effect: selects('director2') },
  'page-up': { setup: ['G'], effect: selects('director1') },
  top: { setup: ['G'], effect: selects('director1') },
  bottom: { effect: selects('director2') },
  'next-view': { effect: frame(/PAIR\s+SOURCE/) },
  'prev-view': { effect: frame(/SERVICE \/ REAL SERVER/) },
  view: { keys: [':', 'view storage\r'], effect: frame(/HOST\s+MOUNT/) },
  'next-cluster': { effect: frame(/\(nothing to show\)/) },
  sort: { effect: frame(/DIRECTOR▼/) },
  reverse: { effect: frame(/director2[^\n]*FAULT[\s\S]*director1[^\n]*MASTER/) },
  tag: { setup: [SERVICES], effect: frame(/1 tagged/) },
  detail: { setup: [SERVICES, 'j'], effect: frame(/TCP 10\.18\.11\.40:80 on director1 · scheduler rr/) },
  pause: { effect: called('pause') },
  refresh: { effect: called('refresh') },
  quit: { effect: called('quit') },
  weight: { setup: [SERVICES], effect: frame(/^:weight\s*$/m) },
  scheduler: { setup: [SERVICES], effect: frame(/^:scheduler\s*$/m) },
  'weight-up': weighs('+1'),
  'weight-down': weighs('-1'),
  drain: weighs('drain'),
  restore: weighs('restore'),
  'drain-host': weighs('drain', true),
  'force-master': {
    effect: requested({ kind: 'failover', target: { director: 'director1', instance: 'VI_WEB' }, to: 'MASTER' }),
  },
  'force-backup': { effect: requested({ kind: 'failover', target: { director: 'director1' }, to: 'BACKUP' }) },
  release: { effect: requested({ kind: 'release', target: { kind: 'vrrp', director: 'director1' } }) },
  undo: { effect: requested({ kind: 'undo' }) },
};
// Each view key starts from another view, so a key that does nothing leaves the wrong header on screen.
VIEW_HEADERS.forEach(
  (re, i) =>
    (CASES[`view-${i + 1}`] = {
      setup: [i === 0 ? ['tab', /PAIR\s+SOURCE/] : ['1', /CLUSTER\s+MODE/]],
      effect: frame(re),
    }),
);

async function exercise(id: string, commands?: readonly ConsoleCommand[], timeoutMs = 2000) {
  const c = CASES[id]!;
  const actions = new RecordingActions();
  const r = (mounted = mount(capturedStore(), { actions, ...(commands ? { commands } : {}) }));
  await waitForFrame(r, /DIRECTOR\s+INSTANCE/);
  await press(r, c.setup ?? []);
  await press(r, c.keys ?? [COMMANDS.find((k) => k.id === id)!.keys[0]!]);
  await c.effect(r, actions, timeoutMs);
}

/** The table with one handler replaced by one that does nothing. */
const withoutHandler = (id: string) => COMMANDS.map((c) => (c.id === id ? { ...c, run: () => undefined } : c));

describe('command table', () => {
  it('has an effect listed for every command', () => {
    expect(Object.keys(CASES).sort()).toEqual(COMMANDS.map((c) => c.id).sort());
  });

  for (const command of COMMANDS) {
    it(`${command.keys[0] ?? `:${command.words?.[0]}`} runs ${command.id}`, () => exercise(command.id));
  }

  // Each test above must fail when its command does nothing: run it against a table with that handler removed.
  for (const command of COMMANDS) {
    it(`the ${command.id} test fails when its handler is removed`, async () => {
      await expect(exercise(command.id, withoutHandler(command.id), 300)).rejects.toThrow();
    });
  }
});

describe('the : line', () => {
  it('sets a weight, switches a scheduler, and says what it cannot parse', async () => {
    const actions = new RecordingActions();
    const r = (mounted = mount(capturedStore(), { actions }));
    await press(r, [SERVICES, 'j', 'j', ':', 'weight 0\r']);
    await eventually(() => expect(actions.requests.at(-1)).toMatchObject({ kind: 'weight', value: 0 }));
    await press(r, ['n', ':', 'scheduler wrr\r']);
    await eventually(() =>
      expect(actions.requests.at(-1)).toEqual({
        kind: 'scheduler',
        cluster: 'wordpress',
        target: { kind: 'service', director: 'director1', service: 'TCP 10.18.11.40:80' },
        scheduler: 'wrr',
      } satisfies ConsoleRequest),
    );
    await press(r, ['n', ':', 'weight 70000\r']);
    await waitForFrame(r, /weight must be an integer 0\.\.65535, got "70000"/);
    await press(r, ['n', ':', 'host restore\r']);
    await eventually(() =>
      expect(actions.requests.at(-1)).toMatchObject({ kind: 'weight', value: 'restore', wholeHost: true }),
    );
    await press(r, ['n', ':', 'host up\r']);
    await waitForFrame(r, /:host drain or :host restore, not "up"/);
    await press(r, [':', 'frobnicate\r']);
    await waitForFrame(
      r,
      /unknown command "frobnicate" \(filter, view, cluster, sort, weight, host, scheduler, quit\)/,
    );
    expect(actions.requests).toHaveLength(3);
  });

  it('completes command words and their arguments with tab', async () => {
    const r = (mounted = mount(capturedStore()));
    await press(r, [
      ':',
      'vi',
      ['tab', /^:view\s*$/m],
      'st',
      ['tab', /^:view storage\s*$/m],
      ['return', /HOST\s+MOUNT/],
    ]);
  });
});

describe('keys that arrive together', () => {
  it('are taken one by one outside text entry, and as text inside it', async () => {
    const r = (mounted = mount(capturedStore()));
    await waitForFrame(r, /DIRECTOR\s+INSTANCE/);
    r.stdin.write('sss');
    await waitForFrame(r, /STATE▼/);
    r.stdin.write('/director2\r');
    expect(await waitForFrame(r, /filter \/director2\//)).toMatch(/1 rows/);
  });
});

describe('key overrides from the config', () => {
  it('bind a command to the keys given', async () => {
    const actions = new RecordingActions();
    const r = (mounted = mount(capturedStore(), { actions, keyOverrides: { down: ['x'] } }));
    await waitForFrame(r, /DIRECTOR\s+INSTANCE/);
    await press(r, ['j', 'x']);
    await selects('director2')(r, actions, 2000);
  });
});

describe('start options', () => {
  it('open the view, cluster and filter given on the command line', async () => {
    const r = (mounted = Object.assign(
      render(
        <StoreContext.Provider value={capturedStore()}>
          <App
            onQuit={() => undefined}
            onRefresh={() => undefined}
            onTogglePause={() => undefined}
            now={() => NOW}
            initialView="services"
            initialCluster="wordpress"
            initialFilter="10.18.11.22"
          />
        </StoreContext.Provider>,
      ),
      { calls: [] },
    ));
    await waitForFrame(r, /SERVICE \/ REAL SERVER/);
    await waitForFrame(r, /filter \/10\.18\.11\.22\//);
    expect(r.lastFrame()).toMatch(/-> 10\.18\.11\.22:80/);
    expect(r.lastFrame()).not.toMatch(/-> 10\.18\.11\.21:80/);
  });
});

describe('help', () => {
  it('scrolls to its last line (the colour legend) and back, and lists the : commands', async () => {
    const r = (mounted = mount(capturedStore(), { actions: new RecordingActions() }));
    await waitForFrame(r, /DIRECTOR\s+INSTANCE/);
    await press(r, [['?', /help 1-/]]);
    expect(r.lastFrame()).not.toMatch(/grey \/ !/);
    await press(r, [['G', /grey \/ ! +stale/]]);
    expect(r.lastFrame()).toMatch(/Colours/);
    await press(r, [['g', /help 1-/]]);
    expect(r.lastFrame()).toMatch(/Keys · 1-9 switch views/);
    await press(r, [['pagedown', /help (?!1-)\d+-/]]);
    const first = Number(/help (\d+)-/.exec(r.lastFrame()!)![1]);
    await press(r, [['k', new RegExp(`help ${first - 1}-`)]]);
    await press(r, [['G', /grey/]]);
    expect(r.lastFrame()).toMatch(/:weight/);
    await press(r, [['escape', /DIRECTOR\s+INSTANCE/]]);
  });
});

describe('detail of a Hosts row', () => {
  it('opens with return and shows the whole text', async () => {
    const r = (mounted = mount(capturedStore(), { actions: new RecordingActions() }));
    await waitForFrame(r, /DIRECTOR\s+INSTANCE/);
    await press(r, [['6', /HOSTS/], 'j', ['return', /host director\d: up/]]);
    expect(r.lastFrame()).toMatch(/kernel 6\.18\.44-fc-v669/);
    await press(r, [['escape', /DOCTOR/]]);
  });
});

describe('read-only', () => {
  it('neither binds nor lists nor runs from : a dangerous command', async () => {
    const actions = new RecordingActions();
    const r = (mounted = mount(capturedStore(true), { actions }));
    await waitForFrame(r, /DIRECTOR\s+INSTANCE/);
    await press(r, ['M', 'B', 'L', 'u', 'd', ':', 'weight 0\r']);
    await waitForFrame(r, /read-only: actions are disabled/);
    await press(r, [['?', /read-only/]]);
    const help = r.lastFrame()!;
    for (const c of COMMANDS.filter((k) => k.dangerous)) expect(help).not.toContain(c.description);
    expect(help).not.toMatch(/force selected director/);
    expect(actions.requests).toHaveLength(0);
  });
});

/**
 * An action layer whose preview follows the request: what the dialog shows can only come from the plan it was
 * handed, and what runs is the plan's own token.
 */
class EchoActions implements ActionLayer {
  readonly requests: ConsoleRequest[] = [];
  readonly runs: (string | true)[] = [];
  readonly tokens: unknown[] = [];
  constructor(private readonly guard?: string) {}
  async plan(request: ConsoleRequest): Promise<PlanOutcome> {
    this.requests.push(request);
    const target = 'target' in request ? JSON.stringify(request.target) : request.kind;
    return {
      ok: true as const,
      preview: {
        title: `echo ${request.kind} #${this.requests.length}`,
        lines: [`  target ${target}`],
        warnings: [`warning for #${this.requests.length}`],
        ...(this.guard ? { confirmName: this.guard, guardReason: `guard for #${this.requests.length}` } : {}),
      },
      token: { plan: this.requests.length },
    };
  }
  async run(token: unknown, confirmation: string | true) {
    this.tokens.push(token);
    this.runs.push(confirmation);
    return { ok: false, message: `ran plan ${JSON.stringify(token)}` };
  }
}

describe('action dialog', () => {
  it("shows the plan's preview, sends the selected row's request, and runs that plan only on y", async () => {
    const actions = new EchoActions();
    const r = (mounted = mount(capturedStore(), { actions }));
    await waitForFrame(r, /DIRECTOR\s+INSTANCE/);
    await press(r, [['B', /echo failover #1/]]);
    const request = actions.requests[0]!;
    expect(request).toMatchObject({ kind: 'failover', to: 'BACKUP', target: { kind: 'vrrp' } });
    const target = (request as { target: { director: string; instance: string } }).target;
    expect(r.lastFrame()).toContain(`"director":"${target.director}","instance":"${target.instance}"`);
    expect(r.lastFrame()).toMatch(/! warning for #1/);
    expect(r.lastFrame()).toMatch(/y to run/);
    await press(r, [['n', /cancelled/]]);
    expect(actions.runs).toHaveLength(0);
    await press(r, [
      ['B', /echo failover #2/],
      ['y', /ran plan \{"plan":2\}/],
    ]);
    expect(actions.tokens).toEqual([{ plan: 2 }]);
    expect(actions.runs).toEqual([true]);
  });

  it('runs a guarded action only with the name typed, and esc cancels', async () => {
    const actions = new EchoActions('10.18.11.21:80');
    const r = (mounted = mount(capturedStore(), { actions }));
    await press(r, [SERVICES, 'j', 'j', ['d', /GUARD: guard for #1/], 'y', ['escape', /cancelled/]]);
    expect(actions.runs).toHaveLength(0);
    await press(r, [['d', /GUARD: guard for #2/], '10.18.11.21:80x', 'backspace', ['return', /ran plan/]]);
    expect(actions.runs).toEqual(['10.18.11.21:80']);
    expect(actions.tokens).toEqual([{ plan: 2 }]);
    expect(actions.requests[1]).toMatchObject({
      kind: 'weight',
      value: 'drain',
      targets: [{ ...REAL1, realServer: { address: '10.18.11.21', port: 80 } }],
    });
  });
});
