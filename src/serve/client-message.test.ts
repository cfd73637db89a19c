import { describe, expect, it } from 'vitest';
import { parseWeightChange } from '../actions/weight-change.js';
import { MAX_WATCHED_CLUSTERS, parseClientMessage } from './client-message.js';

const target = {
  kind: 'real-server',
  director: 'd1',
  service: 'TCP 10.0.0.1:80',
  realServer: { address: '10.0.0.2', port: 80 },
};
const weight = (value: unknown) =>
  parseClientMessage({ t: 'plan', id: 1, request: { kind: 'weight', cluster: 'c', targets: [target], value } });
const error = (value: unknown) => {
  const r = parseClientMessage(value);
  return r.ok ? 'accepted' : r.error;
};

describe('client messages', () => {
  it('accepts what an attached console sends', () => {
    for (const m of [
      { t: 'hello', v: 1, operator: 'alice' },
      { t: 'refresh' },
      { t: 'watch', clusters: ['wordpress'] },
      { t: 'watch', clusters: [] },
      { t: 'cancel', id: 3 },
      { t: 'run', id: 3, confirmation: true },
      { t: 'run', id: 3, confirmation: 'web1' },
      { t: 'plan', id: 2, request: { kind: 'undo' } },
      {
        t: 'plan',
        id: 2,
        request: { kind: 'release', cluster: 'c', target: { kind: 'vrrp', director: 'd', instance: 'VI_1' } },
      },
      {
        t: 'plan',
        id: 2,
        request: {
          kind: 'failover',
          cluster: 'c',
          target: { kind: 'vrrp', director: 'd', instance: 'VI_1' },
          to: 'BACKUP',
        },
      },
      {
        t: 'plan',
        id: 2,
        request: {
          kind: 'scheduler',
          cluster: 'c',
          target: { kind: 'service', director: 'd', service: 'FWM 1' },
          scheduler: 'wlc',
        },
      },
    ])
      expect(parseClientMessage(m)).toEqual({ ok: true, message: m });
  });

  it('parses a weight exactly as the headless weight command does', () => {
    expect(weight(5)).toMatchObject({ ok: true, message: { request: { value: 5 } } });
    expect(weight('5')).toMatchObject({ ok: true, message: { request: { value: 5 } } });
    expect(weight(' Drain ')).toMatchObject({ ok: true, message: { request: { value: 'drain' } } });
    expect(weight('restore')).toMatchObject({ ok: true, message: { request: { value: 'restore' } } });
    expect(weight('+1')).toMatchObject({ ok: true, message: { request: { value: '+1' } } });
    expect(weight('-1')).toMatchObject({ ok: true, message: { request: { value: '-1' } } });
    // What the headless command refuses, serve refuses with the same words.
    for (const bad of ['1.5', '0x10', '1e3', '', '65536', '-0', 'drain;reboot']) {
      let headless = '';
      try {
        parseWeightChange(bad);
      } catch (err) {
        headless = (err as Error).message;
      }
      expect(headless, bad).not.toBe('');
      expect(weight(bad), bad).toEqual({ ok: false, error: `plan: request.value: ${headless}` });
    }
    // A number is an exact weight: never a step, never a fraction or an exponent.
    expect(weight(-1)).toEqual({
      ok: false,
      error: 'plan: request.value: weight "-1": expected an integer from 0 to 65535',
    });
    expect(weight(1.5)).toMatchObject({ ok: false, error: expect.stringMatching(/weight "1.5": expected an integer/) });
    expect(weight(1e21)).toMatchObject({ ok: false, error: expect.stringMatching(/expected an integer/) });
    expect(weight('+5')).toEqual({
      ok: false,
      error: 'plan: request.value: weight step 5: the console steps by +1 or -1',
    });
    expect(weight({ n: 1 })).toMatchObject({ ok: false, error: expect.stringMatching(/^plan: request\.value: /) });
  });

  it('answers bad input with one sentence naming the field, never a TypeError', () => {
    expect(error(null)).toBe('not a message: expected a JSON object with a "t" field');
    expect(error([1])).toBe('not a message: expected a JSON object with a "t" field');
    expect(error({ t: 'reboot' })).toBe('unknown message "reboot"');
    expect(error({ t: 'hello', v: 2, operator: 'a' })).toBe('hello: v: protocol version 2 is not 1');
    expect(error({ t: 'hello', v: 1, operator: 'bad name;rm' })).toBe(
      'hello: operator: expected 1-64 of A-Z a-z 0-9 . _ -',
    );
    expect(error({ t: 'plan', id: 1 })).toMatch(/^plan: request: /);
    expect(error({ t: 'plan', id: 1.5, request: { kind: 'undo' } })).toMatch(/^plan: id: /);
    expect(error({ t: 'plan', id: 1, request: { kind: 'weight', cluster: 'c', targets: [] } })).toMatch(
      /^plan: request\.targets: /,
    );
    expect(error({ t: 'plan', id: 1, request: { kind: 'weight', cluster: 'c', targets: null, value: 1 } })).toMatch(
      /^plan: request\.targets: /,
    );
    expect(
      error({
        t: 'plan',
        id: 1,
        request: {
          kind: 'weight',
          cluster: 'c',
          targets: [{ ...target, realServer: { address: 'x', port: 70000 } }],
          value: 1,
        },
      }),
    ).toMatch(/^plan: request\.targets\.0\.realServer\.port: /);
    expect(
      error({
        t: 'plan',
        id: 1,
        request: {
          kind: 'scheduler',
          cluster: 'c',
          target: { kind: 'service', director: 'd', service: 's' },
          scheduler: 'fast',
        },
      }),
    ).toMatch(/^plan: request\.scheduler: scheduler "fast": unknown; expected one of /);
    expect(
      error({
        t: 'plan',
        id: 1,
        request: { kind: 'release', cluster: 'c\nforged', target: { kind: 'vrrp', director: 'd', instance: 'i' } },
      }),
    ).toBe('plan: request.cluster: control characters are not allowed');
    expect(error({ t: 'run', id: 1, confirmation: false })).toMatch(/^run: confirmation: /);
    expect(error({ t: 'refresh', extra: 1 })).toMatch(/^refresh: /);
    expect(error({ t: 'watch', clusters: 'wordpress' })).toMatch(/^watch: clusters: /);
    expect(error({ t: 'watch', clusters: ['ok', 'bad\u001b[2J'] })).toBe(
      'watch: clusters.1: control characters are not allowed',
    );
    expect(error({ t: 'watch', clusters: [''] })).toMatch(/^watch: clusters\.0: /);
    expect(error({ t: 'watch', clusters: ['x'.repeat(257)] })).toMatch(/^watch: clusters\.0: /);
    expect(
      error({ t: 'watch', clusters: Array.from({ length: MAX_WATCHED_CLUSTERS + 1 }, (_, i) => `c${i}`) }),
    ).toMatch(/^watch: clusters: /);
    expect(error({ t: 'watch', clusters: [], view: 'connections' })).toMatch(/^watch: /);
  });
});
