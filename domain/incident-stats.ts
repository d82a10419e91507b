/**
 * Incident statistics for a period, computed from incident records (pure: no I/O, no clock; the caller reads the records,
 * e.g. with `IncidentRecordRepository.forStats`, and passes the period).
 *
 * Definitions — the contract the API documents:
 *
 * - **Period**: half-open `[from, to)`, both ISO 8601 instants (`2026-03-01` means midnight UTC; a date-time needs `Z` or
 *   an offset). `from` must be before `to`, and the period may touch at most 366 UTC days (see `daily`).
 * - **reported**: incidents whose `reportedAt` is within the period.
 * - **resolved**: incidents whose `resolvedAt` is within the period, whenever they were reported. A reopened incident has
 *   no `resolvedAt` until it is resolved again, so it counts by its latest resolution only.
 * - **active**: incidents open at the end of the period: reported before `to`, and not resolved before `to` (never
 *   resolved, or resolved at or after `to`).
 * - **timeToAcknowledge** / **timeToResolve**: over the incidents *reported in the period* that have the time
 *   (`acknowledgedAt` / `resolvedAt`), the duration from `reportedAt` in milliseconds, summarised as
 *   `{ count, meanMs, medianMs, p90Ms }`: the arithmetic mean; the median (the middle value, or the mean of the two
 *   middle values for an even count); the 90th percentile by nearest rank (the value at 1-based rank `ceil(0.9 × count)`
 *   in ascending order). Means and medians are not rounded. With no durations: `count` 0 and the rest `null`.
 * - **byPlaybook** / **bySeverity**: the same `reported`, `resolved`, `active` and `timeToResolve`, per playbook ID /
 *   per severity (the incident's current severity). A key appears when at least one of its incidents counts in one of
 *   them; keys are in byte order.
 * - **daily**: one entry per UTC day the period touches, in order, `{ date: 'YYYY-MM-DD', reported, resolved,
 *   meanTimeToAcknowledgeMs, meanTimeToResolveMs }`, counting only what falls within the period (a period starting at noon
 *   counts its first day from noon). The two means are those of the incidents *reported that day* (as the period's
 *   durations are of the incidents reported in it), `null` when none has the time: MTTA and MTTR over time. At most 366
 *   entries; a longer period is refused with `StatsPeriodError`.
 *
 * Empty input gives zeros, `null` means/medians/p90s, empty groups, and a daily series of zeros.
 */
import type { IncidentStatus } from './incident.js';

/** What stats read of an incident record. */
export interface StatsRecord {
  id: string;
  status: IncidentStatus;
  severity: string;
  playbookId: string;
  reportedAt: string;
  acknowledgedAt?: string;
  resolvedAt?: string;
}

export interface StatsPeriod {
  from: string;
  to: string;
}

export interface DurationStats {
  count: number;
  meanMs: number | null;
  medianMs: number | null;
  p90Ms: number | null;
}

export interface GroupStats {
  reported: number;
  resolved: number;
  active: number;
  timeToResolve: DurationStats;
}

export interface DailyStats {
  /** The UTC day, `YYYY-MM-DD`. */
  date: string;
  reported: number;
  resolved: number;
  /** The mean time to acknowledge of the incidents reported that day; null when none of them was acknowledged. */
  meanTimeToAcknowledgeMs: number | null;
  /** The mean time to resolve of the incidents reported that day; null when none of them is resolved. */
  meanTimeToResolveMs: number | null;
}

export interface IncidentStats {
  /** The period as computed, both ends as canonical ISO 8601 UTC (`2026-03-01T00:00:00.000Z`). */
  period: StatsPeriod;
  reported: number;
  resolved: number;
  active: number;
  timeToAcknowledge: DurationStats;
  timeToResolve: DurationStats;
  byPlaybook: Record<string, GroupStats>;
  bySeverity: Record<string, GroupStats>;
  daily: DailyStats[];
}

/** The most UTC days a period may touch (a leap year). */
export const MAX_STATS_DAYS = 366;

const DAY_MS = 86_400_000;

/** A period the stats cannot be computed for (unparseable, empty or reversed, longer than 366 days). */
export class StatsPeriodError extends Error {
  readonly code = 'invalid_input';
  constructor(message: string) {
    super(message);
    this.name = 'StatsPeriodError';
  }
}

const INSTANT = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/**
 * An ISO 8601 date (`2026-03-01`, midnight UTC) or date-time with `Z` or an offset, as canonical UTC text
 * (`2026-03-01T00:00:00.000Z`, which sorts in time order); undefined when `value` is neither (a date-time without an
 * offset is refused: it would mean the server's local time).
 */
export function canonicalInstant(value: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toUpperCase();
  if (!INSTANT.test(text)) return undefined;
  // A date that is not in the calendar ("2026-02-30") is a mistake, whatever Date.parse makes of it.
  const [year, month, day] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

export function computeIncidentStats(records: readonly StatsRecord[], period: StatsPeriod): IncidentStats {
  const { from, to, fromMs, toMs } = parsePeriod(period);
  const days = dayStarts(fromMs, toMs);

  const within = (ms: number) => ms >= fromMs && ms < toMs;
  const total = { reported: 0, resolved: 0, active: 0 };
  const acknowledgeTimes: number[] = [];
  const resolveTimes: number[] = [];
  const byPlaybook = new Map<string, GroupCounter>();
  const bySeverity = new Map<string, GroupCounter>();
  const daily = days.map((start) => ({ date: new Date(start).toISOString().slice(0, 10), reported: 0, resolved: 0 }));
  // Per day reported: the durations behind the daily means.
  const dailyTimes = days.map(() => ({ acknowledge: [] as number[], resolve: [] as number[] }));
  const dayIndex = (ms: number) => Math.floor((ms - days[0]!) / DAY_MS);

  for (const record of records) {
    const reportedMs = Date.parse(record.reportedAt);
    const acknowledgedMs = record.acknowledgedAt === undefined ? undefined : Date.parse(record.acknowledgedAt);
    const resolvedMs = record.resolvedAt === undefined ? undefined : Date.parse(record.resolvedAt);

    const reported = within(reportedMs);
    const resolved = resolvedMs !== undefined && within(resolvedMs);
    const active = reportedMs < toMs && !(resolvedMs !== undefined && resolvedMs < toMs);
    const timeToResolve = reported && resolvedMs !== undefined ? resolvedMs - reportedMs : undefined;
    if (!reported && !resolved && !active) continue;

    if (reported) {
      total.reported += 1;
      daily[dayIndex(reportedMs)]!.reported += 1;
      if (acknowledgedMs !== undefined && !Number.isNaN(acknowledgedMs)) {
        acknowledgeTimes.push(acknowledgedMs - reportedMs);
        dailyTimes[dayIndex(reportedMs)]!.acknowledge.push(acknowledgedMs - reportedMs);
      }
      if (timeToResolve !== undefined && !Number.isNaN(timeToResolve)) dailyTimes[dayIndex(reportedMs)]!.resolve.push(timeToResolve);
    }
    if (resolved) {
      total.resolved += 1;
      daily[dayIndex(resolvedMs)]!.resolved += 1;
    }
    if (active) total.active += 1;
    if (timeToResolve !== undefined && !Number.isNaN(timeToResolve)) resolveTimes.push(timeToResolve);

    for (const [groups, key] of [
      [byPlaybook, record.playbookId],
      [bySeverity, record.severity],
    ] as const) {
      let group = groups.get(key);
      if (!group) {
        group = { reported: 0, resolved: 0, active: 0, resolveTimes: [] };
        groups.set(key, group);
      }
      if (reported) group.reported += 1;
      if (resolved) group.resolved += 1;
      if (active) group.active += 1;
      if (timeToResolve !== undefined && !Number.isNaN(timeToResolve)) group.resolveTimes.push(timeToResolve);
    }
  }

  return {
    period: { from, to },
    ...total,
    timeToAcknowledge: summarizeDurations(acknowledgeTimes),
    timeToResolve: summarizeDurations(resolveTimes),
    byPlaybook: groupStats(byPlaybook),
    bySeverity: groupStats(bySeverity),
    daily: daily.map((day, index) => ({
      ...day,
      meanTimeToAcknowledgeMs: summarizeDurations(dailyTimes[index]!.acknowledge).meanMs,
      meanTimeToResolveMs: summarizeDurations(dailyTimes[index]!.resolve).meanMs,
    })),
  };
}

/** `{ count, meanMs, medianMs, p90Ms }` of durations in milliseconds, as defined in the module comment. */
export function summarizeDurations(values: readonly number[]): DurationStats {
  const count = values.length;
  if (count === 0) return { count: 0, meanMs: null, medianMs: null, p90Ms: null };
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, value) => sum + value, 0) / count;
  const middle = Math.floor(count / 2);
  const median = count % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  const p90 = sorted[Math.ceil(0.9 * count) - 1]!;
  return { count, meanMs: mean, medianMs: median, p90Ms: p90 };
}

interface GroupCounter {
  reported: number;
  resolved: number;
  active: number;
  resolveTimes: number[];
}

function groupStats(groups: Map<string, GroupCounter>): Record<string, GroupStats> {
  // fromEntries defines own properties, so a key like "__proto__" stays an ordinary key.
  return Object.fromEntries(
    [...groups.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, group]) => [
        key,
        { reported: group.reported, resolved: group.resolved, active: group.active, timeToResolve: summarizeDurations(group.resolveTimes) },
      ]),
  );
}

function parsePeriod(period: StatsPeriod): { from: string; to: string; fromMs: number; toMs: number } {
  const from = canonicalInstant(period?.from);
  const to = canonicalInstant(period?.to);
  if (from === undefined) throw new StatsPeriodError(`period from: expected an ISO 8601 date or date-time with a time zone, got "${period?.from}"`);
  if (to === undefined) throw new StatsPeriodError(`period to: expected an ISO 8601 date or date-time with a time zone, got "${period?.to}"`);
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  if (!(fromMs < toMs)) throw new StatsPeriodError(`period: from (${from}) must be before to (${to})`);
  return { from, to, fromMs, toMs };
}

/** Midnight (UTC, in ms) of every day the period [fromMs, toMs) touches. */
function dayStarts(fromMs: number, toMs: number): number[] {
  const first = Math.floor(fromMs / DAY_MS) * DAY_MS;
  const last = Math.floor((toMs - 1) / DAY_MS) * DAY_MS;
  const count = (last - first) / DAY_MS + 1;
  if (count > MAX_STATS_DAYS) {
    throw new StatsPeriodError(`period: spans ${count} UTC days; stats cover at most ${MAX_STATS_DAYS} days, ask for a shorter period`);
  }
  return Array.from({ length: count }, (_, index) => first + index * DAY_MS);
}
