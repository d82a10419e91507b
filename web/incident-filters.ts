/**
 * The incident list's filters as the address bar holds them (`/app/?status=active&scope=all`), so a filtered list can
 * be bookmarked, shared and reloaded, and as GET /api/v1/incidents takes them.
 */
import type { IncidentStatus } from '../domain/incident.js';
import type { IncidentRecordSort } from '../domain/incident-record-sorts.js';

export interface IncidentFilters {
  status: IncidentStatus | '';
  severity: string;
  playbook: string;
  commander: string;
  /** The team's URL name. */
  team: string;
  /** Someone who took part (a username); with "all" only: "mine" is the signed-in person. */
  member: string;
  q: string;
  sort: IncidentRecordSort;
  /** `mine`: incidents the signed-in person is a member of (the default); `all`: everyone's. */
  scope: 'mine' | 'all';
}

/** Every status, in lifecycle order; the Record makes a status the domain adds a compile error here until it has a label. */
export const STATUS_LABELS: Record<IncidentStatus, string> = { reported: 'Reported', active: 'Active', resolved: 'Resolved', closed: 'Closed' };

export const SORT_LABELS: Record<IncidentRecordSort, string> = {
  '-reported_at': 'Newest first',
  reported_at: 'Oldest first',
  '-severity': 'Most severe first',
  severity: 'Least severe first',
  '-updated': 'Recently changed first',
  updated: 'Least recently changed first',
};

const DEFAULT_SORT: IncidentRecordSort = '-reported_at';

export const NO_FILTERS: IncidentFilters = { status: '', severity: '', playbook: '', commander: '', team: '', member: '', q: '', sort: DEFAULT_SORT, scope: 'mine' };

function oneOf<T extends string>(value: string | null, allowed: Record<T, string>, fallback: T): T {
  return value !== null && Object.hasOwn(allowed, value) ? (value as T) : fallback;
}

export function filtersFrom(search: URLSearchParams): IncidentFilters {
  return {
    status: oneOf<IncidentStatus | ''>(search.get('status'), { ...STATUS_LABELS, '': '' }, ''),
    severity: search.get('severity') ?? '',
    playbook: search.get('playbook') ?? '',
    commander: search.get('commander') ?? '',
    team: search.get('team') ?? '',
    member: search.get('member') ?? '',
    q: search.get('q') ?? '',
    sort: oneOf(search.get('sort'), SORT_LABELS, DEFAULT_SORT),
    scope: search.get('scope') === 'all' ? 'all' : 'mine',
  };
}

/** The app's address for these filters (and a page of them); defaults are left out to keep it short. */
export function addressFor(filters: IncidentFilters, cursor?: string): string {
  const params = new URLSearchParams();
  for (const key of ['status', 'severity', 'playbook', 'commander', 'team', 'member', 'q'] as const) {
    const value = filters[key].trim();
    if (value) params.set(key, value);
  }
  if (filters.sort !== DEFAULT_SORT) params.set('sort', filters.sort);
  if (filters.scope === 'all') params.set('scope', 'all');
  if (cursor) params.set('cursor', cursor);
  const text = params.toString();
  return text ? `/app/?${text}` : '/app/';
}

/** GET /api/v1/incidents's query: `member` is the signed-in person's name when the list shows their incidents only, else the member filter. */
export function apiQueryFor(filters: IncidentFilters, member: string | undefined, cursor: string | undefined): Record<string, string | undefined> {
  return {
    status: filters.status || undefined,
    severity: filters.severity.trim() || undefined,
    playbook: filters.playbook.trim() || undefined,
    commander: filters.commander.trim() || undefined,
    team: filters.team.trim() || undefined,
    q: filters.q.trim() || undefined,
    sort: filters.sort,
    member: filters.scope === 'mine' ? member : filters.member.trim().replace(/^@/, '').toLowerCase() || undefined,
    limit: String(PAGE_SIZE),
    cursor,
  };
}

export const PAGE_SIZE = 25;

/** Whether any filter narrows the list (the "mine" scope and the order aside). */
export function isFiltered(filters: IncidentFilters): boolean {
  return Boolean(filters.status || filters.severity.trim() || filters.playbook.trim() || filters.commander.trim() || filters.q.trim());
}
