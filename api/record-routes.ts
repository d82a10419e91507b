/**
 * Incidents as the store's records show them: the list with filters, sorting and a cursor, and the stats for a team and
 * a period. Records outlive Temporal's retention, so these answer for incidents closed long ago too.
 */
import { Router } from 'express';
import { z } from 'zod';
import { canonicalInstant, computeIncidentStats, StatsPeriodError, type IncidentStats } from '../domain/incident-stats.js';
import { INCIDENT_STATUSES } from '../domain/incident.js';
import { ID_PATTERN } from '../domain/playbook/vocabulary.js';
import { USERNAME_PATTERN } from '../domain/people.js';
import { IncidentRecordInputError } from '../store/incident-record-errors.js';
import { INCIDENT_RECORD_SORTS } from '../domain/incident-record-sorts.js';
import type { StoredIncidentRecord } from '../store/incident-record-row.js';
import type { IncidentRecordsPort } from './ports/incident-records.js';
import { HttpError } from './http-error.js';
import { parseInput } from './parse-input.js';
import { callerOf, type Caller } from './auth/api-tokens.js';

const DAY_MS = 86_400_000;
const list = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .max(1000)
    .transform((text) => text.split(',').map((part) => part.trim()).filter(Boolean))
    .pipe(z.array(item).max(20));
const instant = z.string().max(40).transform((value, ctx) => {
  const canonical = canonicalInstant(value);
  if (!canonical) ctx.addIssue({ code: 'custom', message: `expected an ISO 8601 date or date-time with a time zone, like 2026-03-01 or 2026-03-01T09:00:00Z, got "${value}"` });
  return canonical ?? value;
});

export const recordListQuerySchema = z.strictObject({
  status: list(z.enum(INCIDENT_STATUSES)).optional(),
  severity: list(z.string().regex(ID_PATTERN)).optional(),
  playbook: list(z.string().regex(ID_PATTERN)).optional(),
  commander: z.string().regex(USERNAME_PATTERN).optional(),
  team: z.string().regex(ID_PATTERN).optional(),
  member: z.string().regex(USERNAME_PATTERN).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  from: instant.optional(),
  to: instant.optional(),
  sort: z.enum(INCIDENT_RECORD_SORTS).default('-reported_at'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(1000).optional(),
});

export const statsQuerySchema = z.strictObject({
  team: z.string().regex(ID_PATTERN).optional(),
  from: instant.optional(),
  to: instant.optional(),
});

/** What a list item shows: the record without its whole view (GET /incidents/:id has that). */
function summary(record: StoredIncidentRecord) {
  const { view: _view, ...rest } = record;
  return { ...rest, url: `/api/v1/incidents/${record.id}` };
}


/** Stats for a team and period: the last 30 days up to now when the period is not given. */
export async function incidentStats(records: IncidentRecordsPort, query: { team?: string; from?: string; to?: string }, now = new Date()): Promise<IncidentStats> {
  const to = query.to ?? now.toISOString();
  const from = query.from ?? new Date(Date.parse(to) - 30 * DAY_MS).toISOString();
  try {
    const rows = await records.forStats({ ...(query.team ? { team: query.team } : {}), from, to });
    return computeIncidentStats(rows, { from, to });
  } catch (error) {
    if (error instanceof StatsPeriodError || error instanceof IncidentRecordInputError) throw new HttpError(400, 'invalid_input', error.message, [error.message]);
    throw error;
  }
}

/**
 * Whether a person who took no part in an incident may see it listed: not when its channel is private (the stored
 * view says), as in chat its details are asked for inside that channel. Incident admins and tokens see every incident.
 */
export function listedFor(caller: Caller | undefined, record: StoredIncidentRecord): boolean {
  if (!caller?.person || caller.person.admin || record.participants.includes(caller.name)) return true;
  const view = record.view as { playbook?: { channel?: { private?: boolean } } } | undefined;
  return view?.playbook?.channel?.private !== true;
}

export function recordRoutes(records: IncidentRecordsPort): Router {
  const router = Router();

  router.get('/incidents', async (req, res) => {
    const query = parseInput(recordListQuerySchema, req.query, 'list query');
    try {
      const page = await records.list({
        ...(query.status ? { status: query.status } : {}),
        ...(query.severity ? { severity: query.severity } : {}),
        ...(query.playbook ? { playbook: query.playbook } : {}),
        ...(query.commander ? { commander: query.commander } : {}),
        ...(query.team ? { team: query.team } : {}),
        ...(query.member ? { member: query.member } : {}),
        ...(query.q ? { text: query.q } : {}),
        ...(query.from ? { reportedFrom: query.from } : {}),
        ...(query.to ? { reportedTo: query.to } : {}),
        sort: query.sort,
        limit: query.limit,
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      const caller = callerOf(res);
      // A page may come out shorter than the limit; its cursor still leads on.
      const items = page.items.filter((record) => listedFor(caller, record));
      res.json({ items: items.map(summary), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
    } catch (error) {
      if (error instanceof IncidentRecordInputError) throw new HttpError(400, 'invalid_input', error.message, [error.message]);
      throw error;
    }
  });

  router.get('/stats', async (req, res) => {
    res.json(await incidentStats(records, parseInput(statsQuerySchema, req.query, 'stats query')));
  });

  return router;
}
