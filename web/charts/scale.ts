/** Scales shared by the charts: round steps for axes, and which day labels fit under a chart without overlapping. */

/** A round step (1, 2, 5, 10, 20, 50...) giving at most `most` steps up to `max` (a count, so at least 1). */
export function countStep(max: number, most = 4): number {
  let magnitude = 1;
  for (;;) {
    for (const factor of [1, 2, 5]) if (max / (factor * magnitude) <= most) return factor * magnitude;
    magnitude *= 10;
  }
}

/** The ticks 0, step, 2 step... up to the first that reaches `max` (so the largest value is under the top line). */
export function ticksTo(max: number, step: number): number[] {
  const ticks = [0];
  while (ticks[ticks.length - 1]! < max) ticks.push(ticks.length * step);
  if (ticks.length === 1) ticks.push(step);
  return ticks;
}

/** Every how many days a date label is written, so that labels of `labelWidth` px do not overlap. */
export function labelEvery(count: number, plotWidth: number, labelWidth = 48): number {
  return Math.max(1, Math.ceil((count * labelWidth) / Math.max(plotWidth, 1)));
}

/** "2026-11-30" as "Nov 30" (UTC, as the API's days are). */
export function shortDate(date: string): string {
  return new Date(`${date}T00:00:00Z`).toLocaleDateString('en', { month: 'short', day: 'numeric', timeZone: 'UTC' });
}
