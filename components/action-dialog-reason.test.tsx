import { afterEach, describe, expect, it } from 'vitest';
import { mount, press, RecordingActions, type Mounted, type Step } from '../test/support/app-harness.js';
import { capturedStore } from '../test/support/console-store.js';
import { waitForFrame } from '../test/support/frames.js';

let mounted: Mounted | undefined;
afterEach(() => mounted?.unmount());

const SERVICES: Step = ['2', /SERVICE \/ REAL SERVER/];

describe('the dialog reason line', () => {
  it('takes a reason with r on a plain action and hands it to the run', async () => {
    const actions = new RecordingActions();
    const r = (mounted = mount(capturedStore(), { actions }));
    await waitForFrame(r, /DIRECTOR\s+INSTANCE/);
    await press(r, [
      ['B', /reason: none \(r to type one\)/],
      ['r', /reason, enter when done/],
      'kernel update',
      ['return', /reason: kernel update/],
      ['y', /done and verified/],
    ]);
    expect(actions.runs).toEqual([true]);
    expect(actions.reasons).toEqual(['kernel update']);
  });

  it('with a required reason, refuses to confirm until one is typed; tab reaches it on a guarded action', async () => {
    const actions = new RecordingActions('10.18.11.21:80', true);
    const r = (mounted = mount(capturedStore(), { actions }));
    await press(r, [SERVICES, 'j', 'j', ['d', /reason \(required\), enter when done/], 'return']);
    await press(r, ['10.18.11.21:80', ['return', /a reason is required/]]);
    expect(actions.runs).toEqual([]);
    await press(r, ['real2 is down', 'tab', ['return', /done and verified/]]);
    expect(actions.runs).toEqual(['10.18.11.21:80']);
    expect(actions.reasons).toEqual(['real2 is down']);
  });
});
