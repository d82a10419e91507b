/**
 * Durations as people say them ("45 s", "4 min", "2 h 5 min", "3 d 4 h"): two units at most, since "2 h 5 min 12 s"
 * is more precision than a mean time to resolve has.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A duration in milliseconds, rounded to its two largest units; "no data" for null (no incident had the time). */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return 'no data';
  if (ms < MINUTE) return `${Math.round(ms / SECOND)} s`;
  if (ms < HOUR) return `${Math.round(ms / MINUTE)} min`;
  if (ms < DAY) {
    const minutes = Math.round(ms / MINUTE);
    return joinUnits(Math.floor(minutes / 60), 'h', minutes % 60, 'min');
  }
  const hours = Math.round(ms / HOUR);
  return joinUnits(Math.floor(hours / 24), 'd', hours % 24, 'h');
}

function joinUnits(big: number, bigUnit: string, small: number, smallUnit: string): string {
  return small ? `${big} ${bigUnit} ${small} ${smallUnit}` : `${big} ${bigUnit}`;
}

/** Axis ticks for durations: a round step (1 min, 5 min, 1 h, 1 d...) giving at most `most` steps up to `max`. */
const DURATION_STEPS = [SECOND, 5 * SECOND, 15 * SECOND, 30 * SECOND, MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY];

export function durationStep(max: number, most = 4): number {
  return DURATION_STEPS.find((step) => max / step <= most) ?? Math.ceil(max / most / DAY) * DAY;
}
