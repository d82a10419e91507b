/**
 * The Grafana dashboard in docs/grafana/ reads only metrics the service exports: every metric its queries name is
 * defined in the code (the API's prom-client families, the worker's metric-meter instruments) or is the Temporal
 * SDK's. A renamed metric leaves no panel silently empty.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(`${root}${path}`, 'utf8');
const dashboard = JSON.parse(read('docs/grafana/incident-collaboration.json')) as {
  panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
};
const sources = ['api/metrics.ts', 'activities/run-step.ts', 'workflows/launch-metrics.ts', 'workers/incident-record-sink.ts'].map(read).join('\n');

/** The metric a query names, without the suffixes Prometheus adds to counters and histograms. */
function baseNames(expr: string): string[] {
  const names = expr.match(/\b(incident_[a-z_]+|temporal_[a-z_]+)\b/g) ?? [];
  return names.map((name) => name.replace(/_(bucket|count|sum|total)$/, ''));
}

describe('the Grafana dashboard', () => {
  it('has panels, each with a query', () => {
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(8);
    for (const panel of dashboard.panels) expect(panel.targets.length, panel.title).toBeGreaterThan(0);
  });

  it('queries only metrics the service defines (or the Temporal SDK exports)', () => {
    const named = dashboard.panels.flatMap((panel) => panel.targets.flatMap((target) => baseNames(target.expr)));
    expect(named.length).toBeGreaterThan(0);
    for (const name of named) {
      if (name.startsWith('temporal_')) continue;
      expect(sources, `${name} is defined in the code`).toMatch(new RegExp(`['"]${name}(_total)?['"]`));
    }
  });
});
