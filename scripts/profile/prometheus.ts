/** Prometheus text pages read twice and compared: what the worker and the Temporal server did per launch. */

/** A Prometheus text page as series → value: histograms by their _count only, labels kept. */
export async function scrape(url: string): Promise<Map<string, number>> {
  const series = new Map<string, number>();
  const text = await (await fetch(url)).text();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match || /_(bucket|sum)$/.test(match[1]!)) continue;
    series.set(`${match[1]}${match[2] ?? ''}`, Number(match[3]));
  }
  return series;
}

/**
 * What grew between two scrapes, per launch, summed by metric name and the labels that say what was done
 * (operation, activity/workflow type, task queue kind...), the largest first. Gauges are left out.
 */
export function growth(
  before: Map<string, number>,
  after: Map<string, number>,
  launches: number,
  keep: string[],
  only?: RegExp,
): Array<{ series: string; perLaunch: number }> {
  const sums = new Map<string, number>();
  for (const [series, value] of after) {
    const name = series.replace(/\{.*$/, '');
    if (only ? !only.test(name) : !/(_total|_count|requests|errors|_succeed|_empty|_completed|_failed|_hit|_miss|_started)$/.test(name)) continue;
    const delta = value - (before.get(series) ?? 0);
    if (delta <= 0) continue;
    const labels = [...series.matchAll(/(\w+)="([^"]*)"/g)].filter(([, key]) => keep.includes(key!)).map(([, key, v]) => `${key}=${v}`);
    const key = `${name}${labels.length ? `{${labels.join(',')}}` : ''}`;
    sums.set(key, (sums.get(key) ?? 0) + delta);
  }
  return [...sums.entries()].map(([series, total]) => ({ series, perLaunch: total / launches })).sort((a, b) => b.perLaunch - a.perLaunch);
}
