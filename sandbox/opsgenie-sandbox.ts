/**
 * A contract-faithful fake of the Opsgenie REST API slice the incident service uses: the Alert API v2 through
 * `opsgenie-sdk` and the Who-is-on-call API (which the SDK lacks; adapters call it through the SDK's restApi).
 *
 * Routes (under /v2, all behind `Authorization: GenieKey <key>`):
 *   POST /alerts, /alerts/                      create (202 {result,took,requestId}); an open alert with the same alias
 *                                               is deduplicated (count += 1) instead
 *   GET  /alerts/requests/{requestId}           the outcome of an asynchronous request, with the alertId
 *   GET  /alerts/{identifier}?identifierType=   id (default) | alias (open alerts only, like Opsgenie) | tiny
 *   POST /alerts/{identifier}/close?identifierType=   (202)
 *   POST /alerts/{identifier}/notes?identifierType=   (202)
 *   GET  /schedules/{identifier}/on-calls?scheduleIdentifierType=id|name&flat=true|false
 *
 * Every error carries a JSON body `{message, took, requestId}`: opsgenie-sdk crashes the process on an error status
 * with an empty or non-JSON body. Requests are processed at once, so a request id resolves immediately.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response, Router } from 'express';
import { SandboxServer, sendJson, type SandboxDefinition } from './sandbox-server.js';

export interface OpsgenieSandboxOptions {
  /** Default ['og-key']. */
  apiKeys?: string[];
  /** Default [{ id: 'sched-primary', name: 'primary', onCall: ['oscar@example.com'] }]. */
  schedules?: Array<{ id: string; name: string; onCall: string[] }>;
}

export interface SandboxAlert {
  id: string;
  tinyId: string;
  alias: string;
  message: string;
  description: string;
  priority: string;
  status: 'open' | 'closed';
  acknowledged: boolean;
  count: number;
  tags: string[];
  details: Record<string, string>;
  responders: unknown[];
  source: string;
  entity: string;
  notes: Array<{ note: string; user: string; createdAt: string }>;
  createdAt: string;
  updatedAt: string;
  closedAt?: string;
}

export interface OpsgenieSandbox {
  server: SandboxServer;
  alerts(): SandboxAlert[];
  /** Changes who a schedule (by id or name) says is on call, e.g. to test a rotation handover. */
  setOnCall(schedule: string, onCall: string[]): void;
}

interface RequestOutcome {
  action: string;
  alertId: string;
  alias: string;
  status: string;
  processedAt: string;
}

const PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'];
const INTEGRATION = { id: 'sandbox-api-integration', name: 'Default API', type: 'API' };
const LIMITS = { message: 130, alias: 512, description: 15000, note: 25000, tags: 20, user: 100, source: 100, entity: 512 };

/** Opsgenie reports how long a request took, in seconds. */
function took(): number {
  return Math.round(Math.random() * 20 + 1) / 1000;
}

function opsgenieError(message: string, errors?: Record<string, string>): Record<string, unknown> {
  return { message, ...(errors ? { errors } : {}), took: took(), requestId: randomUUID() };
}

/** Checks one optional string field against its limit. */
function checkString(errors: Record<string, string>, body: Record<string, unknown>, field: keyof typeof LIMITS): void {
  const value = body[field];
  if (value === undefined || value === null) return;
  if (typeof value !== 'string') errors[field] = `${field} should be a string.`;
  else if (value.length > LIMITS[field]) errors[field] = `${field} can not be longer than ${LIMITS[field]} characters.`;
}

function validateCreate(body: Record<string, unknown>): Record<string, string> {
  const errors: Record<string, string> = {};
  if (typeof body.message !== 'string' || body.message.trim() === '') errors.message = 'Message can not be empty.';
  else checkString(errors, body, 'message');
  for (const field of ['alias', 'description', 'user', 'source', 'entity'] as const) checkString(errors, body, field);
  if (body.priority !== undefined && !PRIORITIES.includes(body.priority as string)) errors.priority = `Priority should be one of ${PRIORITIES.join(', ')}.`;
  const tags = body.tags;
  if (tags !== undefined && (!Array.isArray(tags) || tags.length > LIMITS.tags || tags.some((t) => typeof t !== 'string'))) {
    errors.tags = `Tags should be a list of at most ${LIMITS.tags} strings.`;
  }
  const details = body.details;
  if (details !== undefined && (typeof details !== 'object' || details === null || Array.isArray(details))) errors.details = 'Details should be a map of strings.';
  if (body.responders !== undefined && !Array.isArray(body.responders)) errors.responders = 'Responders should be a list.';
  return errors;
}

/** A stable user id per e-mail, shaped like Opsgenie's UUIDs. */
function userIdFor(email: string): string {
  const hex = createHash('sha256').update(email).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function createOpsgenieSandbox(options: OpsgenieSandboxOptions = {}): OpsgenieSandbox {
  const apiKeys = options.apiKeys ?? ['og-key'];
  const seededSchedules = options.schedules ?? [{ id: 'sched-primary', name: 'primary', onCall: ['oscar@example.com'] }];
  let schedules = structuredClone(seededSchedules);
  let alerts: SandboxAlert[] = [];
  let outcomes = new Map<string, RequestOutcome>();
  let nextTinyId = 1;

  function requireKey(req: Request, res: Response, next: NextFunction): void {
    const match = /^geniekey\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    if (!match || !apiKeys.includes(match[1] as string)) {
      sendJson(res, 401, opsgenieError('Could not authenticate'));
      return;
    }
    next();
  }

  /** Records the outcome of an accepted request and answers 202, the way every asynchronous Opsgenie call does. */
  function accept(res: Response, outcome: Omit<RequestOutcome, 'processedAt'>): void {
    const requestId = randomUUID();
    outcomes.set(requestId, { ...outcome, processedAt: new Date().toISOString() });
    sendJson(res, 202, { result: 'Request will be processed', took: took(), requestId });
  }

  /** Resolves `{identifier}?identifierType=`; alias only finds open alerts, as in Opsgenie. Answers errors itself. */
  function alertOrError(req: Request, res: Response): SandboxAlert | undefined {
    const identifier = String(req.params.identifier);
    const type = String(req.query.identifierType ?? 'id');
    if (!['id', 'alias', 'tiny'].includes(type)) {
      sendJson(res, 422, opsgenieError(`Invalid identifierType [${type}]. Possible values are [id, alias, tiny].`));
      return undefined;
    }
    const alert = alerts.find((a) => (type === 'id' ? a.id === identifier : type === 'tiny' ? a.tinyId === identifier : a.alias === identifier && a.status === 'open'));
    if (!alert) sendJson(res, 404, opsgenieError('Alert does not exist'));
    return alert;
  }

  function alertJson(alert: SandboxAlert): Record<string, unknown> {
    return {
      id: alert.id,
      tinyId: alert.tinyId,
      alias: alert.alias,
      message: alert.message,
      status: alert.status,
      acknowledged: alert.acknowledged,
      isSeen: false,
      tags: alert.tags,
      snoozed: false,
      count: alert.count,
      lastOccurredAt: alert.updatedAt,
      createdAt: alert.createdAt,
      updatedAt: alert.updatedAt,
      source: alert.source,
      owner: '',
      priority: alert.priority,
      responders: alert.responders,
      integration: INTEGRATION,
      report: alert.closedAt ? { closeTime: Date.parse(alert.closedAt) - Date.parse(alert.createdAt), closedBy: 'API' } : {},
      actions: [],
      entity: alert.entity,
      description: alert.description,
      details: alert.details,
    };
  }

  function createAlert(req: Request, res: Response): void {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const errors = validateCreate(body);
    if (Object.keys(errors).length > 0) {
      sendJson(res, 422, opsgenieError('Request body is not processable. Please check the errors.', errors));
      return;
    }
    const now = new Date().toISOString();
    const alias = typeof body.alias === 'string' && body.alias !== '' ? body.alias : undefined;
    const duplicate = alias === undefined ? undefined : alerts.find((a) => a.alias === alias && a.status === 'open');
    if (duplicate) {
      duplicate.count += 1;
      duplicate.updatedAt = now;
      accept(res, { action: 'Create', alertId: duplicate.id, alias: duplicate.alias, status: 'Created alert' });
      return;
    }
    const id = randomUUID();
    const alert: SandboxAlert = {
      id,
      tinyId: String(nextTinyId++),
      // Opsgenie gives an alert without an alias a generated one; the id serves here.
      alias: alias ?? id,
      message: body.message as string,
      description: (body.description as string | undefined) ?? '',
      priority: (body.priority as string | undefined) ?? 'P3',
      status: 'open',
      acknowledged: false,
      count: 1,
      tags: (body.tags as string[] | undefined) ?? [],
      details: Object.fromEntries(Object.entries((body.details as Record<string, unknown> | undefined) ?? {}).map(([k, v]) => [k, String(v)])),
      responders: (body.responders as unknown[] | undefined) ?? [],
      source: (body.source as string | undefined) ?? req.ip ?? '',
      entity: (body.entity as string | undefined) ?? '',
      notes: typeof body.note === 'string' && body.note !== '' ? [{ note: body.note, user: (body.user as string | undefined) ?? 'System', createdAt: now }] : [],
      createdAt: now,
      updatedAt: now,
    };
    alerts.push(alert);
    accept(res, { action: 'Create', alertId: alert.id, alias: alert.alias, status: 'Created alert' });
  }

  function closeAlert(req: Request, res: Response): void {
    const alert = alertOrError(req, res);
    if (!alert) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    // Closing a closed alert is accepted and changes nothing, as in Opsgenie.
    if (alert.status === 'open') {
      const now = new Date().toISOString();
      alert.status = 'closed';
      alert.closedAt = now;
      alert.updatedAt = now;
      if (typeof body.note === 'string' && body.note !== '') alert.notes.push({ note: body.note, user: (body.user as string | undefined) ?? 'System', createdAt: now });
    }
    accept(res, { action: 'Close', alertId: alert.id, alias: alert.alias, status: 'Closed alert' });
  }

  function addNote(req: Request, res: Response): void {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const errors: Record<string, string> = {};
    if (typeof body.note !== 'string' || body.note.trim() === '') errors.note = 'Note can not be empty.';
    else checkString(errors, body, 'note');
    if (Object.keys(errors).length > 0) {
      sendJson(res, 422, opsgenieError('Request body is not processable. Please check the errors.', errors));
      return;
    }
    const alert = alertOrError(req, res);
    if (!alert) return;
    const now = new Date().toISOString();
    alert.notes.push({ note: body.note as string, user: (body.user as string | undefined) ?? 'System', createdAt: now });
    alert.updatedAt = now;
    accept(res, { action: 'AddNote', alertId: alert.id, alias: alert.alias, status: 'Added note' });
  }

  function requestStatus(req: Request, res: Response): void {
    const outcome = outcomes.get(String(req.params.requestId));
    if (!outcome) {
      sendJson(res, 404, opsgenieError('Request not found. It might not be processed, yet.'));
      return;
    }
    sendJson(res, 200, {
      data: { success: true, action: outcome.action, processedAt: outcome.processedAt, integrationId: INTEGRATION.id, isSuccess: true, status: outcome.status, alertId: outcome.alertId, alias: outcome.alias },
      took: took(),
      requestId: randomUUID(),
    });
  }

  function onCalls(req: Request, res: Response): void {
    const identifier = String(req.params.identifier);
    const type = String(req.query.scheduleIdentifierType ?? 'id');
    if (type !== 'id' && type !== 'name') {
      sendJson(res, 422, opsgenieError(`Invalid scheduleIdentifierType [${type}]. Possible values are [id, name].`));
      return;
    }
    const schedule = schedules.find((s) => (type === 'name' ? s.name === identifier : s.id === identifier));
    if (!schedule) {
      sendJson(res, 404, opsgenieError(`No schedule exists with ${type === 'name' ? 'name' : 'id'} [${identifier}]`));
      return;
    }
    const parent = { id: schedule.id, name: schedule.name, enabled: true };
    const flat = String(req.query.flat ?? 'false').toLowerCase() === 'true';
    const data = flat
      ? { _parent: parent, onCallRecipients: [...schedule.onCall] }
      : { _parent: parent, onCallParticipants: schedule.onCall.map((email) => ({ id: userIdFor(email), name: email, type: 'user' })) };
    sendJson(res, 200, { data, took: took(), requestId: randomUUID() });
  }

  const definition: SandboxDefinition = {
    name: 'opsgenie',
    errorBody: (_status, message) => opsgenieError(message),
    routes(router: Router) {
      router.use('/v2', requireKey);
      // Express routing is not strict, so '/v2/alerts' also answers the SDK's '/v2/alerts/' and '/close/'.
      router.post('/v2/alerts', createAlert);
      router.get('/v2/alerts/requests/:requestId', requestStatus);
      router.get('/v2/alerts/:identifier', (req, res) => {
        const alert = alertOrError(req, res);
        if (alert) sendJson(res, 200, { data: alertJson(alert), took: took(), requestId: randomUUID() });
      });
      router.post('/v2/alerts/:identifier/close', closeAlert);
      router.post('/v2/alerts/:identifier/notes', addNote);
      router.get('/v2/schedules/:identifier/on-calls', onCalls);
    },
    state: () => ({ alerts, schedules }),
    reset() {
      alerts = [];
      outcomes = new Map();
      nextTinyId = 1;
      schedules = structuredClone(seededSchedules);
    },
  };

  return {
    server: new SandboxServer(definition),
    alerts: () => structuredClone(alerts),
    setOnCall(scheduleIdOrName, onCall) {
      const schedule = schedules.find((s) => s.id === scheduleIdOrName || s.name === scheduleIdOrName);
      if (!schedule) throw new Error(`no schedule ${scheduleIdOrName} in the Opsgenie sandbox`);
      schedule.onCall = [...onCall];
    },
  };
}
