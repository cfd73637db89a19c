import type { ActionContext } from './action-context.js';
import { ActionError, badInput } from './action-error.js';
import type { ActionChange, ActionCommand, ActionRequest, SchedulerEdit, SchedulerPlan } from './action-types.js';
import { changeKey } from './audit-log.js';
import { findCluster, findDirector, peerDirectors } from './config-lookup.js';
import { editSchedulerArgv, serviceSettings } from './ipvsadm-edit.js';
import { keepalivedOwnerWarning, keepalivedOwns } from './keepalived-owner.js';
import { readDirectorIpvs, type DirectorIpvs } from './live-read.js';
import { actionCommand, serviceRef, unique } from './plan-common.js';
import { validateSchedulerName } from './schedulers.js';
import { findService, parseServiceSpec } from './target-spec.js';

type SchedulerRequest = Extract<ActionRequest, { action: 'scheduler' }>;

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

export function schedulerLiveValues(edit: SchedulerEdit, live: DirectorIpvs): Record<string, string> {
  const svc = live.table.services.find((s) => s.key === edit.service.key);
  const now = svc ? serviceSettings(svc) : undefined;
  return Object.fromEntries(
    schedulerChanges(edit).map((c) => [changeKey(c), now ? now[c.field as (typeof FIELDS)[number]] : 'absent']),
  );
}

/** Plan `ipvsadm -E … -s SCHED` keeping persistence, mask and flags; reads the live tables, changes nothing. */
export async function buildSchedulerPlan(ctx: ActionContext, request: SchedulerRequest): Promise<SchedulerPlan> {
  const cluster = findCluster(ctx.resolved.config, request.cluster);
  const director = findDirector(cluster, request.director);
  const scheduler = validateSchedulerName(request.scheduler);
  const spec = parseServiceSpec(request.service);
  const directors = request.hosts
    ? request.hosts.map((h) => findDirector(cluster, h))
    : [director, ...(request.alsoPeer ? peerDirectors(cluster, director.host) : [])];
  const tables = await Promise.all(directors.map((d) => readDirectorIpvs(ctx, d, { schedulers: true })));
  const warnings: string[] = [];
  const edits: SchedulerEdit[] = [];
  const commands: ActionCommand[] = [];
  for (const [i, live] of tables.entries()) {
    const svc = findService(spec, live.table.services, live.host);
    if (!svc) {
      const message = `no service ${spec.key} on ${live.host} (services: ${live.table.services.map((s) => s.key).join(', ') || 'none'})`;
      if (i === 0) throw badInput(message);
      warnings.push(`peer ${message}; left alone`);
      continue;
    }
    if (live.schedulers && live.schedulers.length > 0 && !live.schedulers.includes(scheduler))
      throw badInput(
        `scheduler ${scheduler} is not available on ${live.host} (kernel offers: ${live.schedulers.join(' ')})`,
      );
    const before = serviceSettings(svc);
    const seen = i === 0 ? request.seen : undefined;
    if (seen !== undefined && seen !== svc.scheduler)
      warnings.push(
        `${live.host} ${svc.key}: scheduler is now ${svc.scheduler}, not ${seen} as shown; the action will abort (refresh first)`,
      );
    if (svc.scheduler === scheduler && (seen === undefined || seen === svc.scheduler)) continue;
    const edit: SchedulerEdit = {
      host: live.host,
      service: serviceRef(svc),
      before: seen === undefined ? before : { ...before, scheduler: seen },
      after: { ...before, scheduler },
    };
    commands.push(actionCommand(ctx, live.host, editSchedulerArgv(svc, scheduler)));
    edits.push(edit);
    if (svc.flags.some((f) => /^(sh|mh|flag)-/.test(f)))
      warnings.push(
        `${svc.key} has scheduler flags (${svc.flags.join(', ')}): they are kept as bits, whose meaning depends on the scheduler`,
      );
    if (live.keepalivedVirtualServers !== undefined && keepalivedOwns(live.keepalivedVirtualServers, svc))
      warnings.push(
        keepalivedOwnerWarning(
          live.host,
          'scheduler change (lb_algo)',
          request.alsoPeer || request.hosts ? [] : peerDirectors(cluster, live.host).map((d) => d.host),
        ),
      );
  }
  if (edits.length === 0) throw new ActionError('nothing-to-do', `${spec.key} already uses ${scheduler}`);
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
      commands,
      changes: edits.flatMap(schedulerChanges),
      outcome: `new connections are scheduled by ${scheduler}; persistence and flags stay as they are; established connections are not moved`,
      warnings: unique(warnings),
    },
    request,
    undo: {
      action: 'scheduler',
      cluster: cluster.name,
      director: director.host,
      service: first.service.key,
      scheduler: first.before.scheduler,
      seen: scheduler,
      hosts: edits.map((e) => e.host),
    },
  };
}
