import { describe, expect, it } from 'vitest';
import { config } from '../../test/support/console-store.js';
import { applyCaptures } from '../../test/support/fixture-store.js';
import { INCIDENT_START, incidentCaptures, incidentStore, POLL_MS } from '../../test/support/recorded-incident.js';
import { clusterInfos } from '../poller/host-plan.js';
import { createLvsStore } from '../store/lvs-store.js';
import { RecordDecoder, RecordEncoder } from './record-codec.js';
import type { PatchLine } from './record-format.js';

describe('record codec', () => {
  it('patches from the keys the store wrote are the patches a walk over every key gives', () => {
    const store = incidentStore();
    applyCaptures(store, config, incidentCaptures(0), INCIDENT_START);
    const following = new RecordEncoder();
    following.written.follow(store);
    const walking = new RecordEncoder();
    following.keyframe(store.getState(), INCIDENT_START);
    walking.keyframe(store.getState(), INCIDENT_START);
    let patches = 0;
    for (let poll = 1; poll < 30; poll++) {
      const at = INCIDENT_START + poll * POLL_MS;
      applyCaptures(store, config, incidentCaptures(poll), at);
      const a = following.patch(store.getState(), at);
      expect(a).toEqual(walking.patch(store.getState(), at));
      if (a) patches++;
    }
    following.written.stop();
    expect(patches).toBe(29);
  });

  it('patches landed together leave the store as landing them one by one does', async () => {
    const store = incidentStore();
    applyCaptures(store, config, incidentCaptures(0), INCIDENT_START);
    const encoder = new RecordEncoder();
    encoder.written.follow(store);
    const key = encoder.keyframe(store.getState(), INCIDENT_START);
    const lines: PatchLine[] = [];
    for (let poll = 1; poll < 30; poll++) {
      const at = INCIDENT_START + poll * POLL_MS;
      applyCaptures(store, config, incidentCaptures(poll), at);
      lines.push(encoder.patch(store.getState(), at)!);
    }
    encoder.written.stop();
    // Replaying stores as Recording makes them: no events of their own, only the recorded ones.
    const replayStore = () =>
      createLvsStore({
        clusters: clusterInfos(config),
        hosts: Object.keys(config.hosts),
        pollIntervalMs: POLL_MS,
        readOnly: true,
      });
    const one = replayStore();
    const many = replayStore();
    const [d1, d2] = [new RecordDecoder(), new RecordDecoder()];
    d1.keyframe(one, key);
    d2.keyframe(many, key);
    for (const l of lines) d1.patch(one, l);
    d2.patches(many, lines);
    const data = (s: typeof one) => {
      const { hosts, ipvs, keepalived, history, events } = s.getState();
      return JSON.parse(JSON.stringify({ hosts, ipvs, keepalived, history, events })) as unknown;
    };
    expect(data(many)).toEqual(data(one));
    expect(many.getState().events.map((e) => e.kind)).toContain('split-brain-begin');
  });
});
