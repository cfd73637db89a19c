import { applyFullState, applyPatch } from '../serve/attached-store.js';
import { diffState, RECORD_SLICES, stateSlices, type StatePatch, type StateSlices } from '../serve/state-diff.js';
import type { LvsState, LvsStore } from '../store/lvs-store.js';
import type { DirectorIpvs } from '../store/store-types.js';
import { applyEntryDelta, entryDelta, type EntryDelta } from './entry-delta.js';
import type { KeyframeLine, PatchLine } from './record-format.js';

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

/** Turns successive store states into keyframes and patches (diffState finds the entries, EntryDelta their change). */
export class RecordEncoder {
  private sent: StateSlices | undefined;
  private forms: Forms = {};

  keyframe(state: LvsState, at: number): KeyframeLine {
    this.sent = stateSlices(state);
    this.forms = formsOf(this.sent);
    return { t: 'key', at, state: this.sent };
  }

  /** The change since the last line, or undefined when nothing recorded changed (or no keyframe was made yet). */
  patch(state: LvsState, at: number): PatchLine | undefined {
    if (!this.sent) return undefined;
    const next = stateSlices(state);
    const patch = diffState(this.sent, next);
    this.sent = next;
    if (!patch) return undefined;
    const d: Record<string, Record<string, EntryDelta | null>> = {};
    for (const slice of RECORD_SLICES) {
      const set = patch.set[slice] as Record<string, unknown> | undefined;
      const forms = (this.forms[slice] ??= {});
      const out: Record<string, EntryDelta | null> = {};
      for (const [k, v] of Object.entries(set ?? {})) {
        const form = formOf(slice, v);
        const delta = entryDelta(forms[k], form);
        forms[k] = form;
        if (delta) out[k] = delta;
      }
      for (const k of patch.del[slice] ?? []) {
        delete forms[k];
        out[k] = null;
      }
      if (Object.keys(out).length > 0) d[slice] = out;
    }
    const line: PatchLine = {
      t: 'patch',
      at,
      ...(Object.keys(d).length > 0 ? { d } : {}),
      ...(patch.set.events ? { events: patch.set.events as StateSlices['events'] } : {}),
      ...(patch.set.audit ? { audit: patch.set.audit as StateSlices['audit'] } : {}),
      ...('jumpHost' in patch.set ? { jumpHost: (patch.set.jumpHost ?? null) as StateSlices['jumpHost'] | null } : {}),
    };
    return line.d || line.events || line.audit || 'jumpHost' in line ? line : undefined;
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
}
