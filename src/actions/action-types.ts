import type { RealServerThresholds } from '../../collectors/ipvs-thresholds.js';
import type { ForwardMethod, IpvsService } from '../../collectors/ipvs-types.js';
import type { VrrpExpectation, VrrpSide, TrackWrite } from './vrrp-force.js';

export type { ActionPlan, ActionRequest } from './action-kinds.js';
import type { ActionPlan, ActionRequest } from './action-kinds.js';

/** One command the action sends, exactly as sent. */
export interface ActionCommand {
  readonly host: string;
  readonly argv: readonly string[];
  /** The string the remote shell runs (argvToCommand). */
  readonly command: string;
}

/** One value the action changes, as the preview shows it and the audit log records it. */
export interface ActionChange {
  readonly host: string;
  readonly target: string;
  readonly field: string;
  readonly before: string;
  readonly after: string;
}

export interface ActionGuard {
  readonly reason: string;
  /** What the operator must type to go ahead anyway. */
  readonly confirmName: string;
}

export interface ActionPreview {
  /** One line: what the action does. */
  readonly title: string;
  readonly hosts: readonly string[];
  readonly commands: readonly ActionCommand[];
  readonly changes: readonly ActionChange[];
  readonly outcome: string;
  readonly warnings: readonly string[];
  /** Which real servers count as healthy and why (weight changes: the floor of healthy servers). */
  readonly health?: readonly string[];
}

interface PlanBase {
  /** The entry of action-kinds.ts that made it. */
  readonly kind: string;
  readonly cluster: string;
  readonly director: string;
  /** What is acted on, for the audit log: `TCP 172.16.60.22:80 192.168.60.99:80`, `VI_WEB`. */
  readonly target: string;
  readonly preview: ActionPreview;
  readonly guard?: ActionGuard;
  readonly request: ActionRequest;
  /** The request that reverses this action once done, when there is one. */
  readonly undo?: ActionRequest;
  /** The reason the audit line carries when the run is given none (an undo: the original action's). */
  readonly reason?: string;
}

/** A service row as the plan needs it: enough to build ipvsadm options and to find it again. */
export type ServiceRef = Pick<IpvsService, 'key' | 'protocol' | 'address' | 'port' | 'fwmark' | 'ipv6'>;

export interface WeightEdit {
  readonly host: string;
  readonly service: ServiceRef;
  readonly realServer: string;
  readonly address: string;
  readonly port: number;
  /** Expected before: the forwarding method and weight compare-and-set checks, and the thresholds kept. */
  readonly forward: ForwardMethod;
  readonly thresholds?: RealServerThresholds;
  readonly before: number;
  readonly after: number;
}

export interface WeightPlan extends PlanBase {
  readonly kind: 'weight';
  readonly edits: readonly WeightEdit[];
}

export interface ServiceSettings {
  readonly scheduler: string;
  readonly persistence: string;
  readonly flags: string;
}

export interface SchedulerEdit {
  readonly host: string;
  readonly service: ServiceRef;
  /** Expected before. */
  readonly before: ServiceSettings;
  readonly after: ServiceSettings;
}

export interface SchedulerPlan extends PlanBase {
  readonly kind: 'scheduler';
  readonly edits: readonly SchedulerEdit[];
}

export interface VrrpPlan extends PlanBase {
  readonly kind: 'failover' | 'release';
  readonly instance: string;
  readonly vips: readonly string[];
  readonly writes: readonly TrackWrite[];
  /** Expected before: every director's side of the instance as read when planning. */
  readonly sides: readonly VrrpSide[];
  readonly expect: VrrpExpectation;
}

export type ActionOutcome = 'ok' | 'verify-failed' | 'aborted-cas' | 'refused-guard' | 'refused-read-only' | 'error';

export interface ActionResult {
  readonly outcome: ActionOutcome;
  readonly message: string;
  readonly plan: ActionPlan;
  /** Values read back after the action (or at compare-and-set), keyed like the audit log's. */
  readonly after: Readonly<Record<string, string>>;
  /** Differences found by compare-and-set or by the read-back. */
  readonly mismatches: readonly string[];
  readonly durationMs: number;
  /** Time from the last command to a verified state. */
  readonly verifyMs?: number;
  /** Headless exit code for this outcome. */
  readonly exitCode: number;
}
