/**
 * A contract-faithful fake of the PagerDuty slice the incident service uses, as two servers, because PagerDuty serves
 * these as two hosts with different auth and error bodies (and one can fail while the other answers):
 *
 * REST API v2 (`server`, for api.pagerduty.com), every route behind `Authorization: Token token=<key>`:
 *   GET /schedules?query=&limit=&offset=          schedules whose name contains the query (any case), paginated
 *   GET /schedules/{id}
 *   GET /oncalls?schedule_ids[]=&escalation_policy_ids[]=&user_ids[]=&include[]=users|schedules|escalation_policies
 *                                                 who is on call now (since/until and earliest are accepted; there is
 *                                                 only "now" here, with one entry per policy, level and user)
 *   GET /users/{id}
 *   GET /incidents?incident_key=&statuses[]=&service_ids[]=&date_range=   and GET /incidents/{id}
 * Errors are `{error: {message, code, errors?}}` with PagerDuty's codes (2006 authentication failed, 2100 not found,
 * 2001 invalid input, 2020 rate limit); lists carry `limit, offset, more, total` (total null unless total=true).
 *
 * Events API v2 (`events`, for events.pagerduty.com): POST /v2/enqueue, authenticated by the routing key in the body.
 * trigger/acknowledge/resolve with dedup_key: a trigger whose dedup_key has an open incident is added to it (its
 * `alertCount` grows) instead of opening another; acknowledge and resolve of no open incident are dropped, as PagerDuty
 * does. Every accepted event answers 202 {status: "success", message: "Event processed", dedup_key}; a refused one 400
 * {status: "invalid event", message: "Event object is invalid", errors: [...]}.
 *
 * Seeded: the people of the Mattermost sandbox (alice, bob, carol, dave, erin, oscar, e-mail <name>@example.com), a
 * schedule "primary" (ID PPRIMRY) with oscar on call, an escalation policy per schedule, and one service whose
 * escalation policy is the first schedule's, with urgency from severity (critical and error high, warning and info
 * low). Events are processed at once, so an incident exists as soon as its trigger is answered.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response, Router } from 'express';
import { SandboxServer, sendJson, type SandboxDefinition } from './sandbox-server.js';

/** The REST API token the sandbox accepts by default. */
export const PAGERDUTY_SANDBOX_API_TOKEN = 'pd-token';
/** The Events API v2 routing key (32 alphanumerics, like PagerDuty's) the sandbox's service accepts by default. */
export const PAGERDUTY_SANDBOX_ROUTING_KEY = 'pdsandboxroutingkey0000000000001';

export interface PagerDutySandboxOptions {
  /** Default [PAGERDUTY_SANDBOX_API_TOKEN]. */
  apiTokens?: string[];
  /** Integration keys of the seeded service's Events API v2 integration. Default [PAGERDUTY_SANDBOX_ROUTING_KEY]. */
  routingKeys?: string[];
  /** Usernames; each becomes a user with e-mail <name>@example.com. Default alice, bob, carol, dave, erin, oscar. */
  users?: string[];
  /**
   * Schedules with who is on call in them now (e-mails), each the first level of its own escalation policy. Default
   * [{ id: 'PPRIMRY', name: 'primary', onCall: ['oscar@example.com'] }]. An e-mail of no seeded user adds a user.
   */
  schedules?: Array<{ id?: string; name: string; onCall: string[] }>;
}

export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

export interface SandboxPagerDutyIncident {
  id: string;
  incidentNumber: number;
  title: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  urgency: 'high' | 'low';
  /** The dedup_key of the alert that opened it. */
  incidentKey: string;
  severity: PagerDutySeverity;
  source: string;
  customDetails: Record<string, unknown>;
  client?: string;
  serviceId: string;
  /** E-mails of whom the incident was assigned to: the service's escalation policy's first level, when triggered. */
  assignees: string[];
  /** Trigger events applied to its alert: 1, plus one per deduplicated trigger. */
  alertCount: number;
  /** Every event applied to it, in order. */
  log: Array<{ action: 'trigger' | 'acknowledge' | 'resolve'; at: string }>;
  createdAt: string;
  lastStatusChangeAt: string;
  resolvedAt?: string;
}

/** What the Events API received (routing key left out), accepted or dropped. */
export interface SandboxPagerDutyEvent {
  at: string;
  action: string;
  dedupKey?: string;
  outcome: 'created' | 'deduplicated' | 'acknowledged' | 'resolved' | 'dropped';
  incidentId?: string;
}

export interface PagerDutySandbox {
  /** REST API v2. */
  server: SandboxServer;
  /** Events API v2. */
  events: SandboxServer;
  apiToken: string;
  routingKey: string;
  incidents(): SandboxPagerDutyIncident[];
  receivedEvents(): SandboxPagerDutyEvent[];
  schedules(): Array<{ id: string; name: string; onCall: string[] }>;
  /** Changes who a schedule (by ID or name) says is on call, e.g. to test a handover. */
  setOnCall(schedule: string, onCall: string[]): void;
  /** Starts both servers. */
  start(): Promise<{ apiUrl: string; eventsUrl: string }>;
  stop(): Promise<void>;
  reset(): void;
}

const DEFAULT_USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'oscar'];
const SEVERITIES: readonly string[] = ['critical', 'error', 'warning', 'info'];
const ACTIONS: readonly string[] = ['trigger', 'acknowledge', 'resolve'];
const HTML = 'https://sandbox.pagerduty.com';
const ERROR_CODES: Record<number, number> = { 400: 2001, 401: 2006, 403: 2010, 404: 2100, 408: 2016, 429: 2020 };
const LIMITS = { summary: 1024, dedupKey: 255, source: 255 };

/** A stable PagerDuty-like object ID ("P" and six upper-case letters or digits) per seed. */
function objectId(seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return `P${[...digest.subarray(0, 6)].map((byte) => alphabet[byte % alphabet.length]).join('')}`;
}

function restError(status: number, message: string, errors?: string[]): Record<string, unknown> {
  return { error: { message, code: ERROR_CODES[status] ?? 2000, ...(errors?.length ? { errors } : {}) } };
}

function eventsError(status: number, message: string, errors: string[]): Record<string, unknown> {
  return { status: status === 400 ? 'invalid event' : 'error', message, errors };
}

/**
 * The body of an error the routes did not answer themselves: an injected fault, or a body that is not JSON (which
 * PagerDuty's Events API answers as an unrecognized object).
 */
function eventsFaultBody(status: number, message: string): Record<string, unknown> {
  if (status === 400) return { status: 'Unrecognized object', message: 'Event object format is unrecognized', errors: [message] };
  return eventsError(status, message, [message]);
}

/** An array query parameter, sent as `name[]=a&name[]=b` (PagerDuty's form) or plain `name=`. */
function values(req: Request, name: string): string[] {
  const query = req.query as Record<string, unknown>;
  return [query[`${name}[]`], query[name]].flat().filter((v): v is string => typeof v === 'string' && v !== '');
}

interface World {
  users: Array<{ id: string; name: string; email: string }>;
  schedules: Array<{ id: string; name: string; onCall: string[]; policyId: string }>;
  service: { id: string; name: string; policyId: string };
  incidents: SandboxPagerDutyIncident[];
  events: SandboxPagerDutyEvent[];
  nextNumber: number;
  /** When the current on-call shifts began (reset time, to the hour) and end (a week later). */
  shiftStart: string;
}

export function createPagerDutySandbox(options: PagerDutySandboxOptions = {}): PagerDutySandbox {
  const apiTokens = options.apiTokens ?? [PAGERDUTY_SANDBOX_API_TOKEN];
  const routingKeys = options.routingKeys ?? [PAGERDUTY_SANDBOX_ROUTING_KEY];
  const seededSchedules = options.schedules ?? [{ id: 'PPRIMRY', name: 'primary', onCall: ['oscar@example.com'] }];
  const seededUsers = options.users ?? DEFAULT_USERS;

  const seed = (): World => {
    const users = seededUsers.map((name) => ({ id: objectId(`user:${name}`), name: name.charAt(0).toUpperCase() + name.slice(1), email: `${name}@example.com` }));
    for (const email of seededSchedules.flatMap((s) => s.onCall)) {
      if (!users.some((u) => u.email.toLowerCase() === email.toLowerCase())) users.push({ id: objectId(`user:${email}`), name: email.split('@')[0]!, email });
    }
    const schedules = seededSchedules.map((s) => {
      const id = s.id ?? objectId(`schedule:${s.name}`);
      return { id, name: s.name, onCall: [...s.onCall], policyId: objectId(`policy:${id}`) };
    });
    const hour = new Date();
    hour.setUTCMinutes(0, 0, 0);
    return {
      users,
      schedules,
      service: { id: objectId('service:incident-collaboration'), name: 'Incident Collaboration', policyId: schedules[0]?.policyId ?? objectId('policy:none') },
      incidents: [],
      events: [],
      nextNumber: 1,
      shiftStart: hour.toISOString(),
    };
  };
  let world = seed();

  const rest = new SandboxServer({
    name: 'pagerduty',
    errorBody: (status, message) => restError(status, message),
    routes: restRoutes,
    state,
    reset,
  } satisfies SandboxDefinition);
  const events = new SandboxServer({
    name: 'pagerduty-events',
    errorBody: eventsFaultBody,
    routes: (router) => router.post('/v2/enqueue', enqueue),
    state,
    reset,
  } satisfies SandboxDefinition);

  function reset(): void {
    world = seed();
  }

  function state(): unknown {
    return {
      service: world.service,
      schedules: world.schedules.map(({ id, name, onCall }) => ({ id, name, onCall })),
      users: world.users,
      incidents: world.incidents,
      events: world.events,
    };
  }

  // ---- REST API v2 ------------------------------------------------------------------------------------------------

  const self = (path: string): string => `${rest.url}${path}`;
  const userRef = (user: World['users'][number]) => ({ id: user.id, type: 'user_reference', summary: user.name, self: self(`/users/${user.id}`), html_url: `${HTML}/users/${user.id}` });
  const userJson = (user: World['users'][number]) => ({
    id: user.id,
    type: 'user',
    summary: user.name,
    self: self(`/users/${user.id}`),
    html_url: `${HTML}/users/${user.id}`,
    name: user.name,
    email: user.email,
    time_zone: 'Etc/UTC',
    color: 'green',
    role: 'user',
    avatar_url: `${HTML}/avatars/${user.id}.png`,
    description: '',
    invitation_sent: false,
    job_title: '',
    teams: [],
  });
  const policyRef = (schedule: World['schedules'][number]) => ({
    id: schedule.policyId,
    type: 'escalation_policy_reference',
    summary: `${schedule.name} escalation policy`,
    self: self(`/escalation_policies/${schedule.policyId}`),
    html_url: `${HTML}/escalation_policies/${schedule.policyId}`,
  });
  const scheduleRef = (schedule: World['schedules'][number]) => ({
    id: schedule.id,
    type: 'schedule_reference',
    summary: schedule.name,
    self: self(`/schedules/${schedule.id}`),
    html_url: `${HTML}/schedules/${schedule.id}`,
  });
  const scheduleJson = (schedule: World['schedules'][number]) => ({
    ...scheduleRef(schedule),
    type: 'schedule',
    name: schedule.name,
    time_zone: 'Etc/UTC',
    description: '',
    escalation_policies: [policyRef(schedule)],
    users: schedule.onCall.map((email) => userByEmail(email)).filter((u) => u !== undefined).map(userRef),
    teams: [],
  });
  const incidentJson = (incident: SandboxPagerDutyIncident) => ({
    id: incident.id,
    type: 'incident',
    summary: `[#${incident.incidentNumber}] ${incident.title}`,
    self: self(`/incidents/${incident.id}`),
    html_url: `${HTML}/incidents/${incident.id}`,
    incident_number: incident.incidentNumber,
    title: incident.title,
    created_at: incident.createdAt,
    updated_at: incident.lastStatusChangeAt,
    status: incident.status,
    incident_key: incident.incidentKey,
    service: { id: world.service.id, type: 'service_reference', summary: world.service.name, self: self(`/services/${world.service.id}`), html_url: `${HTML}/services/${world.service.id}` },
    assignments:
      incident.status === 'resolved'
        ? []
        : incident.assignees.map((email) => userByEmail(email)).filter((u) => u !== undefined).map((user) => ({ at: incident.createdAt, assignee: userRef(user) })),
    last_status_change_at: incident.lastStatusChangeAt,
    ...(incident.resolvedAt ? { resolved_at: incident.resolvedAt } : {}),
    urgency: incident.urgency,
    alert_counts: { all: incident.alertCount > 0 ? 1 : 0, triggered: incident.status === 'resolved' ? 0 : 1, resolved: incident.status === 'resolved' ? 1 : 0 },
  });

  function userByEmail(email: string): World['users'][number] | undefined {
    return world.users.find((u) => u.email.toLowerCase() === email.toLowerCase());
  }

  function requireToken(req: Request, res: Response, next: NextFunction): void {
    // PagerDuty asks for exactly this form; "Bearer" belongs to OAuth tokens, which the sandbox does not issue.
    const match = /^Token token=(\S+)$/.exec(req.get('authorization') ?? '');
    if (!match || !apiTokens.includes(match[1]!)) {
      sendJson(res, 401, restError(401, 'Authentication failed'));
      return;
    }
    next();
  }

  /** limit (default 25, at most 100) and offset, or a 400 already sent. */
  function pageOf<T>(req: Request, res: Response, items: T[]): { items: T[]; limit: number; offset: number; more: boolean; total: number | null } | undefined {
    const query = req.query as Record<string, unknown>;
    const limit = query.limit === undefined ? 25 : Number(query.limit);
    const offset = query.offset === undefined ? 0 : Number(query.offset);
    if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(offset) || offset < 0) {
      sendJson(res, 400, restError(400, 'Invalid Input Provided', ['Limit and offset must be non-negative integers.']));
      return undefined;
    }
    const size = Math.min(limit, 100);
    return { items: items.slice(offset, offset + size), limit: size, offset, more: offset + size < items.length, total: query.total === 'true' ? items.length : null };
  }

  function listSchedules(req: Request, res: Response): void {
    const query = typeof req.query.query === 'string' ? req.query.query.toLowerCase() : '';
    const page = pageOf(req, res, world.schedules.filter((s) => s.name.toLowerCase().includes(query)));
    if (page) sendJson(res, 200, { schedules: page.items.map(scheduleJson), limit: page.limit, offset: page.offset, more: page.more, total: page.total });
  }

  function getSchedule(req: Request, res: Response): void {
    const schedule = world.schedules.find((s) => s.id === req.params.id);
    if (!schedule) sendJson(res, 404, restError(404, 'Not Found'));
    else sendJson(res, 200, { schedule: scheduleJson(schedule) });
  }

  function listOnCalls(req: Request, res: Response): void {
    const scheduleIds = values(req, 'schedule_ids');
    const policyIds = values(req, 'escalation_policy_ids');
    const userIds = values(req, 'user_ids');
    const include = values(req, 'include');
    const end = new Date(Date.parse(world.shiftStart) + 7 * 24 * 3600_000).toISOString();
    const entries = world.schedules
      .filter((s) => (scheduleIds.length === 0 || scheduleIds.includes(s.id)) && (policyIds.length === 0 || policyIds.includes(s.policyId)))
      .flatMap((schedule) =>
        schedule.onCall
          .map((email) => ({ schedule, user: userByEmail(email)! }))
          .filter(({ user }) => user && (userIds.length === 0 || userIds.includes(user.id))),
      )
      .map(({ schedule, user }) => ({
        escalation_policy: include.includes('escalation_policies') ? { ...policyRef(schedule), type: 'escalation_policy', name: policyRef(schedule).summary } : policyRef(schedule),
        escalation_level: 1,
        schedule: include.includes('schedules') ? scheduleJson(schedule) : scheduleRef(schedule),
        user: include.includes('users') ? userJson(user) : userRef(user),
        start: world.shiftStart,
        end,
      }));
    const page = pageOf(req, res, entries);
    if (page) sendJson(res, 200, { oncalls: page.items, limit: page.limit, offset: page.offset, more: page.more, total: page.total });
  }

  function getUser(req: Request, res: Response): void {
    const user = world.users.find((u) => u.id === req.params.id);
    if (!user) sendJson(res, 404, restError(404, 'Not Found'));
    else sendJson(res, 200, { user: userJson(user) });
  }

  function listIncidents(req: Request, res: Response): void {
    const key = typeof req.query.incident_key === 'string' ? req.query.incident_key : undefined;
    const statuses = values(req, 'statuses');
    const serviceIds = values(req, 'service_ids');
    const bad = statuses.filter((s) => !['triggered', 'acknowledged', 'resolved'].includes(s));
    if (bad.length) {
      sendJson(res, 400, restError(400, 'Invalid Input Provided', [`Statuses must be triggered, acknowledged or resolved, got ${bad.join(', ')}.`]));
      return;
    }
    const found = world.incidents.filter(
      (i) => (key === undefined || i.incidentKey === key) && (statuses.length === 0 || statuses.includes(i.status)) && (serviceIds.length === 0 || serviceIds.includes(i.serviceId)),
    );
    const page = pageOf(req, res, found);
    if (page) sendJson(res, 200, { incidents: page.items.map(incidentJson), limit: page.limit, offset: page.offset, more: page.more, total: page.total });
  }

  function getIncident(req: Request, res: Response): void {
    const incident = world.incidents.find((i) => i.id === req.params.id || String(i.incidentNumber) === req.params.id);
    if (!incident) sendJson(res, 404, restError(404, 'Not Found'));
    else sendJson(res, 200, { incident: incidentJson(incident) });
  }

  function restRoutes(router: Router): void {
    router.use(requireToken);
    router.get('/schedules', listSchedules);
    router.get('/schedules/:id', getSchedule);
    router.get('/oncalls', listOnCalls);
    router.get('/users/:id', getUser);
    router.get('/incidents', listIncidents);
    router.get('/incidents/:id', getIncident);
  }

  // ---- Events API v2 ----------------------------------------------------------------------------------------------

  /** The documented checks, every problem at once, in PagerDuty's words where it has them. */
  function validateEvent(body: Record<string, unknown>): string[] {
    const errors: string[] = [];
    const key = body.routing_key;
    if (typeof key !== 'string' || key.length !== 32) errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
    if (typeof key === 'string' && !/^[A-Za-z0-9]*$/.test(key)) errors.push("'routing_key' cannot contain non-alphanumeric characters.");
    const action = body.event_action;
    if (typeof action !== 'string' || !ACTIONS.includes(action)) errors.push("'event_action' is missing or invalid (expected trigger, acknowledge or resolve)");
    const dedup = body.dedup_key;
    if (dedup !== undefined && dedup !== null && typeof dedup !== 'string') errors.push("'dedup_key' must be a string");
    if (typeof dedup === 'string' && dedup.length > LIMITS.dedupKey) errors.push(`'dedup_key' is too long (at most ${LIMITS.dedupKey} characters)`);
    if ((action === 'acknowledge' || action === 'resolve') && (typeof dedup !== 'string' || dedup === '')) errors.push("'dedup_key' is missing or blank");
    if (action === 'trigger') {
      const payload = body.payload;
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
        errors.push("'payload' is missing or blank");
      } else {
        const { summary, source, severity, custom_details: details } = payload as Record<string, unknown>;
        if (typeof summary !== 'string' || summary.trim() === '') errors.push("'payload.summary' is missing or blank");
        else if (summary.length > LIMITS.summary) errors.push(`'payload.summary' is too long (at most ${LIMITS.summary} characters)`);
        if (typeof source !== 'string' || source.trim() === '') errors.push("'payload.source' is missing or blank");
        else if (source.length > LIMITS.source) errors.push(`'payload.source' is too long (at most ${LIMITS.source} characters)`);
        if (typeof severity !== 'string' || !SEVERITIES.includes(severity)) errors.push("'payload.severity' is missing or invalid (expected critical, error, warning or info)");
        if (details !== undefined && (typeof details !== 'object' || details === null || Array.isArray(details))) errors.push("'payload.custom_details' must be an object");
      }
    }
    return errors;
  }

  function enqueue(req: Request, res: Response): void {
    const body = req.body as unknown;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      sendJson(res, 400, eventsFaultBody(400, 'JSON parse error'));
      return;
    }
    const event = body as Record<string, unknown>;
    const errors = validateEvent(event);
    if (errors.length === 0 && !routingKeys.includes(event.routing_key as string)) errors.push('Invalid routing key');
    if (errors.length > 0) {
      sendJson(res, 400, eventsError(400, 'Event object is invalid', errors));
      return;
    }
    const action = event.event_action as 'trigger' | 'acknowledge' | 'resolve';
    const now = new Date().toISOString();
    // A trigger without a dedup_key always opens a new alert: PagerDuty makes up a unique key for it.
    const dedupKey = typeof event.dedup_key === 'string' && event.dedup_key !== '' ? event.dedup_key : randomUUID().replace(/-/g, '');
    const open = world.incidents.find((i) => i.incidentKey === dedupKey && i.status !== 'resolved');
    const record = (outcome: SandboxPagerDutyEvent['outcome'], incident?: SandboxPagerDutyIncident) => {
      world.events.push({ at: now, action, dedupKey, outcome, ...(incident ? { incidentId: incident.id } : {}) });
      incident?.log.push({ action, at: now });
    };
    if (action === 'trigger') {
      if (open) {
        open.alertCount += 1;
        record('deduplicated', open);
      } else {
        const payload = event.payload as Record<string, unknown>;
        const severity = payload.severity as PagerDutySeverity;
        const schedule = world.schedules.find((s) => s.policyId === world.service.policyId);
        const incident: SandboxPagerDutyIncident = {
          id: objectId(`incident:${randomUUID()}`),
          incidentNumber: world.nextNumber++,
          title: payload.summary as string,
          status: 'triggered',
          urgency: severity === 'critical' || severity === 'error' ? 'high' : 'low',
          incidentKey: dedupKey,
          severity,
          source: payload.source as string,
          customDetails: (payload.custom_details as Record<string, unknown> | undefined) ?? {},
          ...(typeof event.client === 'string' ? { client: event.client } : {}),
          serviceId: world.service.id,
          // Whoever is on call at the policy's first level is assigned (and notified) first.
          assignees: [...(schedule?.onCall ?? [])],
          alertCount: 1,
          log: [],
          createdAt: now,
          lastStatusChangeAt: now,
        };
        world.incidents.push(incident);
        record('created', incident);
      }
    } else if (!open) {
      record('dropped');
    } else if (action === 'acknowledge') {
      if (open.status === 'triggered') open.lastStatusChangeAt = now;
      open.status = 'acknowledged';
      record('acknowledged', open);
    } else {
      open.status = 'resolved';
      open.resolvedAt = now;
      open.lastStatusChangeAt = now;
      record('resolved', open);
    }
    sendJson(res, 202, { status: 'success', message: 'Event processed', dedup_key: dedupKey });
  }

  return {
    server: rest,
    events,
    apiToken: apiTokens[0]!,
    routingKey: routingKeys[0]!,
    incidents: () => structuredClone(world.incidents),
    receivedEvents: () => structuredClone(world.events),
    schedules: () => world.schedules.map(({ id, name, onCall }) => ({ id, name, onCall: [...onCall] })),
    setOnCall(scheduleIdOrName, onCall) {
      const schedule = world.schedules.find((s) => s.id === scheduleIdOrName || s.name === scheduleIdOrName);
      if (!schedule) throw new Error(`no schedule ${scheduleIdOrName} in the PagerDuty sandbox`);
      for (const email of onCall) {
        if (!userByEmail(email)) world.users.push({ id: objectId(`user:${email}`), name: email.split('@')[0]!, email });
      }
      schedule.onCall = [...onCall];
    },
    async start() {
      const [apiUrl, eventsUrl] = await Promise.all([rest.start(), events.start()]);
      return { apiUrl, eventsUrl };
    },
    async stop() {
      await Promise.all([rest.stop(), events.stop()]);
    },
    reset() {
      rest.reset();
      events.reset();
    },
  };
}
