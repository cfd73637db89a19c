import { ok, parseError, type ParseResult } from './parse-result.js';

/** Where keepalived reads its configuration unless started with `-f`. */
export const KEEPALIVED_CONF_PATH = '/etc/keepalived/keepalived.conf';

/** A reference from a vrrp_instance to a track_file, with the weight the instance gives it (if any). */
export interface TrackFileRef {
  readonly name: string;
  readonly weight?: number;
}

export interface ConfVrrpInstance {
  readonly name: string;
  readonly state?: string;
  readonly interface?: string;
  readonly vrid?: number;
  readonly priority?: number;
  /** `advert_int`, seconds (may be a fraction with VRRPv3); keepalived's default is 1. */
  readonly advertIntSec?: number;
  /** `version` (2 or 3); keepalived's default is 2 unless `vrrp_version` in global_defs says otherwise. */
  readonly version?: 2 | 3;
  /** Addresses without prefix length or `dev`. */
  readonly vips: readonly string[];
  readonly trackFiles: readonly TrackFileRef[];
  readonly trackScripts: readonly string[];
  /** `notify`, `notify_master`, ... script lines, as written. */
  readonly notify: readonly string[];
}

export interface ConfTrackFile {
  readonly name: string;
  readonly file?: string;
  readonly weight?: number;
}

export interface ConfRealServer {
  readonly address: string;
  readonly port?: number;
  readonly weight?: number;
}

export interface ConfVirtualServer {
  /** `10.18.11.40 80`, `fwmark 1` or `group NAME`, as written. */
  readonly target: string;
  readonly address?: string;
  readonly port?: number;
  readonly fwmark?: number;
  readonly group?: string;
  readonly protocol?: string;
  readonly lbAlgo?: string;
  readonly lbKind?: string;
  readonly persistenceTimeout?: number;
  readonly realServers: readonly ConfRealServer[];
}

export interface KeepalivedConf {
  /** `include` patterns in the order written (may be globs, may be relative). */
  readonly includes: readonly string[];
  readonly instances: readonly ConfVrrpInstance[];
  /** `track_file` and the older `vrrp_track_file` definitions. */
  readonly trackFiles: readonly ConfTrackFile[];
  readonly scripts: readonly string[];
  readonly virtualServers: readonly ConfVirtualServer[];
}

interface Node {
  readonly words: string[];
  readonly line: number;
  children?: Node[];
}

/** Split into words, `{` and `}`, dropping `!` and `#` comments; quoted words keep their spaces. */
function tokenize(text: string): { word: string; line: number; quoted: boolean }[] {
  const out: { word: string; line: number; quoted: boolean }[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const re = /"([^"]*)"?|([{}])|([^\s{}"]+)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(raw))) {
      if (m[3] !== undefined && (m[3].startsWith('!') || m[3].startsWith('#'))) break;
      if (m[1] !== undefined) out.push({ word: m[1], line: i + 1, quoted: true });
      else out.push({ word: m[2] ?? m[3]!, line: i + 1, quoted: false });
    }
  });
  return out;
}

/** Statements are the words of one line; `{` opens a block for the statement before it (same or previous line). */
function buildTree(text: string): ParseResult<Node[]> {
  const root: Node[] = [];
  const stack: Node[][] = [root];
  let current: Node | undefined;
  for (const t of tokenize(text)) {
    const siblings = stack[stack.length - 1]!;
    if (!t.quoted && t.word === '{') {
      const owner = current ?? siblings[siblings.length - 1] ?? { words: [], line: t.line };
      if (!siblings.includes(owner)) siblings.push(owner);
      owner.children ??= [];
      stack.push(owner.children);
      current = undefined;
    } else if (!t.quoted && t.word === '}') {
      if (stack.length === 1) return parseError('unbalanced }', t.line);
      stack.pop();
      current = undefined;
    } else if (current && current.line === t.line && !current.children) {
      current.words.push(t.word);
    } else if (!t.quoted && t.word.startsWith('@') && !(current && current.line === t.line)) {
      // `@id` at the start of a line: the statement applies only to keepalived started with `-i id`; kept as it is.
      current = { words: [], line: t.line };
      siblings.push(current);
    } else {
      current = { words: [t.word], line: t.line };
      siblings.push(current);
    }
  }
  return ok(root);
}

const num = (w: string | undefined): number | undefined =>
  w !== undefined && /^-?\d+$/.test(w) ? Number(w) : undefined;
const value = (nodes: readonly Node[] | undefined, key: string): string | undefined =>
  nodes?.find((n) => n.words[0] === key)?.words[1];

function instanceOf(node: Node): ConfVrrpInstance {
  const body = node.children ?? [];
  const block = (key: string) =>
    body
      .filter((n) => n.words[0] === key)
      .flatMap((n) => n.children ?? [])
      .filter((n) => n.words.length > 0);
  const vips = ['virtual_ipaddress', 'virtual_ipaddress_excluded']
    .flatMap(block)
    .map((n) => n.words[0]!.replace(/\/\d+$/, ''));
  const trackFiles = block('track_file').map((n) => {
    const w = n.words.indexOf('weight');
    const weight = w > 0 ? num(n.words[w + 1]) : undefined;
    return { name: n.words[0]!, ...(weight === undefined ? {} : { weight }) };
  });
  const state = value(body, 'state');
  const iface = value(body, 'interface');
  const vrid = num(value(body, 'virtual_router_id'));
  const priority = num(value(body, 'priority'));
  const advert = value(body, 'advert_int');
  const advertIntSec = advert !== undefined && /^\d+(\.\d+)?$/.test(advert) ? Number(advert) : undefined;
  const version = num(value(body, 'version'));
  return {
    name: node.words[1] ?? '',
    ...(state ? { state: state.toUpperCase() } : {}),
    ...(iface ? { interface: iface } : {}),
    ...(vrid === undefined ? {} : { vrid }),
    ...(priority === undefined ? {} : { priority }),
    ...(advertIntSec ? { advertIntSec } : {}),
    ...(version === 2 || version === 3 ? { version } : {}),
    vips,
    trackFiles,
    trackScripts: block('track_script').map((n) => n.words[0]!),
    notify: body.filter((n) => /^notify(_\w+)?$/.test(n.words[0]!)).map((n) => n.words.slice(1).join(' ')),
  };
}

function trackFileOf(node: Node): ConfTrackFile {
  const file = value(node.children, 'file');
  const weight = num(value(node.children, 'weight'));
  return { name: node.words[1] ?? '', ...(file ? { file } : {}), ...(weight === undefined ? {} : { weight }) };
}

function virtualServerOf(node: Node): ConfVirtualServer {
  const [, a, b] = node.words;
  const body = node.children ?? [];
  const where = a === 'fwmark' ? { fwmark: num(b) } : a === 'group' ? { group: b } : { address: a, port: num(b) };
  const realServers = body
    .filter((n) => n.words[0] === 'real_server' && n.words[1])
    .map((n) => {
      const port = num(n.words[2]);
      const weight = num(value(n.children, 'weight'));
      return {
        address: n.words[1]!,
        ...(port === undefined ? {} : { port }),
        ...(weight === undefined ? {} : { weight }),
      };
    });
  const text = (k: string) => value(body, k);
  const persistence = num(text('persistence_timeout'));
  return {
    target: node.words.slice(1).join(' '),
    ...Object.fromEntries(Object.entries(where).filter(([, v]) => v !== undefined)),
    ...(text('protocol') ? { protocol: text('protocol')!.toUpperCase() } : {}),
    ...(text('lb_algo') ? { lbAlgo: text('lb_algo')! } : {}),
    ...(text('lb_kind') ? { lbKind: text('lb_kind')!.toUpperCase() } : {}),
    ...(persistence === undefined ? {} : { persistenceTimeout: persistence }),
    realServers,
  };
}

/**
 * Parse one keepalived.conf file. `include` lines are listed, not followed (the caller reads them and merges with
 * mergeKeepalivedConfs). Blocks it does not know are skipped; only unbalanced braces are an error.
 */
export function parseKeepalivedConf(text: string): ParseResult<KeepalivedConf> {
  const tree = buildTree(text);
  if (!tree.ok) return tree;
  const includes: string[] = [];
  const instances: ConfVrrpInstance[] = [];
  const trackFiles: ConfTrackFile[] = [];
  const scripts: string[] = [];
  const virtualServers: ConfVirtualServer[] = [];
  const visit = (nodes: readonly Node[]) => {
    for (const n of nodes) {
      const key = n.words[0];
      if (key === 'include' && n.words[1]) includes.push(n.words[1]);
      else if (key === 'vrrp_instance' && n.children) instances.push(instanceOf(n));
      else if ((key === 'track_file' || key === 'vrrp_track_file') && n.children && n.words[1])
        trackFiles.push(trackFileOf(n));
      else if (key === 'vrrp_script' && n.words[1]) scripts.push(n.words[1]);
      else if (key === 'virtual_server' && n.children) virtualServers.push(virtualServerOf(n));
      // keepalived's conditional blocks (`@host ...`, `$VAR`) and unknown top-level blocks are not entered.
    }
  };
  visit(tree.value);
  return ok({ includes, instances, trackFiles, scripts, virtualServers });
}

/** The configuration of a main file and its includes, in the order keepalived reads them. */
export function mergeKeepalivedConfs(confs: readonly KeepalivedConf[]): KeepalivedConf {
  return {
    includes: confs.flatMap((c) => c.includes),
    instances: confs.flatMap((c) => c.instances),
    trackFiles: confs.flatMap((c) => c.trackFiles),
    scripts: confs.flatMap((c) => c.scripts),
    virtualServers: confs.flatMap((c) => c.virtualServers),
  };
}

/** The path an include pattern names, relative patterns taken from the including file's directory. */
export function resolveIncludePath(pattern: string, fromFile: string): string {
  if (pattern.startsWith('/')) return pattern;
  const dir = fromFile.slice(0, fromFile.lastIndexOf('/') + 1) || '/';
  return dir + pattern;
}
