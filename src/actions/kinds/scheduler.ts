import { z } from 'zod';
import type { ActionContext } from '../action-context.js';
import type { ClusterConfig } from '../../config/config-schema.js';
import { ActionError, badInput } from '../action-error.js';
import type { ActionKind, ActionDriver, ListedServices } from '../action-kind.js';
import type { ActionChange, SchedulerEdit, SchedulerPlan } from '../action-types.js';
import { changeKey } from '../audit-log.js';
import { findCluster, findDirector, peerDirectors } from '../config-lookup.js';
import { name, parsedBy, serviceTargetSchema, text } from '../console-schema.js';
import { editSchedulerArgv, serviceSettings } from '../ipvsadm-edit.js';
import { keepalivedOwnerWarning, keepalivedOwns } from '../keepalived-owner.js';
import { readIpvsTables, type LiveIpvs } from '../live-read.js';
import { actionCommand, serviceRef, unique } from '../plan-common.js';
import type { ServiceTarget } from '../row-target.js';
import { validateSchedulerName } from '../schedulers.js';
import { findService, parseServiceSpec, type ServiceSelector } from '../target-spec.js';
import { IPVS_SETTLE_MS } from '../weight-fields.js';

export interface SchedulerConsoleRequest {
  readonly kind: 'scheduler';
  readonly cluster: string;
  readonly target: ServiceTarget;
  readonly scheduler: string;
}

export interface SchedulerRequest {
  readonly action: 'scheduler';
  readonly cluster: string;
  readonly director: string;
  readonly service: ServiceSelector;
  readonly scheduler: string;
  readonly alsoPeer?: boolean;
  /** The scheduler the operator saw (compare-and-set). */
  readonly seen?: string;
  /** The hosts to change, when not the director (and its peers with alsoPeer): an undo names them. */
  readonly hosts?: readonly string[];
}

const FIELDS = ['scheduler', 'persistence', 'flags'] as const;

/** The scheduler changes; persistence and flags must stay as they are. */
export function schedulerChanges(edit: SchedulerEdit): ActionChange[] {
  return FIELDS.map((field) => ({
    host: edit.host,
    target: edit.service.key,
    field,
    before: edit.before[field],
    after: edit.after[field],
  }));
}

export function schedulerLiveValues(edit: SchedulerEdit, live: LiveIpvs): Record<string, string> {
  const svc = live.table.services.find((s) => s.key === edit.service.key);
  const now = svc ? serviceSettings(svc) : undefined;
  return Object.fromEntries(
    schedulerChanges(edit).map((c) => [changeKey(c), now ? now[c.field as (typeof FIELDS)[number]] : 'absent']),
  );
}

function schedulerDriver(plan: SchedulerPlan): ActionDriver {
  return {
    read: async (ctx) => {
      const cluster = findCluster(ctx.resolved.config, plan.cluster);
      const tables = await readIpvsTables(ctx, cluster, unique(plan.edits.map((e) => e.host)));
      return Object.assign({}, ...plan.edits.map((e) => schedulerLiveValues(e, tables.get(e.host)!)));
    },
    settleMs: () => IPVS_SETTLE_MS,
  };
}

interface EditScope {
  readonly request: SchedulerRequest;
  readonly cluster: ClusterConfig;
  readonly scheduler: string;
  readonly warnings: string[];
}

/** The edit of one director's table and its argv, or none (a peer without the service is warned about). */
function editOn(scope: EditScope, live: LiveIpvs, first: boolean): { edit: SchedulerEdit; argv: string[] } | undefined {
  const { request, scheduler, warnings } = scope;
  const svc = findService(request.service, live.table.services, live.host);
  if (!svc) {
    const message = `no service ${request.service.key} on ${live.host} (services: ${live.table.services.map((s) => s.key).join(', ') || 'none'})`;
    if (first) throw badInput(message);
    warnings.push(`peer ${message}; left alone`);
    return undefined;
  }
  if (live.schedulers && live.schedulers.length > 0 && !live.schedulers.includes(scheduler))
    throw badInput(
      `scheduler ${scheduler} is not available on ${live.host} (kernel offers: ${live.schedulers.join(' ')})`,
    );
  const before = serviceSettings(svc);
  const seen = first ? request.seen : undefined;
  if (seen !== undefined && seen !== svc.scheduler)
    warnings.push(
      `${live.host} ${svc.key}: scheduler is now ${svc.scheduler}, not ${seen} as shown; the action will abort (refresh first)`,
    );
  if (svc.scheduler === scheduler && (seen === undefined || seen === svc.scheduler)) return undefined;
  const argv = editSchedulerArgv(svc, scheduler);
  if (svc.flags.some((f) => /^(sh|mh|flag)-/.test(f)))
    warnings.push(
      `${svc.key} has scheduler flags (${svc.flags.join(', ')}): they are kept as bits, whose meaning depends on the scheduler`,
    );
  if (live.keepalivedVirtualServers !== undefined && keepalivedOwns(live.keepalivedVirtualServers, svc)) {
    const peers = request.alsoPeer || request.hosts ? [] : peerDirectors(scope.cluster, live.host);
    warnings.push(
      keepalivedOwnerWarning(
        live.host,
        'scheduler change (lb_algo)',
        peers.map((d) => d.host),
      ),
    );
  }
  const edit: SchedulerEdit = {
    host: live.host,
    service: serviceRef(svc),
    before: seen === undefined ? before : { ...before, scheduler: seen },
    after: { ...before, scheduler },
  };
  return { edit, argv };
}

/** Plan `ipvsadm -E … -s SCHED` keeping persistence, mask and flags; reads the live tables, changes nothing. */
async function buildSchedulerPlan(ctx: ActionContext, request: SchedulerRequest): Promise<SchedulerPlan> {
  const cluster = findCluster(ctx.resolved.config, request.cluster);
  const director = findDirector(cluster, request.director);
  const scheduler = validateSchedulerName(request.scheduler);
  const peers = request.alsoPeer ? peerDirectors(cluster, director.host).map((d) => d.host) : [];
  const hosts = request.hosts ?? [director.host, ...peers];
  const tables = await readIpvsTables(ctx, cluster, hosts, { schedulers: true });
  const scope: EditScope = { request, cluster, scheduler, warnings: [] };
  const done = hosts.flatMap((h, i) => editOn(scope, tables.get(h)!, i === 0) ?? []);
  if (done.length === 0) throw new ActionError('nothing-to-do', `${request.service.key} already uses ${scheduler}`);
  const edits = done.map((d) => d.edit);
  const first = edits[0]!;
  return {
    kind: 'scheduler',
    cluster: cluster.name,
    director: director.host,
    target: first.service.key,
    edits,
    preview: {
      title: `scheduler of ${first.service.key}: ${first.before.scheduler} → ${scheduler} on ${unique(edits.map((e) => e.host)).join(', ')}`,
      hosts: unique(edits.map((e) => e.host)),
      commands: done.map((d) => actionCommand(ctx, d.edit.host, d.argv)),
      changes: edits.flatMap(schedulerChanges),
      outcome: `new connections are scheduled by ${scheduler}; persistence and flags stay as they are; established connections are not moved`,
      warnings: unique(scope.warnings),
    },
    request,
    undo: {
      action: 'scheduler',
      cluster: cluster.name,
      director: director.host,
      service: { key: first.service.key },
      scheduler: first.before.scheduler,
      seen: scheduler,
      hosts: edits.map((e) => e.host),
    },
  };
}

/** A service's scheduler (`ipvsadm -E -s`), keeping persistence and flags. */
export const schedulerKind: ActionKind<SchedulerRequest, SchedulerConsoleRequest, SchedulerPlan> = {
  kind: 'scheduler',
  actions: ['scheduler'],
  consoleSchema: z.strictObject({
    kind: z.literal('scheduler'),
    cluster: name,
    target: serviceTargetSchema,
    scheduler: text(16).transform(parsedBy(validateSchedulerName)),
  }),
  fromConsole: (req, listed: ListedServices) => {
    const { director, service } = req.target;
    const seen = listed(director)?.find((s) => s.key === service)?.scheduler;
    return [
      {
        action: 'scheduler',
        cluster: req.cluster,
        director,
        service: { key: service },
        scheduler: req.scheduler,
        ...(seen ? { seen } : {}),
      },
    ];
  },
  validate: (config, request) => {
    const cluster = findCluster(config, request.cluster);
    findDirector(cluster, request.director);
    validateSchedulerName(request.scheduler);
    request.hosts?.forEach((h) => findDirector(cluster, h));
  },
  plan: buildSchedulerPlan,
  driver: schedulerDriver,
  target: (r) => r.service.key,
  // Older audit lines name the service as text (`TCP 172.16.60.22:80`).
  revive: (r) => (typeof r.service === 'string' ? { ...r, service: parseServiceSpec(r.service) } : r),
};
