import { z } from 'zod';
import { bracketed, drainKey, realServerKey, realServerRowId } from '../../../collectors/ids.js';
import type { IpvsService } from '../../../collectors/ipvs-types.js';
import type { ActionContext } from '../action-context.js';
import { ActionError, badInput } from '../action-error.js';
import type { ActionKind, ListedServices } from '../action-kind.js';
import type { WeightEdit, WeightPlan } from '../action-types.js';
import { findCluster, findDirector, peerDirectors } from '../config-lookup.js';
import { MAX_TARGETS, name, parsedBy, realServerTargetSchema } from '../console-schema.js';
import { editRealServerArgv } from '../ipvsadm-edit.js';
import { readIpvsTables, type IpvsTables, type LiveIpvs } from '../live-read.js';
import { actionCommand, plural, unique } from '../plan-common.js';
import type { RealServerTarget } from '../row-target.js';
import {
  findService,
  matchesRealServer,
  realServerSelector,
  type RealServerSelector,
  type ServiceSelector,
} from '../target-spec.js';
import {
  describeWeightChange,
  parseWeight,
  parseWeightChange,
  weightChangeOf,
  weightValueOf,
  type WeightChange,
  type WeightValue,
} from '../weight-change.js';
import { weightChanges, weightDriver, weightEdit } from '../weight-fields.js';
import { floorVerdict } from '../weight-floor.js';
import { emptiedServices, weightWarnings } from '../weight-guard.js';

export interface WeightConsoleRequest {
  readonly kind: 'weight';
  readonly cluster: string;
  readonly targets: readonly RealServerTarget[];
  readonly value: WeightValue;
  /** Each target's address in every service on every director of the cluster, as one change (a transaction). */
  readonly wholeHost?: boolean;
}

export interface WeightRequest {
  readonly action: 'weight';
  readonly cluster: string;
  readonly director: string;
  /** One service, or `all`: every service of the director that has the real server. */
  readonly service: ServiceSelector | 'all';
  readonly realServer: RealServerSelector;
  readonly change: WeightChange;
  /** Apply the same change on the other directors of the cluster (keepalived pairs). */
  readonly alsoPeer?: boolean;
  /** Weights the operator saw, by realServerRowId; compare-and-set checks them. */
  readonly seen?: Readonly<Record<string, number>>;
}

/** Exact weights for exact rows, named by their keys: what an undo of a weight change asks for. */
export interface WeightRowsRequest {
  readonly action: 'weight-rows';
  readonly cluster: string;
  readonly director: string;
  readonly rows: readonly {
    readonly host: string;
    readonly service: string;
    readonly realServer: string;
    readonly weight: number;
    readonly seen?: number;
  }[];
}

export type WeightKindRequest = WeightRequest | WeightRowsRequest;

/**
 * A weight as the headless `weight` command parses it: a number is an exact weight (parseWeight: an integer
 * 0..65535), a string is `N`, `+N`, `-N`, `drain` or `restore` (parseWeightChange).
 */
const weightValue = z
  .union([z.number(), z.string().max(16)])
  .transform(
    parsedBy((v: number | string): WeightValue =>
      weightValueOf(typeof v === 'number' ? { kind: 'set', weight: parseWeight(String(v)) } : parseWeightChange(v)),
    ),
  );

/** One request per address the targets name: all its services, on the director and its peers. */
function wholeHostRequests(req: WeightConsoleRequest, listed: ListedServices): WeightRequest[] {
  const byAddress = new Map(req.targets.map((t) => [t.realServer.address, t]));
  return [...byAddress.values()].map((t) => {
    const seen: Record<string, number> = {};
    for (const s of listed(t.director) ?? [])
      for (const rs of s.realServers)
        if (rs.address === t.realServer.address) seen[realServerRowId(t.director, s.key, rs)] = rs.weight;
    return {
      action: 'weight',
      cluster: req.cluster,
      director: t.director,
      service: 'all',
      realServer: { address: t.realServer.address, label: bracketed(t.realServer.address) },
      change: weightChangeOf(req.value),
      alsoPeer: true,
      seen,
    };
  });
}

function fromConsole(req: WeightConsoleRequest, listed: ListedServices): WeightRequest[] {
  if (req.wholeHost) return wholeHostRequests(req, listed);
  return req.targets.map((t) => {
    const seen = listed(t.director)
      ?.find((s) => s.key === t.service)
      ?.realServers.find((x) => x.address === t.realServer.address && x.port === t.realServer.port)?.weight;
    return {
      action: 'weight',
      cluster: req.cluster,
      director: t.director,
      service: { key: t.service },
      realServer: realServerSelector(t.realServer),
      change: weightChangeOf(req.value),
      ...(seen === undefined ? {} : { seen: { [realServerRowId(t.director, t.service, t.realServer)]: seen } }),
    };
  });
}

/** A real server row a weight request selects, with what the operator saw and asked for. */
export interface Row {
  readonly host: string;
  readonly service: IpvsService;
  readonly rs: IpvsService['realServers'][number];
  readonly seen?: number;
  /** The weight asked for, when the request names it (weight-rows). */
  readonly weight?: number;
}

const serviceList = (live: LiveIpvs) => live.table.services.map((s) => s.key).join(', ') || 'none';

/** Rows a `weight` request selects on one director; none on the director itself is bad input, on a peer a warning. */
export function selectRows(request: WeightRequest, live: LiveIpvs): Row[] {
  const selector = request.service;
  const services =
    selector === 'all'
      ? live.table.services
      : [findService(selector, live.table.services, live.host)].filter((s): s is IpvsService => s !== undefined);
  const named = selector === 'all' ? 'all' : selector.key;
  if (services.length === 0) throw badInput(`no service ${named} on ${live.host} (services: ${serviceList(live)})`);
  const rows = services.flatMap((service) =>
    service.realServers
      .filter((rs) => matchesRealServer(request.realServer, rs))
      .map((rs) => {
        const seen = request.seen?.[realServerRowId(live.host, service.key, rs)];
        return { host: live.host, service, rs, ...(seen === undefined ? {} : { seen }) };
      }),
  );
  if (rows.length === 0)
    throw badInput(
      `no real server ${request.realServer.label} in ${selector === 'all' ? 'any service' : services[0]!.key} on ${live.host}`,
    );
  return rows;
}

/** The exact rows an undo names by their keys; one that is gone is bad input. */
export function exactRows(request: WeightRowsRequest, tables: IpvsTables): Row[] {
  return request.rows.map((r) => {
    const service = tables.get(r.host)!.table.services.find((s) => s.key === r.service);
    const rs = service?.realServers.find((x) => realServerKey(x) === r.realServer);
    if (!service || !rs) throw badInput(`no real server ${r.realServer} in ${r.service} on ${r.host}`);
    return { host: r.host, service, rs, weight: r.weight, ...(r.seen === undefined ? {} : { seen: r.seen }) };
  });
}

/** The rows a request selects on the director and its peers; a peer without them is a warning, not an error. */
function rowsOf(request: WeightKindRequest, ctx: PlanScope, warnings: string[]): Row[] {
  if (request.action === 'weight-rows') return exactRows(request, ctx.tables);
  const [first, ...peers] = ctx.directors;
  const rows = selectRows(request, ctx.tables.get(first!)!);
  for (const peer of peers) {
    try {
      rows.push(...selectRows(request, ctx.tables.get(peer)!));
    } catch (err) {
      if (!(err instanceof ActionError)) throw err;
      warnings.push(`peer ${peer}: ${err.message}; left alone`);
    }
  }
  return rows;
}

interface PlanScope {
  readonly cluster: ReturnType<typeof findCluster>;
  readonly directors: readonly string[];
  readonly tables: IpvsTables;
}

/** The edits the rows need: the weight each gets, what the operator saw, the options ipvsadm -e must keep. */
async function editsOf(ctx: ActionContext, request: WeightKindRequest, scope: PlanScope, warnings: string[]) {
  const edits: WeightEdit[] = [];
  for (const row of rowsOf(request, scope, warnings)) {
    const remembered =
      request.action === 'weight' && request.change.kind === 'restore'
        ? await ctx.drained.get(drainKey(scope.cluster.name, row.host, row.service.key, row.rs))
        : undefined;
    const edit = weightEdit(row, request.action === 'weight' ? request.change : undefined, remembered, scope.tables);
    if (edit.warning) warnings.push(edit.warning);
    if (edit.edit) edits.push(edit.edit);
  }
  if (edits.length === 0)
    throw new ActionError('nothing-to-do', `nothing to change: every selected real server already has that weight`);
  return edits;
}

/** Plan a weight change on one or several rows; reads the live tables, changes nothing. */
async function buildWeightPlan(ctx: ActionContext, request: WeightKindRequest): Promise<WeightPlan> {
  const cluster = findCluster(ctx.resolved.config, request.cluster);
  const director = findDirector(cluster, request.director);
  const directors =
    request.action === 'weight-rows'
      ? unique(request.rows.map((r) => r.host))
      : [director.host, ...(request.alsoPeer ? peerDirectors(cluster, director.host).map((d) => d.host) : [])];
  const scope: PlanScope = { cluster, directors, tables: await readIpvsTables(ctx, cluster, directors) };
  const warnings: string[] = [];
  const edits = await editsOf(ctx, request, scope, warnings);
  const hosts = unique(edits.map((e) => e.host));
  const rsLabel =
    request.action === 'weight' ? request.realServer.label : unique(edits.map((e) => e.realServer)).join(', ');
  const serviceKeys = unique(edits.map((e) => e.service.key));
  const serviceLabel =
    request.action === 'weight' && request.service !== 'all'
      ? serviceKeys.join(', ')
      : plural(serviceKeys.length, 'service');
  const emptied = emptiedServices(edits, scope.tables);
  const floor = await floorVerdict(ctx, cluster, edits, scope.tables);
  const guards = [
    ...(emptied.length > 0
      ? [`${emptied.join(', ')} would have no real server with weight > 0 and stop taking new connections`]
      : []),
    ...floor.guards.map((g) => `fewer healthy servers than the floor: ${g}`),
  ];
  const peersUntouched = request.action === 'weight' && !request.alsoPeer;
  return {
    kind: 'weight',
    cluster: cluster.name,
    director: director.host,
    target: `${serviceLabel} ${rsLabel}`,
    edits,
    preview: {
      title:
        request.action === 'weight'
          ? `${describeWeightChange(request.change)}: ${rsLabel} in ${serviceLabel} on ${hosts.join(', ')}`
          : `set weights back: ${edits.map((e) => `${e.realServer} ${e.after}`).join(', ')}`,
      hosts,
      commands: edits.map((e) => actionCommand(ctx, e.host, editRealServerArgv(e.service, e, e.after))),
      changes: edits.flatMap(weightChanges),
      outcome: edits.every((e) => e.after === 0)
        ? `${rsLabel} gets no new connections; established ones continue until they close`
        : 'the new weights apply to new connections at once; established connections stay where they are',
      warnings: unique([
        ...warnings,
        ...floor.warnings,
        ...weightWarnings(edits, scope.tables, cluster, peersUntouched),
      ]),
      health: floor.lines,
    },
    ...(guards.length > 0 ? { guard: { reason: guards.join('; '), confirmName: rsLabel } } : {}),
    request,
    undo: {
      action: 'weight-rows',
      cluster: cluster.name,
      director: director.host,
      rows: edits.map((e) => ({
        host: e.host,
        service: e.service.key,
        realServer: e.realServer,
        weight: e.before,
        seen: e.after,
      })),
    },
  };
}

/** Real server weights: an exact value, a step, drain or restore (`ipvsadm -e`). */
export const weightKind: ActionKind<WeightKindRequest, WeightConsoleRequest, WeightPlan> = {
  kind: 'weight',
  actions: ['weight', 'weight-rows'],
  consoleSchema: z.strictObject({
    kind: z.literal('weight'),
    cluster: name,
    targets: z.array(realServerTargetSchema).min(1).max(MAX_TARGETS),
    value: weightValue,
    wholeHost: z.boolean().optional(),
  }),
  fromConsole,
  validate: (config, request) => {
    const cluster = findCluster(config, request.cluster);
    findDirector(cluster, request.director);
    if (request.action === 'weight-rows') for (const r of request.rows) findDirector(cluster, r.host);
  },
  plan: buildWeightPlan,
  driver: weightDriver,
  target: (r) => (r.action === 'weight' ? `${r.service === 'all' ? 'all' : r.service.key} ${r.realServer.label}` : ''),
};
