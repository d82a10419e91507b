/**
 * The stats page's period and team as the address holds them (`/app/stats?days=7&team=platform`, or
 * `?from=2026-11-01&to=2026-11-30`), and as GET /api/v1/stats takes them. Days are UTC days, as the API counts them;
 * a from–to period includes both dates.
 */

export const PRESET_DAYS = [7, 30, 90] as const;
export type PresetDays = (typeof PRESET_DAYS)[number];

export type StatsChoice =
  | { kind: 'last'; days: PresetDays; team: string }
  | { kind: 'between'; from: string; to: string; team: string };

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** The API's limit: a period touches at most 366 UTC days. */
export const MAX_DAYS = 366;

/** What the page shows without a period in the address. */
export const DEFAULT_DAYS: PresetDays = 30;

/** A `YYYY-MM-DD` that is a real calendar date, as midnight UTC in ms; undefined otherwise. */
export function dateMs(value: string): number | undefined {
  if (!DATE.test(value)) return undefined;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value ? undefined : ms;
}

export const dateOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** What is wrong with a from–to period, by field; empty when it can be asked for. */
export function periodProblems(from: string, to: string): { from?: string; to?: string } {
  const fromMs = dateMs(from);
  const toMs = dateMs(to);
  if (fromMs === undefined) return { from: 'Enter the first day as a date, like 2026-11-01' };
  if (toMs === undefined) return { to: 'Enter the last day as a date, like 2026-11-30' };
  if (toMs < fromMs) return { to: 'The last day must be on or after the first day' };
  if ((toMs - fromMs) / DAY_MS + 1 > MAX_DAYS) return { to: `A period covers at most ${MAX_DAYS} days` };
  return {};
}

export function choiceFrom(search: URLSearchParams): StatsChoice {
  const team = search.get('team')?.trim() ?? '';
  const from = search.get('from') ?? '';
  const to = search.get('to') ?? '';
  if ((from || to) && Object.keys(periodProblems(from, to)).length === 0) return { kind: 'between', from, to, team };
  const days = Number(search.get('days'));
  return { kind: 'last', days: (PRESET_DAYS as readonly number[]).includes(days) ? (days as PresetDays) : DEFAULT_DAYS, team };
}

/** The page's address for a choice; the defaults (30 days, every team) are left out. */
export function addressFor(choice: StatsChoice): string {
  const params = new URLSearchParams();
  if (choice.kind === 'between') {
    params.set('from', choice.from);
    params.set('to', choice.to);
  } else if (choice.days !== DEFAULT_DAYS) {
    params.set('days', String(choice.days));
  }
  if (choice.team.trim()) params.set('team', choice.team.trim());
  const text = params.toString();
  return text ? `/app/stats?${text}` : '/app/stats';
}

/** The first and last day of the period (both included). "Last 7 days" is today (UTC) and the six days before it. */
export function datesOf(choice: StatsChoice, now: number): { from: string; to: string } {
  if (choice.kind === 'between') return { from: choice.from, to: choice.to };
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  return { from: dateOf(today - (choice.days - 1) * DAY_MS), to: dateOf(today) };
}

/**
 * GET /api/v1/stats's query: whole days, so the daily series has one entry per day of the period. It ends at the
 * midnight after its last day, which for "last N days" counts every incident open now as active.
 */
export function apiQueryFor(choice: StatsChoice, now: number): Record<string, string | undefined> {
  const { from, to } = datesOf(choice, now);
  return { team: choice.team.trim() || undefined, from, to: dateOf(dateMs(to)! + DAY_MS) };
}

/** The period in words, for headings and chart summaries. */
export function describeChoice(choice: StatsChoice): string {
  const period = choice.kind === 'last' ? `the last ${choice.days} days` : choice.from === choice.to ? choice.from : `${choice.from} to ${choice.to}`;
  return choice.team.trim() ? `${period}, team ${choice.team.trim()}` : period;
}
