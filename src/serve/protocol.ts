import type { ConsolePreview, ConsoleRequest } from '../actions/console-contract.js';
import type { StoreSeed } from '../store/lvs-store.js';
import type { StatePatch, StateSlices } from './state-diff.js';

/** Bumped when a message changes shape; attach refuses a serve that speaks another version. */
export const PROTOCOL_VERSION = 1;
/** Longest line either side accepts: a full state of a large fleet fits, a runaway sender does not. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** Longest line a client may send: requests are small. */
export const MAX_CLIENT_LINE_BYTES = 64 * 1024;

/** serve → attach */
export type ServerMessage =
  | {
      readonly t: 'hello';
      readonly v: number;
      readonly site: string;
      readonly seed: StoreSeed;
      readonly allowActions: boolean;
      /** How serve will name this operator in the audit log. */
      readonly operator: string;
      /**
       * Serve reads the connection tables of the clusters a console says it shows the Connections view of (`watch`).
       * Absent from an older serve, which reads them for drains only and is sent no `watch`.
       */
      readonly connectionsWatch?: boolean;
    }
  | { readonly t: 'state'; readonly state: StateSlices }
  | ({ readonly t: 'patch' } & StatePatch)
  | {
      readonly t: 'planned';
      readonly id: number;
      readonly ok: boolean;
      readonly message?: string;
      readonly preview?: ConsolePreview;
    }
  | { readonly t: 'ran'; readonly id: number; readonly ok: boolean; readonly message: string }
  | { readonly t: 'error'; readonly message: string };

/** attach → serve */
export type ClientMessage =
  | { readonly t: 'hello'; readonly v: number; readonly operator: string }
  | { readonly t: 'plan'; readonly id: number; readonly request: ConsoleRequest }
  | { readonly t: 'run'; readonly id: number; readonly confirmation: string | true; readonly reason?: string }
  | { readonly t: 'cancel'; readonly id: number }
  | { readonly t: 'refresh' }
  /** The clusters whose Connections view this console shows now (none: it shows none). */
  | { readonly t: 'watch'; readonly clusters: readonly string[] };
