import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { configOf, storeFromCaptures } from '../test/support/fixture-store.js';
import type { LvsStore } from '../src/store/lvs-store.js';
import { App } from './App.js';
import type { ActionRequest, ConsoleActions } from './console-actions.js';
import { DEFAULT_KEYMAP, type CommandId } from './keymap.js';
import { StoreContext } from './store-context.js';

const NOW = Date.parse('2026-11-21T18:00:00Z');
const config = configOf({
  pollIntervalMs: 1000,
  hosts: { director1: {}, director2: {} },
  clusters: [
    {
      name: 'wordpress',
      mode: 'dr',
      vips: ['10.77.0.40'],
      directors: [
        { host: 'director1', keepalived: { instances: ['VI_WEB'] } },
        { host: 'director2', keepalived: { instances: ['VI_WEB'] } },
      ],
    },
    { name: 'second', mode: 'nat', directors: [{ host: 'director2' }] },
  ],
});

function captures() {
  return {
    director1: {
      keepalived: 'keepalived-netns/healthy-master.dump.txt',
      loadavg: 'local/loadavg.txt',
      uptime: 'local/uptime.txt',
      meminfo: 'local/meminfo.txt',
      osrelease: 'local/osrelease.txt',
      'ip-addr': 'local/ip-addr.json',
      'sysctl:net.ipv4.ip_forward': 'local/ip_forward.txt',
    },
    director2: {
      keepalived: 'keepalived-netns/fault.dump.txt',
      loadavg: 'local/loadavg.txt',
      uptime: 'local/uptime.txt',
      meminfo: 'local/meminfo.txt',
      osrelease: 'local/osrelease.txt',
      'ip-addr': 'local/ip-addr.json',
    },
  };
}

/** Records what the UI asks of the action layer; planning answers with a preview so the dialog can be driven. */
class RecordingActions implements ConsoleActions {
  readonly requests: ActionRequest[] = [];
  readonly runs: (string | true)[] = [];
  async plan(request: ActionRequest) {
    this.requests.push(request);
    return {
      ok: true as const,
      preview: { title: `plan ${request.kind}`, lines: ['director1: ipvsadm -e ...'], warnings: [] },
      token: request,
    };
  }
  async run(_token: unknown, confirmation: string | true) {
    this.runs.push(confirmation);
    return { ok: true, message: 'done and verified' };
  }
}

let unmount: (() => void) | undefined;
afterEach(() => unmount?.());

const tick = () => new Promise((r) => setTimeout(r, 40));

/** Wait for a frame to match, instead of sleeping a fixed time (the machine may be busy). */
async function frame(r: { lastFrame: () => string | undefined }, re: RegExp, timeoutMs = 3000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const f = r.lastFrame() ?? '';
    if (re.test(f)) return f;
    await new Promise((res) => setTimeout(res, 10));
  }
  return r.lastFrame() ?? '';
}

function mount(
  store: LvsStore,
  actions?: ConsoleActions,
  extra: { onQuit?: () => void; onRefresh?: () => void; onTogglePause?: () => void } = {},
) {
  const r = render(
    <StoreContext.Provider value={store}>
      <App
        onQuit={extra.onQuit ?? (() => {})}
        onRefresh={extra.onRefresh ?? (() => {})}
        onTogglePause={extra.onTogglePause ?? (() => {})}
        now={() => NOW}
        initialView="vrrp"
        {...(actions ? { actions } : {})}
      />
    </StoreContext.Provider>,
  );
  unmount = r.unmount;
  return r;
}

async function press(r: ReturnType<typeof render>, ...keys: string[]) {
  for (const k of keys) {
    r.stdin.write(k);
    await tick();
  }
}

const KEY_SEQ: Record<string, string> = {
  escape: '\u001b',
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
const seq = (key: string) => KEY_SEQ[key] ?? key;

describe('VRRP view on captured keepalived dumps', () => {
  it('shows each director and instance with state, priorities and track files', async () => {
    const r = mount(storeFromCaptures(config, captures(), NOW));
    await tick();
    const frame = r.lastFrame()!;
    expect(frame).toMatch(/director1\s+VI_WEB\s+MASTER\s+51\s+100\/100/);
    expect(frame).toMatch(/director2\s+VI_WEB\s+FAULT\s+51\s+100\/80/);
    expect(frame).toMatch(/director2.*lvstop_prio=-20/);
  });
});

describe('keymap', () => {
  /** One observable effect per command: adding a key without saying what it does fails this test. */
  const effects: Record<
    string,
    (ctx: { r: ReturnType<typeof render>; actions: RecordingActions; calls: string[] }) => Promise<void>
  > = {
    help: async ({ r }) => expect(r.lastFrame()).toMatch(/help: every key/),
    'command-line': async ({ r }) => expect(r.lastFrame()).toMatch(/^:/m),
    filter: async ({ r }) => expect(r.lastFrame()).toMatch(/^\//m),
    clear: async ({ r }) => expect(r.lastFrame()).not.toMatch(/filter \//),
    down: async ({ r }) => expect(r.lastFrame()).toMatch(/director2\s+VI_WEB/),
    up: async ({ r }) => expect(r.lastFrame()).toMatch(/director1\s+VI_WEB/),
    'page-down': async ({ r }) => expect(r.lastFrame()).toMatch(/director2/),
    'page-up': async ({ r }) => expect(r.lastFrame()).toMatch(/director1/),
    top: async ({ r }) => expect(r.lastFrame()).toMatch(/director1/),
    bottom: async ({ r }) => expect(r.lastFrame()).toMatch(/director2/),
    'next-view': async ({ r }) => expect(r.lastFrame()).toMatch(/PAIR\s+SOURCE/),
    'prev-view': async ({ r }) => expect(r.lastFrame()).toMatch(/SERVICE \/ REAL SERVER/),
    'next-cluster': async ({ r }) => expect(r.lastFrame()).toMatch(/\(nothing to show\)/),
    sort: async ({ r }) => expect(r.lastFrame()).toMatch(/DIRECTOR▼/),
    reverse: async ({ r }) => expect(r.lastFrame()).toMatch(/▲|FAULT[\s\S]*MASTER/),
    tag: async ({ r }) => expect(r.lastFrame()).toMatch(/1 tagged/),
    detail: async ({ r }) => expect(r.lastFrame()).toMatch(/SERVICE \/ REAL SERVER|esc back|rows/),
    pause: async ({ calls }) => expect(calls).toContain('pause'),
    refresh: async ({ calls }) => expect(calls).toContain('refresh'),
    quit: async ({ calls }) => expect(calls).toContain('quit'),
    weight: async ({ r }) => expect(r.lastFrame()).toMatch(/^:weight/m),
    scheduler: async ({ r }) => expect(r.lastFrame()).toMatch(/^:scheduler/m),
    'weight-up': async ({ r }) => expect(r.lastFrame()).toMatch(/select or tag a real server/),
    'weight-down': async ({ r }) => expect(r.lastFrame()).toMatch(/select or tag a real server/),
    drain: async ({ r }) => expect(r.lastFrame()).toMatch(/select or tag a real server/),
    restore: async ({ r }) => expect(r.lastFrame()).toMatch(/select or tag a real server/),
    'force-master': async ({ actions }) =>
      expect(actions.requests.at(-1)).toMatchObject({
        kind: 'failover',
        director: 'director1',
        instance: 'VI_WEB',
        to: 'MASTER',
      }),
    'force-backup': async ({ actions }) =>
      expect(actions.requests.at(-1)).toMatchObject({ kind: 'failover', director: 'director1', to: 'BACKUP' }),
    release: async ({ actions }) =>
      expect(actions.requests.at(-1)).toMatchObject({ kind: 'release', director: 'director1' }),
    undo: async ({ actions }) => expect(actions.requests.at(-1)).toMatchObject({ kind: 'undo' }),
  };
  const viewHeaders = [
    /CLUSTER\s+MODE/,
    /SERVICE \/ REAL SERVER/,
    /DIRECTOR\s+INSTANCE/,
    /PAIR\s+SOURCE/,
    /HOST\s+MOUNT/,
    /DOCTOR/,
    /TIME\s+SEV/,
    /OPERATOR\s+ACTION/,
  ];
  viewHeaders.forEach((re, i) => (effects[`view-${i + 1}`] = async ({ r }) => expect(r.lastFrame()).toMatch(re)));
  const setup: Partial<Record<CommandId, string[]>> = {
    clear: ['/', 'x', '\r'],
    up: ['j'],
    'page-up': ['G'],
    top: ['G'],
    'prev-view': [],
    detail: ['2'],
    'weight-up': ['2'],
    'weight-down': ['2'],
    drain: ['2'],
    restore: ['2'],
    tag: ['2'],
    weight: ['2'],
    scheduler: ['2'],
  };

  it('has an effect listed for every command', () => {
    expect(Object.keys(effects).sort()).toEqual(DEFAULT_KEYMAP.map((c) => c.id).sort());
  });

  for (const command of DEFAULT_KEYMAP) {
    it(`"${command.keys[0]}" triggers ${command.id}`, async () => {
      const calls: string[] = [];
      const actions = new RecordingActions();
      const r = mount(storeFromCaptures(config, captures(), NOW), actions, {
        onQuit: () => calls.push('quit'),
        onRefresh: () => calls.push('refresh'),
        onTogglePause: () => calls.push('pause'),
      });
      await tick();
      await press(r, ...(setup[command.id] ?? []));
      await press(r, seq(command.keys[0]!));
      await effects[command.id]!({ r, actions, calls });
    });
  }
});

describe('keys that arrive together', () => {
  it('are taken one by one outside text entry, and as text inside it', async () => {
    const r = mount(storeFromCaptures(config, captures(), NOW));
    await tick();
    await press(r, 'sss');
    expect(await frame(r, /PRIO B\/E▼|STATE▼|VRID▼/)).toMatch(/STATE▼/);
    await press(r, 'jk');
    await press(r, '/', 'director2\r');
    expect(await frame(r, /filter \/director2\//)).toMatch(/1 rows/);
  });
});

describe('read-only', () => {
  it('neither binds nor lists a dangerous key', async () => {
    const actions = new RecordingActions();
    const r = mount(storeFromCaptures(config, captures(), NOW, true), actions);
    await tick();
    await press(r, 'M', 'B', 'L', 'u', 'd');
    expect(actions.requests).toHaveLength(0);
    await press(r, '?');
    const help = r.lastFrame()!;
    expect(help).toMatch(/read-only/);
    for (const c of DEFAULT_KEYMAP.filter((k) => k.dangerous)) expect(help).not.toContain(c.description);
    expect(r.lastFrame()).not.toMatch(/force selected director/);
  });
});

describe('action dialog', () => {
  it('shows the preview and runs only on y', async () => {
    const actions = new RecordingActions();
    const r = mount(storeFromCaptures(config, captures(), NOW), actions);
    await tick();
    await press(r, 'B');
    expect(await frame(r, /plan failover/)).toMatch(/ipvsadm -e/);
    await press(r, 'n');
    expect(actions.runs).toHaveLength(0);
    expect(await frame(r, /cancelled/)).toMatch(/cancelled/);
    await press(r, 'B');
    await frame(r, /plan failover/);
    await press(r, 'y');
    expect(await frame(r, /done and verified/)).toMatch(/done and verified/);
    expect(actions.runs).toEqual([true]);
  });
});
