import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The rules, their promtool tests, alertmanager.yml and the README's Runbook agree with one another. Read as text:
// these are this repository's own files, written in one layout (prettier keeps it).
const ROOT = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(resolve(ROOT, path), 'utf8');
const RULES = read('monitoring/lvstop-alerts.yml');
const TESTS = read('monitoring/lvstop-alerts.test.yml');
const ALERTMANAGER = read('monitoring/alertmanager.yml');
const README = read('README.md');
const RUNBOOK = 'https://github.com/lvstop/lvstop/blob/main/README.md#';

/** Each alert rule's text, from its `- alert:` line to the next rule or group. */
const alerts = new Map(
  RULES.split(/^\s+- (?=alert: |record: |name: )/m).flatMap((block) => {
    const name = /^alert: (\w+)/.exec(block)?.[1];
    return name ? [[name, block] as const] : [];
  }),
);

/** Label names of the first alert each firing case of the promtool tests expects, per alert name. */
function expectedLabelNames(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const m of TESTS.matchAll(/alertname: (\w+)\n\s+exp_alerts:\n\s+- exp_labels:\s*\{([^}]*)\}/g)) {
    const names = out.get(m[1]!) ?? new Set<string>();
    for (const l of m[2]!.matchAll(/(?:^|,)\s*(\w+):/g)) names.add(l[1]!);
    out.set(m[1]!, names);
  }
  return out;
}

describe('monitoring files', () => {
  it('give every alert a severity, a summary, a description and its Runbook entry', () => {
    expect(alerts.size).toBeGreaterThan(0);
    const runbook = README.slice(README.indexOf('\n## Runbook\n'));
    expect(runbook.length).toBeGreaterThan(1);
    for (const [name, block] of alerts) {
      expect(block, name).toMatch(/\n\s+severity: (critical|warning)\n/);
      expect(block, name).toMatch(/\n\s+summary: \S/);
      expect(block, name).toMatch(/\n\s+description: \S/);
      expect(block, name).toContain(`runbook_url: ${RUNBOOK}${name.toLowerCase()}\n`);
      expect(runbook, name).toContain(`\n### ${name}\n`);
    }
  });

  it('test every alert firing and staying quiet', () => {
    const firing = expectedLabelNames();
    for (const name of alerts.keys()) {
      expect(firing.has(name), `${name} fires in a test`).toBe(true);
      expect(TESTS, `${name} stays quiet in a test`).toContain(`alertname: ${name}, exp_alerts: [] }`);
    }
  });

  it('inhibit between alerts that exist and carry the labels the inhibit rule compares', () => {
    const labels = expectedLabelNames();
    const rules = ALERTMANAGER.split(/^\s+- source_matchers: /m).slice(1);
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      const equal = /equal: \[([^\]]*)\]/
        .exec(rule)![1]!
        .split(',')
        .map((s) => s.trim());
      const named = [...rule.matchAll(/alertname(=~|=|!=)"([^"]+)"/g)];
      const inhibited = named.some(([, op]) => op === '!=') ? [...alerts.keys()] : [];
      for (const [, op, value] of named) {
        if (op === '!=') continue;
        for (const name of value!.split('|')) {
          expect(alerts.has(name), `${name} in alertmanager.yml is an alert`).toBe(true);
          inhibited.push(name);
        }
      }
      for (const name of inhibited)
        for (const label of equal) expect([...(labels.get(name) ?? [])], `${name} carries ${label}`).toContain(label);
    }
  });
});
