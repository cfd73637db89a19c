import { applyFullState, applyPatch } from '../serve/attached-store.js';
import { RECORD_SLICES, stateSlices, type StatePatch, type StateSlices } from '../serve/state-diff.js';
import { AUDIT_VIEW_SIZE, EVENT_RING_SIZE, type LvsState, type LvsStore } from '../store/lvs-store.js';
import { changedKeys } from '../store/record-changes.js';
import type { AuditView, DirectorIpvs, LvsEvent } from '../store/store-types.js';
import { applyEntryDelta, applyEntryDeltaOwned, entryDelta, type EntryDelta } from './entry-delta.js';
import type { KeyframeLine, PatchLine } from './record-format.js';
import { WrittenKeys } from './written-keys.js';

type Slice = (typeof RECORD_SLICES)[number];
type Forms = Record<string, Record<string, unknown>>;

/**
 * What a record slice's entry is recorded as. An IPVS entry loses its rates: the replaying store derives them from
 * two readings (setIpvs) exactly as the live store did, as an attached console does.
 */
function formOf(slice: Slice, entry: unknown): unknown {
  if (slice !== 'ipvs') return entry;
  const { serviceRates: _s, realServerRates: _r, ...rest } = entry as DirectorIpvs;
  return rest;
}

function formsOf(slices: StateSlices): Forms {
  const forms: Forms = {};
  for (const slice of RECORD_SLICES) {
    const record: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(slices[slice] ?? {})) record[k] = formOf(slice, v);
    forms[slice] = record;
  }
  return forms;
}

/** Entries of `next` that `prev` did not hold (lists only grow at the end; the ring drops from the front). */
function appended<T>(prev: readonly T[], next: readonly T[]): T[] {
  if (prev === next) return [];
  const seen = new Set(prev);
  return next.filter((e) => !seen.has(e));
}

/**
 * Turns successive store states into keyframes and patches: the entries written since the last line (WrittenKeys,
 * when it follows the store; else every key is compared), each as its EntryDelta.
 */
export class RecordEncoder {
  readonly written = new WrittenKeys();
  private sent: StateSlices | undefined;
  private forms: Forms = {};

  keyframe(state: LvsState, at: number): KeyframeLine {
    this.written.take();
    this.sent = stateSlices(state);
    this.forms = formsOf(this.sent);
    return { t: 'key', at, state: this.sent };
  }

  /** The change since the last line, or undefined when nothing recorded changed (or no keyframe was made yet). */
  patch(state: LvsState, at: number): PatchLine | undefined {
    const prev = this.sent;
    if (!prev) return undefined;
    const next = stateSlices(state);
    this.sent = next;
    const written = this.written.take();
    const d: Record<string, Record<string, EntryDelta | null>> = {};
    for (const slice of RECORD_SLICES) {
      if (prev[slice] === next[slice]) continue;
      const keys = written?.get(slice) ?? changedKeys<unknown>(prev[slice], next[slice], undefined);
      const out = this.sliceDelta(slice, prev[slice], next[slice], keys);
      if (out) d[slice] = out;
    }
    const events = appended(prev.events, next.events);
    const audit = appended(prev.audit, next.audit);
    const line: PatchLine = {
      t: 'patch',
      at,
      ...(Object.keys(d).length > 0 ? { d } : {}),
      ...(events.length > 0 ? { events } : {}),
      ...(audit.length > 0 ? { audit } : {}),
      ...(prev.jumpHost !== next.jumpHost ? { jumpHost: next.jumpHost ?? null } : {}),
    };
    return line.d || line.events || line.audit || 'jumpHost' in line ? line : undefined;
  }

  private sliceDelta(
    slice: Slice,
    prev: Readonly<Record<string, unknown>>,
    next: Readonly<Record<string, unknown>>,
    keys: Iterable<string>,
  ): Record<string, EntryDelta | null> | undefined {
    const forms = (this.forms[slice] ??= {});
    const out: Record<string, EntryDelta | null> = {};
    let any = false;
    for (const k of keys) {
      if (!Object.hasOwn(next, k)) {
        // Gone since the last line (a key that came and went in between was never recorded: nothing to say).
        if (!Object.hasOwn(prev, k)) continue;
        delete forms[k];
        out[k] = null;
        any = true;
        continue;
      }
      const v = next[k];
      if (prev[k] === v) continue;
      const form = formOf(slice, v);
      const delta = entryDelta(forms[k], form);
      forms[k] = form;
      if (delta) {
        out[k] = delta;
        any = true;
      }
    }
    return any ? out : undefined;
  }
}

/** Applies keyframes and patches to a store, through the same functions attach uses for a serve's state. */
export class RecordDecoder {
  private forms: Forms = {};

  keyframe(store: LvsStore, line: KeyframeLine): void {
    this.forms = formsOf(line.state);
    applyFullState(store, line.state);
  }

  patch(store: LvsStore, line: PatchLine): void {
    const set: Record<string, unknown> = {};
    const del: Record<string, string[]> = {};
    for (const [slice, changes] of Object.entries(line.d ?? {})) {
      const forms = (this.forms[slice] ??= {});
      const changed: Record<string, unknown> = {};
      for (const [k, delta] of Object.entries(changes)) {
        if (delta === null) {
          delete forms[k];
          (del[slice] ??= []).push(k);
        } else changed[k] = forms[k] = applyEntryDelta(forms[k], delta);
      }
      if (Object.keys(changed).length > 0) set[slice] = changed;
    }
    if (line.events) set.events = line.events;
    if (line.audit) set.audit = line.audit;
    if ('jumpHost' in line) set.jumpHost = line.jumpHost;
    applyPatch(store, { set, del } as StatePatch);
  }

  /**
   * Apply patches as one change: each IPVS reading in turn through setIpvs (rates and history as the live store
   * derived them, in one batch), every other entry as it stands after the last patch, events and audit appended. The
   * store ends as applying them one by one would leave it, at the cost of one copy of each record instead of one per
   * patch: a seek applies up to a segment's worth.
   */
  patches(store: LvsStore, lines: readonly PatchLine[]): void {
    // A director that goes away and comes back needs the patches one by one (rare: a config change).
    if (lines.length <= 1 || lines.some((l) => Object.values(l.d?.ipvs ?? {}).includes(null))) {
      for (const l of lines) this.patch(store, l);
      return;
    }
    const touched = new Map<string, Set<string>>();
    const events: LvsEvent[] = [];
    const audit: AuditView[] = [];
    let jumpHost: { readonly v: PatchLine['jumpHost'] } | undefined;
    // Entries other than IPVS readings only matter as they end: changed in place once copied (an IPVS reading goes to
    // the store as it is, so it stays a new object each time).
    const owned = new WeakSet<object>();
    store.getState().batch(() => {
      for (const line of lines) {
        for (const [slice, changes] of Object.entries(line.d ?? {})) {
          const forms = (this.forms[slice] ??= {});
          let keys = touched.get(slice);
          if (!keys && slice !== 'ipvs') touched.set(slice, (keys = new Set()));
          for (const [k, delta] of Object.entries(changes)) {
            if (delta === null) delete forms[k];
            else forms[k] = keys ? applyEntryDeltaOwned(forms[k], delta, owned) : applyEntryDelta(forms[k], delta);
            if (keys) keys.add(k);
            else if (delta !== null) {
              const d = forms[k] as DirectorIpvs;
              store.getState().setIpvs(d.host, d.reading, d.readAt);
            }
          }
        }
        if (line.events) events.push(...line.events);
        if (line.audit) audit.push(...line.audit);
        if ('jumpHost' in line) jumpHost = { v: line.jumpHost };
      }
    });
    const s = store.getState();
    const update: Partial<Record<keyof LvsState, unknown>> = {};
    for (const [slice, keys] of touched) {
      const forms = this.forms[slice]!;
      const next: Record<string, unknown> = { ...s[slice as Slice] };
      for (const k of keys)
        if (Object.hasOwn(forms, k)) next[k] = forms[k];
        else delete next[k];
      update[slice as Slice] = next;
    }
    if (events.length > 0) update.events = [...s.events, ...events].slice(-EVENT_RING_SIZE);
    if (audit.length > 0) update.audit = [...s.audit, ...audit].slice(-AUDIT_VIEW_SIZE);
    if (jumpHost) update.jumpHost = jumpHost.v ?? undefined;
    if (Object.keys(update).length > 0) store.setState(update as Partial<LvsState>);
  }
}
