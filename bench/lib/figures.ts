/** Summary statistics and the bits of Markdown every benchmark section is made of. */
import type { Goal } from './types.js';

export interface Figures {
  count: number;
  min: number;
  median: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles: with 100 samples p99 is the 99th value, never an interpolation between two. */
export function figures(values: number[]): Figures {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
  return { count: sorted.length, min: sorted[0] ?? Number.NaN, median: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN };
}

export function median(values: number[]): number {
  return figures(values).median;
}

export function goal(figure: string, value: number, unit: string, target: number, note?: string): Goal {
  return { figure, value, unit, target, met: Number.isFinite(value) && value <= target, ...(note ? { note } : {}) };
}

/** "met" or "**missed**", with the goal: a missed goal is never left out or softened. */
export function verdict(g: Pick<Goal, 'met' | 'target' | 'unit'>): string {
  return g.met ? `met (goal ≤ ${fmt(g.target)} ${g.unit})` : `**missed** (goal ≤ ${fmt(g.target)} ${g.unit})`;
}

/** Numbers as a person reads them: no more digits than the measurement has. */
export function fmt(value: number | null | undefined, digits?: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  if (digits !== undefined) return value.toFixed(digits);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

export function table(header: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.map((c) => (typeof c === 'number' ? fmt(c) : c)).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `task` `count` times with at most `concurrency` at once; the answers in order. */
export async function pool<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  });
  await Promise.all(lanes);
  return results;
}
