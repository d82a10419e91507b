/** Incident stats against values computed by hand (written out below), the daily series, the period's edges, empty input. */
import { describe, expect, it } from 'vitest';
import {
  canonicalInstant,
  computeIncidentStats,
  StatsPeriodError,
  summarizeDurations,
  type StatsRecord,
} from '../../domain/incident-stats.js';

const MINUTE = 60_000;

function incident(
  id: string,
  playbookId: string,
  severity: string,
  reportedAt: string,
  times: { acknowledgedAt?: string; resolvedAt?: string } = {},
): StatsRecord {
  return {
    id,
    status: times.resolvedAt ? 'resolved' : times.acknowledgedAt ? 'active' : 'reported',
    severity,
    playbookId,
    reportedAt,
    ...times,
  };
}

/** Period [Mar 1, Mar 5): four UTC days. */
const PERIOD = { from: '2026-03-01T00:00:00.000Z', to: '2026-03-05T00:00:00.000Z' };

const RECORDS: StatsRecord[] = [
  // Reported at `from` exactly: in. TTA 5 min, TTR 10 min.
  incident('r1', 'service-outage', 'sev1', '2026-03-01T00:00:00.000Z', { acknowledgedAt: '2026-03-01T00:05:00.000Z', resolvedAt: '2026-03-01T00:10:00.000Z' }),
  // TTA 2 min, TTR 20 min.
  incident('r2', 'service-outage', 'sev2', '2026-03-02T10:00:00.000Z', { acknowledgedAt: '2026-03-02T10:02:00.000Z', resolvedAt: '2026-03-02T10:20:00.000Z' }),
  // TTA 10 min, TTR 30 min.
  incident('r3', 'security-incident', 'sev1', '2026-03-02T12:00:00.000Z', { acknowledgedAt: '2026-03-02T12:10:00.000Z', resolvedAt: '2026-03-02T12:30:00.000Z' }),
  // TTA 1 min, TTR 40 min.
  incident('r4', 'service-outage', 'sev1', '2026-03-03T08:00:00.000Z', { acknowledgedAt: '2026-03-03T08:01:00.000Z', resolvedAt: '2026-03-03T08:40:00.000Z' }),
  // Reported in the last millisecond, never acknowledged: reported and active.
  incident('r5', 'blank', 'sev3', '2026-03-04T23:59:59.999Z'),
  // Reported before the period, resolved in it: resolved only (its TTR is not the period's).
  incident('r6', 'service-outage', 'sev2', '2026-02-28T20:00:00.000Z', { acknowledgedAt: '2026-02-28T20:30:00.000Z', resolvedAt: '2026-03-01T02:00:00.000Z' }),
  // Reported before the period, still open: active only.
  incident('r7', 'security-incident', 'sev2', '2026-02-20T09:00:00.000Z', { acknowledgedAt: '2026-02-20T09:10:00.000Z' }),
  // Reported exactly at `to`: outside, counts nowhere.
  incident('r9', 'service-outage', 'sev3', '2026-03-05T00:00:00.000Z'),
  // Reported and resolved before the period: counts nowhere.
  incident('r10', 'service-outage', 'sev3', '2026-02-25T10:00:00.000Z', { acknowledgedAt: '2026-02-25T10:01:00.000Z', resolvedAt: '2026-02-26T10:00:00.000Z' }),
];

describe('computeIncidentStats', () => {
  it('counts reported, resolved and active incidents and summarises the times, as computed by hand', () => {
    const stats = computeIncidentStats(RECORDS, PERIOD);
    expect(stats.period).toEqual(PERIOD);
    // r1..r5 reported; r1..r4 and r6 resolved; r5 and r7 open at the end.
    expect([stats.reported, stats.resolved, stats.active]).toEqual([5, 5, 2]);
    // TTA 5, 2, 10, 1 min → sorted 1, 2, 5, 10: mean 4.5, median (2 + 5) / 2 = 3.5, p90 = rank ceil(3.6) = 4 → 10.
    expect(stats.timeToAcknowledge).toEqual({ count: 4, meanMs: 270_000, medianMs: 210_000, p90Ms: 600_000 });
    // TTR 10, 20, 30, 40 min → mean 25, median 25, p90 40.
    expect(stats.timeToResolve).toEqual({ count: 4, meanMs: 25 * MINUTE, medianMs: 25 * MINUTE, p90Ms: 40 * MINUTE });
  });

  it('breaks the counts down by playbook and by severity', () => {
    const stats = computeIncidentStats(RECORDS, PERIOD);
    expect(stats.byPlaybook).toEqual({
      // r5.
      blank: { reported: 1, resolved: 0, active: 1, timeToResolve: { count: 0, meanMs: null, medianMs: null, p90Ms: null } },
      // r3 reported and resolved (30 min); r7 active.
      'security-incident': { reported: 1, resolved: 1, active: 1, timeToResolve: { count: 1, meanMs: 1_800_000, medianMs: 1_800_000, p90Ms: 1_800_000 } },
      // r1, r2, r4 reported and resolved (10, 20, 40 min); r6 resolved. Mean 70 / 3 min, median 20, p90 rank 3 → 40.
      'service-outage': { reported: 3, resolved: 4, active: 0, timeToResolve: { count: 3, meanMs: 1_400_000, medianMs: 1_200_000, p90Ms: 2_400_000 } },
    });
    expect(Object.keys(stats.byPlaybook)).toEqual(['blank', 'security-incident', 'service-outage']);
    expect(stats.bySeverity).toEqual({
      // r1, r3, r4 (10, 30, 40 min): mean 80 / 3 min, median 30, p90 40.
      sev1: { reported: 3, resolved: 3, active: 0, timeToResolve: { count: 3, meanMs: 1_600_000, medianMs: 1_800_000, p90Ms: 2_400_000 } },
      // r2 (20 min), r6 resolved, r7 active.
      sev2: { reported: 1, resolved: 2, active: 1, timeToResolve: { count: 1, meanMs: 1_200_000, medianMs: 1_200_000, p90Ms: 1_200_000 } },
      // r5; r9 and r10 count nowhere.
      sev3: { reported: 1, resolved: 0, active: 1, timeToResolve: { count: 0, meanMs: null, medianMs: null, p90Ms: null } },
    });
  });

  it('gives one entry per UTC day, in order', () => {
    expect(computeIncidentStats(RECORDS, PERIOD).daily).toEqual([
      // r1 reported (TTA 5, TTR 10 min); r1 (00:10) and r6 (02:00) resolved: r6's times are not this period's.
      { date: '2026-03-01', reported: 1, resolved: 2, meanTimeToAcknowledgeMs: 5 * MINUTE, meanTimeToResolveMs: 10 * MINUTE },
      // r2 (TTA 2, TTR 20 min) and r3 (TTA 10, TTR 30 min): means 6 and 25 min.
      { date: '2026-03-02', reported: 2, resolved: 2, meanTimeToAcknowledgeMs: 6 * MINUTE, meanTimeToResolveMs: 25 * MINUTE },
      { date: '2026-03-03', reported: 1, resolved: 1, meanTimeToAcknowledgeMs: 1 * MINUTE, meanTimeToResolveMs: 40 * MINUTE },
      // r5 at 23:59:59.999, neither acknowledged nor resolved.
      { date: '2026-03-04', reported: 1, resolved: 0, meanTimeToAcknowledgeMs: null, meanTimeToResolveMs: null },
    ]);
  });

  it('treats the period as half-open at both edges, for reports and resolutions', () => {
    // Noon to noon: three UTC days touched.
    const period = { from: '2026-03-10T12:00:00.000Z', to: '2026-03-12T12:00:00.000Z' };
    const stats = computeIncidentStats(
      [
        // Reported a millisecond before `from`, resolved exactly at it: resolved, not reported, not active.
        incident('e1', 'p', 'sev1', '2026-03-10T11:59:59.999Z', { resolvedAt: '2026-03-10T12:00:00.000Z' }),
        // Reported exactly at `from`: reported, and open at the end.
        incident('e2', 'p', 'sev1', '2026-03-10T12:00:00.000Z'),
        // Reported a millisecond before `to`, resolved exactly at it: reported and active, not resolved; TTR 1 ms.
        incident('e3', 'p', 'sev2', '2026-03-12T11:59:59.999Z', { resolvedAt: '2026-03-12T12:00:00.000Z' }),
        // Reported exactly at `to`: nowhere.
        incident('e4', 'q', 'sev3', '2026-03-12T12:00:00.000Z'),
        // Resolved a millisecond before `from`: nowhere.
        incident('e5', 'q', 'sev3', '2026-03-01T00:00:00.000Z', { resolvedAt: '2026-03-10T11:59:59.999Z' }),
      ],
      period,
    );
    expect([stats.reported, stats.resolved, stats.active]).toEqual([2, 1, 2]);
    expect(stats.timeToResolve).toEqual({ count: 1, meanMs: 1, medianMs: 1, p90Ms: 1 });
    expect(stats.timeToAcknowledge).toEqual({ count: 0, meanMs: null, medianMs: null, p90Ms: null });
    expect(stats.daily).toEqual([
      // e1's resolution counts on the 10th, its TTR nowhere (reported before the period); e3's 1 ms TTR on the 12th.
      { date: '2026-03-10', reported: 1, resolved: 1, meanTimeToAcknowledgeMs: null, meanTimeToResolveMs: null },
      { date: '2026-03-11', reported: 0, resolved: 0, meanTimeToAcknowledgeMs: null, meanTimeToResolveMs: null },
      { date: '2026-03-12', reported: 1, resolved: 0, meanTimeToAcknowledgeMs: null, meanTimeToResolveMs: 1 },
    ]);
    // Playbook q's incidents count nowhere, so q has no entry.
    expect(Object.keys(stats.byPlaybook)).toEqual(['p']);
    expect(Object.keys(stats.bySeverity)).toEqual(['sev1', 'sev2']);
    expect(stats.bySeverity.sev1).toMatchObject({ reported: 1, resolved: 1, active: 1 });
  });

  it('counts a reopened incident (no resolvedAt) as active, and a later TTR of an incident reported in the period', () => {
    const stats = computeIncidentStats(
      [
        incident('reopened', 'p', 'sev1', '2026-03-01T10:00:00.000Z', { acknowledgedAt: '2026-03-01T10:01:00.000Z' }),
        // Reported in the period, resolved after it: its 2 h TTR counts (it is known now), its resolution does not.
        incident('late', 'p', 'sev1', '2026-03-04T22:00:00.000Z', { resolvedAt: '2026-03-05T00:00:00.000Z' }),
      ],
      PERIOD,
    );
    expect([stats.reported, stats.resolved, stats.active]).toEqual([2, 0, 2]);
    expect(stats.timeToResolve).toEqual({ count: 1, meanMs: 120 * MINUTE, medianMs: 120 * MINUTE, p90Ms: 120 * MINUTE });
    // The late TTR counts on the day the incident was reported, not the day it was resolved (after the period).
    expect(stats.daily[3]).toMatchObject({ date: '2026-03-04', meanTimeToResolveMs: 120 * MINUTE });
  });

  it('gives zeros, nulls and a daily series of zeros for no incidents', () => {
    const none = { count: 0, meanMs: null, medianMs: null, p90Ms: null };
    expect(computeIncidentStats([], { from: '2026-03-01', to: '2026-03-03T00:00:00+01:00' })).toEqual({
      period: { from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T23:00:00.000Z' },
      reported: 0,
      resolved: 0,
      active: 0,
      timeToAcknowledge: none,
      timeToResolve: none,
      byPlaybook: {},
      bySeverity: {},
      daily: [
        { date: '2026-03-01', reported: 0, resolved: 0, meanTimeToAcknowledgeMs: null, meanTimeToResolveMs: null },
        { date: '2026-03-02', reported: 0, resolved: 0, meanTimeToAcknowledgeMs: null, meanTimeToResolveMs: null },
      ],
    });
  });

  it('allows 366 days and refuses longer, empty, reversed or unreadable periods', () => {
    const leapYear = computeIncidentStats([], { from: '2024-01-01', to: '2025-01-01' });
    expect(leapYear.daily).toHaveLength(366);
    expect(leapYear.daily[0]?.date).toBe('2024-01-01');
    expect(leapYear.daily[59]?.date).toBe('2024-02-29');
    expect(leapYear.daily[365]?.date).toBe('2024-12-31');

    const refused = (from: string, to: string) => {
      try {
        computeIncidentStats([], { from, to });
      } catch (error) {
        expect(error).toBeInstanceOf(StatsPeriodError);
        return (error as Error).message;
      }
      throw new Error(`expected [${from}, ${to}) to be refused`);
    };
    // Noon to noon a year later touches 367 UTC days.
    expect(refused('2024-01-01T12:00:00Z', '2025-01-01T12:00:00Z')).toBe(
      'period: spans 367 UTC days; stats cover at most 366 days, ask for a shorter period',
    );
    expect(refused('2026-03-01', '2026-03-01')).toBe('period: from (2026-03-01T00:00:00.000Z) must be before to (2026-03-01T00:00:00.000Z)');
    expect(refused('2026-03-02', '2026-03-01')).toMatch(/^period: from .* must be before to/);
    expect(refused('yesterday', '2026-03-01')).toBe('period from: expected an ISO 8601 date or date-time with a time zone, got "yesterday"');
    expect(refused('2026-03-01', '2026-03-02T10:00:00')).toMatch(/^period to: /);
    expect(refused('2026-02-30', '2026-03-02')).toMatch(/^period from: /);
  });
});

describe('summarizeDurations', () => {
  it('takes the mean, the median (mean of the middle two for an even count) and the nearest-rank p90', () => {
    // 1..10 minutes, shuffled: mean 5.5, median (5 + 6) / 2 = 5.5, p90 = rank 9 → 9.
    expect(summarizeDurations([7, 2, 10, 1, 9, 4, 6, 3, 8, 5].map((minutes) => minutes * MINUTE))).toEqual({
      count: 10,
      meanMs: 330_000,
      medianMs: 330_000,
      p90Ms: 540_000,
    });
    // 11 values: p90 = rank ceil(9.9) = 10. Values 0, 10, ..., 100 ms: mean 50, median 50, rank 10 → 90.
    expect(summarizeDurations([100, 0, 90, 10, 80, 20, 70, 30, 60, 40, 50])).toEqual({ count: 11, meanMs: 50, medianMs: 50, p90Ms: 90 });
    // Skewed: 1, 1, 1, 97 → mean 25, median 1, p90 rank 4 → 97.
    expect(summarizeDurations([1, 97, 1, 1])).toEqual({ count: 4, meanMs: 25, medianMs: 1, p90Ms: 97 });
    expect(summarizeDurations([42])).toEqual({ count: 1, meanMs: 42, medianMs: 42, p90Ms: 42 });
    expect(summarizeDurations([])).toEqual({ count: 0, meanMs: null, medianMs: null, p90Ms: null });
  });
});

describe('canonicalInstant', () => {
  it('reads dates and zoned date-times as canonical UTC text, and nothing else', () => {
    expect(canonicalInstant('2026-03-01')).toBe('2026-03-01T00:00:00.000Z');
    expect(canonicalInstant('2026-03-01T10:00Z')).toBe('2026-03-01T10:00:00.000Z');
    expect(canonicalInstant('2026-03-01T23:30:00-05:00')).toBe('2026-03-02T04:30:00.000Z');
    expect(canonicalInstant('2026-03-01T10:00:00')).toBeUndefined();
    expect(canonicalInstant('2026-02-29')).toBeUndefined();
    expect(canonicalInstant('1 March 2026')).toBeUndefined();
  });
});
