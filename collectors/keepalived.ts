import { parseCheckerDump, type CheckerDump } from './keepalived-check.js';
import { DATA_CUT_SHORT, parseKeepalivedData } from './keepalived-data.js';
import { CHECKER_MARK, DATA_MARK } from './keepalived-dump-script.js';
import { parseKeepalivedJson } from './keepalived-json.js';
import { parseNotifyLog, type NotifyLine } from './keepalived-notify.js';
import type { TrackFileStatus, VrrpInstance } from './keepalived-vrrp.js';
import type { SectionOutput } from './section.js';

/** One poll's keepalived reading: its dumps (JSON, data, checker) and notify log, or why there is none. */
export type KeepalivedReading =
  | {
      readonly status: 'ok';
      readonly source: 'json' | 'data';
      readonly instances: readonly VrrpInstance[];
      readonly trackFiles: readonly TrackFileStatus[];
      readonly notify: readonly NotifyLine[];
      /** JSON only: instances' track-file names and the track files' status are not in this reading. */
      readonly partial?: boolean;
      /** keepalived's health checkers and the weights it intends, from the checker dump (data dumps only). */
      readonly checkers?: CheckerDump;
    }
  | {
      readonly status: 'not-running' | 'permission' | 'timeout' | 'error';
      readonly message: string;
      /** The notify log, read even while keepalived is down (its STOP line is the one a takeover is timed from). */
      readonly notify?: readonly NotifyLine[];
    };

function failure(out: SectionOutput): KeepalivedReading {
  const message = out.stderr.trim().split('\n')[0]?.slice(0, 300) || `exit code ${out.exitCode}`;
  if (out.exitCode === 3) return { status: 'not-running', message };
  if (out.exitCode === 4) return { status: 'permission', message };
  if (out.exitCode === 5 || out.exitCode === 7 || out.exitCode === 137)
    return { status: 'timeout', message: out.exitCode === 137 ? 'keepalived not answering: dump timed out' : message };
  return { status: 'error', message };
}

/** A reading of the JSON dump alone: the instances' states without their track files (partial), or why it is none. */
function jsonOnly(text: string, notify: readonly NotifyLine[]): KeepalivedReading {
  const parsed = parseKeepalivedJson(text);
  return parsed.ok
    ? { status: 'ok', source: 'json', instances: parsed.value, trackFiles: [], notify, partial: true }
    : { status: 'error', message: parsed.error.message };
}

export function interpretKeepalived(sections: ReadonlyMap<string, SectionOutput>): KeepalivedReading {
  const out = sections.get('keepalived');
  const notifyOut = sections.get('keepalived-notify');
  const notify = notifyOut?.exitCode === 0 ? parseNotifyLog(notifyOut.stdout) : [];
  if (!out) return { status: 'error', message: 'no keepalived section in the poll output' };
  if (out.exitCode !== 0) {
    const failed = failure({ ...out, stderr: out.stderr.replace(/^signums .*\n?/m, '') });
    return notify.length > 0 ? { ...failed, notify } : failed;
  }
  const at = out.stdout.indexOf(DATA_MARK);
  // A JSON-only poll: track files are left as the last data dump had them.
  if (at < 0) return jsonOnly(out.stdout, notify);
  const jsonText = out.stdout.slice(0, at).trim();
  const rest = out.stdout.slice(at + DATA_MARK.length);
  const ckAt = rest.indexOf(CHECKER_MARK);
  const dump = parseKeepalivedData(ckAt < 0 ? rest : rest.slice(0, ckAt));
  // The checker view is an addition: a dump keepalived cut short leaves it out, never the VRRP reading.
  const checked = ckAt < 0 ? undefined : parseCheckerDump(rest.slice(ckAt + CHECKER_MARK.length));
  const checkers = checked?.ok ? { checkers: checked.value } : {};
  if (!dump.ok) {
    // A data dump read while keepalived wrote it: the JSON's reading stands, as between data dumps.
    const json =
      jsonText !== '' && dump.error.message.endsWith(DATA_CUT_SHORT) ? jsonOnly(jsonText, notify) : undefined;
    return json?.status === 'ok' ? json : { status: 'error', message: dump.error.message };
  }
  if (jsonText === '')
    return {
      status: 'ok',
      source: 'data',
      instances: dump.value.instances,
      trackFiles: dump.value.trackFiles,
      notify,
      ...checkers,
    };
  const parsed = parseKeepalivedJson(jsonText);
  if (!parsed.ok) return { status: 'error', message: parsed.error.message };
  // JSON has no track-file names per instance; take them from the data dump.
  const tracked = new Map(dump.value.instances.map((i) => [i.name, i.trackFiles]));
  const instances = parsed.value.map((i) => ({ ...i, trackFiles: tracked.get(i.name) ?? [] }));
  return { status: 'ok', source: 'json', instances, trackFiles: dump.value.trackFiles, notify, ...checkers };
}
