/**
 * An incident record and its rows: the record type, the zod schema a record must pass before it is written, the mapping
 * from an incident view to a record, and between a record and the rows of `incident_records` and `incident_members`.
 *
 * Timestamps are kept as canonical ISO 8601 UTC text (`2026-03-01T09:00:00.000Z`), which sorts and compares in time
 * order on both dialects; `name` and `summary` are also kept lower-cased by the application for the text filter.
 */
import { incidentHeadline } from '../domain/incident-view.js';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import { canonicalInstant } from '../domain/incident-stats.js';
import { INCIDENT_STATUSES, type IncidentStatus, type IncidentView } from '../domain/incident.js';
import { parseOrRefuse } from './incident-record-errors.js';
import type { Database } from './schema.js';

/** One incident as the store keeps it. */
export interface IncidentRecord {
  id: string;
  /** The team's incident number, when the store gave one. */
  number?: number;
  team: string;
  name: string;
  summary: string;
  status: IncidentStatus;
  severity: string;
  commander: string;
  reporter: string;
  playbookId: string;
  playbookVersion: number;
  /** ISO 8601 instants; the store keeps (and returns) them as canonical UTC text. */
  reportedAt: string;
  acknowledgedAt?: string;
  resolvedAt?: string;
  closedAt?: string;
  /** Usernames; the store returns them in byte order, without duplicates. */
  participants: string[];
  /** Set for incidents opened by an alert: which group of alerts the incident belongs to. */
  alertGroupKey?: string;
  /** The Mattermost channel the incident runs in, once it has one. */
  channelId?: string;
  /** The view's revision: a write only lands over a lower one. */
  revision: number;
  /** The whole incident view, as JSON. */
  view: unknown;
}

/** A record as read back: what was written, plus when the store last applied a write to it. */
export interface StoredIncidentRecord extends IncidentRecord {
  updatedAt: string;
}

/** Row types of the two tables (migration 0003_incident_records); type aliases, as `Kysely.withTables` requires. */
export type IncidentRecordsTable = {
  id: string;
  number: number | null;
  team: string;
  name: string;
  summary: string;
  /** `name` and `summary` lower-cased by the application, for the text filter. */
  search_name: string;
  search_summary: string;
  status: string;
  severity: string;
  commander: string;
  reporter: string;
  playbook_id: string;
  playbook_version: number;
  reported_at: string;
  acknowledged_at: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  alert_group_key: string | null;
  /** Migration 0005. */
  channel_id: string | null;
  revision: number;
  /** The incident view as JSON text. */
  view: string;
  updated_at: string;
};

export type IncidentMembersTable = {
  incident_id: string;
  username: string;
};

export type IncidentRecordTables = {
  incident_records: IncidentRecordsTable;
  incident_members: IncidentMembersTable;
};

export type RecordsDatabase = Database & IncidentRecordTables;
export type RecordRow = Selectable<IncidentRecordsTable>;

const notAnInstant = (value: unknown) => `expected an ISO 8601 date or date-time with a time zone, got "${String(value)}"`;

/** An ISO 8601 instant, as canonical UTC text, so that text comparison is time comparison. */
export const instantSchema = z.string({ error: (issue) => notAnInstant(issue.input) }).transform((value, ctx) => {
  const canonical = canonicalInstant(value);
  if (canonical === undefined) {
    ctx.addIssue({ code: 'custom', message: notAnInstant(value) });
    return z.NEVER;
  }
  return canonical;
});

export const statusSchema = z.enum(INCIDENT_STATUSES, {
  error: (issue) => `must be one of ${INCIDENT_STATUSES.join(', ')}, got "${String(issue.input)}"`,
});

/** A whole number from `min` (`Number.isInteger`: 2.0 passes, 2.5 and "2" do not). */
const wholeNumber = (min: number) =>
  z.custom<number>((value) => Number.isInteger(value) && (value as number) >= min, {
    error: (issue) => `needs a whole number from ${min}, got ${String(issue.input)}`,
  });

const NON_EMPTY = 'needs a non-empty string';
const nonEmptyText = z.string({ error: NON_EMPTY }).min(1, { error: NON_EMPTY });
const text = z.string({ error: 'needs a string' });
const USERNAMES = 'needs a list of usernames';

/** What a record must be to be written; its output has canonical instants. */
const incidentRecordSchema = z.object(
  {
    id: nonEmptyText,
    number: wholeNumber(1).optional(),
    team: nonEmptyText,
    name: text,
    summary: text,
    status: statusSchema,
    severity: nonEmptyText,
    commander: nonEmptyText,
    reporter: nonEmptyText,
    playbookId: nonEmptyText,
    playbookVersion: wholeNumber(1),
    reportedAt: instantSchema,
    acknowledgedAt: instantSchema.optional(),
    resolvedAt: instantSchema.optional(),
    closedAt: instantSchema.optional(),
    participants: z.array(z.string({ error: USERNAMES }), { error: USERNAMES }),
    alertGroupKey: z.string().nullish(),
    channelId: z.string().nullish(),
    revision: wholeNumber(0),
    view: z.unknown(),
  },
  { error: 'an incident record must be an object' },
);

/** The store record for an incident view (`alertGroupKey` when the incident was opened by an alert). */
export function recordFromView(view: IncidentView, alertGroupKey?: string): IncidentRecord {
  return {
    ...incidentHeadline(view),
    playbookId: view.playbook.id,
    playbookVersion: view.playbook.version,
    reportedAt: view.reportedAt,
    ...(view.acknowledgedAt !== undefined ? { acknowledgedAt: view.acknowledgedAt } : {}),
    ...(view.resolvedAt !== undefined ? { resolvedAt: view.resolvedAt } : {}),
    ...(view.closedAt !== undefined ? { closedAt: view.closedAt } : {}),
    participants: [...view.participants],
    ...(alertGroupKey !== undefined ? { alertGroupKey } : {}),
    ...(view.links.channelId !== undefined ? { channelId: view.links.channelId } : {}),
    revision: view.revision,
    view,
  };
}

/** Which record a refusal is about, when it has an id to name. */
function recordContext(value: unknown): string | undefined {
  const id = (value as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' ? `incident record ${id}` : undefined;
}

/**
 * The record's row and its members (byte order, no duplicates), or an `IncidentRecordInputError` naming each field it
 * cannot store.
 */
export function toRows(record: IncidentRecord, updatedAt: string): { row: IncidentRecordsTable; members: string[] } {
  const valid = parseOrRefuse(incidentRecordSchema, record, recordContext(record));
  const row: IncidentRecordsTable = {
    id: valid.id,
    number: valid.number ?? null,
    team: valid.team,
    name: valid.name,
    summary: valid.summary,
    search_name: valid.name.toLowerCase(),
    search_summary: valid.summary.toLowerCase(),
    status: valid.status,
    severity: valid.severity,
    commander: valid.commander,
    reporter: valid.reporter,
    playbook_id: valid.playbookId,
    playbook_version: valid.playbookVersion,
    reported_at: valid.reportedAt,
    acknowledged_at: valid.acknowledgedAt ?? null,
    resolved_at: valid.resolvedAt ?? null,
    closed_at: valid.closedAt ?? null,
    alert_group_key: valid.alertGroupKey ?? null,
    channel_id: valid.channelId ?? null,
    revision: valid.revision,
    view: JSON.stringify(valid.view ?? null),
    updated_at: updatedAt,
  };
  return { row, members: uniqueSorted(valid.participants) };
}

/** The record a row holds, with its members. */
export function toRecord(row: RecordRow, participants: string[]): StoredIncidentRecord {
  return {
    id: row.id,
    ...(row.number !== null ? { number: Number(row.number) } : {}),
    team: row.team,
    name: row.name,
    summary: row.summary,
    status: row.status as IncidentStatus,
    severity: row.severity,
    commander: row.commander,
    reporter: row.reporter,
    playbookId: row.playbook_id,
    playbookVersion: Number(row.playbook_version),
    reportedAt: row.reported_at,
    ...(row.acknowledged_at !== null ? { acknowledgedAt: row.acknowledged_at } : {}),
    ...(row.resolved_at !== null ? { resolvedAt: row.resolved_at } : {}),
    ...(row.closed_at !== null ? { closedAt: row.closed_at } : {}),
    participants,
    ...(row.alert_group_key !== null ? { alertGroupKey: row.alert_group_key } : {}),
    ...(row.channel_id !== null ? { channelId: row.channel_id } : {}),
    revision: Number(row.revision),
    view: JSON.parse(row.view) as unknown,
    updatedAt: row.updated_at,
  };
}

function uniqueSorted(names: string[]): string[] {
  return [...new Set(names)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
