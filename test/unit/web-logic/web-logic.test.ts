/**
 * The web app's plain logic, which runs the same in Node: the playbook line diff and its folding, finding a problem's
 * line in the YAML, the incident list's filters in the address and in the API's query, durations in words, and the
 * stats period's checks. (The pages themselves are tested in a real browser: test/browser/.)
 */
import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../../web/durations.js';
import { addressFor, apiQueryFor, filtersFrom, NO_FILTERS } from '../../../web/incident-filters.js';
import { diffLines, foldUnchanged } from '../../../web/playbooks/line-diff.js';
import { lineOfPath } from '../../../web/playbooks/yaml-lines.js';
import { periodProblems } from '../../../web/stats-period.js';

describe('the playbook line diff', () => {
  it('marks removed and added lines with their line numbers, and keeps the rest', () => {
    const diff = diffLines('a\nb\nc\nd\n', 'a\nB\nc\nd\ne\n');
    expect(diff).toEqual([
      { kind: 'same', text: 'a', oldLine: 1, newLine: 1 },
      { kind: 'removed', text: 'b', oldLine: 2 },
      { kind: 'added', text: 'B', newLine: 2 },
      { kind: 'same', text: 'c', oldLine: 3, newLine: 3 },
      { kind: 'same', text: 'd', oldLine: 4, newLine: 4 },
      { kind: 'added', text: 'e', newLine: 5 },
    ]);
    expect(diffLines('same\n', 'same\n')).toEqual([{ kind: 'same', text: 'same', oldLine: 1, newLine: 1 }]);
  });

  it('folds long unchanged stretches away from the changes', () => {
    const old = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n');
    const rows = foldUnchanged(diffLines(old, old.replace('line 10', 'line ten')), 2);
    expect(rows.filter((row) => row.kind === 'skipped')).toEqual([{ kind: 'skipped', count: 7 }, { kind: 'skipped', count: 8 }]);
    expect(rows.filter((row) => row.kind !== 'skipped' && row.kind !== 'same').map((row) => (row as { text: string }).text)).toEqual(['line 10', 'line ten']);
  });
});

describe("a problem's line in the YAML", () => {
  const yaml = ['id: db', 'title: DB', 'checklists:', '  - title: Triage', '    tasks:', '      - title: one', '      - title: ""', '        due: 5m'].join('\n');

  it('finds the line of a path, and the deepest part found when the rest is missing', () => {
    expect(lineOfPath(yaml, 'checklists[0].tasks[1].title')).toEqual({ line: 7, exact: true });
    expect(lineOfPath(yaml, 'checklists[0].tasks[1].due')).toEqual({ line: 8, exact: true });
    expect(lineOfPath(yaml, 'checklists[0].tasks[1].owner')).toEqual({ line: 7, exact: false });
    expect(lineOfPath(yaml, 'title')).toEqual({ line: 2, exact: true });
    expect(lineOfPath(yaml, 'nothing.here')).toBeUndefined();
  });
});

describe('the incident list filters', () => {
  it('round-trip through the address, leaving defaults out', () => {
    const filters = { ...NO_FILTERS, status: 'active' as const, team: 'shop', member: 'bob', q: 'checkout', scope: 'all' as const };
    const address = addressFor(filters);
    expect(address).toBe('/app/?status=active&team=shop&member=bob&q=checkout&scope=all');
    expect(filtersFrom(new URL(address, 'http://x').searchParams)).toEqual(filters);
    expect(addressFor(NO_FILTERS)).toBe('/app/');
    // An unknown status or order from a hand-edited address falls back to none and the default.
    expect(filtersFrom(new URLSearchParams('status=exploded&sort=random'))).toMatchObject({ status: '', sort: '-reported_at' });
  });

  it('ask the API for the signed-in person\'s incidents with "mine", and for the member filter with "all"', () => {
    expect(apiQueryFor({ ...NO_FILTERS, member: 'bob' }, 'alice', undefined)).toMatchObject({ member: 'alice' });
    expect(apiQueryFor({ ...NO_FILTERS, scope: 'all', member: '@Bob' }, 'alice', 'c1')).toMatchObject({ member: 'bob', cursor: 'c1' });
    expect(apiQueryFor({ ...NO_FILTERS, scope: 'all' }, 'alice', undefined).member).toBeUndefined();
  });
});

describe('durations and periods', () => {
  it('say durations in at most two units', () => {
    expect(formatDuration(null)).toBe('no data');
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(4 * 60_000)).toBe('4 min');
    expect(formatDuration((2 * 60 + 5) * 60_000)).toBe('2 h 5 min');
    expect(formatDuration(2 * 3_600_000)).toBe('2 h');
    expect(formatDuration((3 * 24 + 4) * 3_600_000)).toBe('3 d 4 h');
  });

  it('refuse a period that is not dates, reversed, or longer than the API allows, at the field', () => {
    expect(periodProblems('2026-11-01', '2026-11-30')).toEqual({});
    expect(periodProblems('2026-02-30', '2026-03-01')).toHaveProperty('from');
    expect(periodProblems('2026-11-30', '2026-11-01')).toEqual({ to: 'The last day must be on or after the first day' });
    expect(periodProblems('2025-01-01', '2026-12-31')).toEqual({ to: 'A period covers at most 366 days' });
  });
});
