import type { ActionPlan, ActionResult } from './action-types.js';

/** The preview's body: hosts, the exact commands (argv and the string sent), before → after, expected outcome. */
export function previewBodyLines(plan: ActionPlan): string[] {
  const p = plan.preview;
  const lines = [`  cluster ${plan.cluster}, hosts: ${p.hosts.join(', ')}`, '  commands:'];
  for (const c of p.commands) {
    lines.push(`    on ${c.host}: ${c.command}`, `      argv ${JSON.stringify(c.argv)}`);
  }
  lines.push('  changes:');
  for (const c of p.changes)
    lines.push(
      `    ${c.host} ${c.target} ${c.field}: ${c.before}${c.after === c.before ? ' (kept)' : ` → ${c.after}`}`,
    );
  lines.push(`  expected: ${p.outcome}`);
  if (p.health && p.health.length > 0) lines.push('  healthy servers:', ...p.health.map((l) => `    ${l}`));
  return lines;
}

/** The whole preview as plain lines: title, body, warnings and the guard. */
export function previewLines(plan: ActionPlan): string[] {
  const lines = [plan.preview.title, ...previewBodyLines(plan)];
  for (const w of plan.preview.warnings) lines.push(`  ! ${w}`);
  if (plan.guard)
    lines.push(`  GUARDED: ${plan.guard.reason}`, `  type "${plan.guard.confirmName}" to go ahead anyway`);
  return lines;
}

export function resultLines(result: ActionResult): string[] {
  return [
    `${result.outcome}: ${result.message}`,
    `  took ${result.durationMs} ms${result.verifyMs === undefined ? '' : `, read-back ${result.verifyMs} ms`}`,
  ];
}
