/**
 * The on-call port on PagerDuty. Two of its APIs, as PagerDuty documents them:
 * - REST API v2 (https://api.pagerduty.com, `Authorization: Token token=<key>`, `Accept:
 *   application/vnd.pagerduty+json;version=2`): a schedule by ID or name (GET /schedules/{id}, GET /schedules?query=),
 *   who is on call in it (GET /oncalls?schedule_ids[]=&earliest=true&include[]=users, GET /users/{id} for an e-mail the
 *   include left out), and a page found again by its dedup key (GET /incidents?incident_key=&date_range=all);
 * - Events API v2 (POST https://events.pagerduty.com/v2/enqueue with the service integration's routing key): paging is a
 *   `trigger` and closing a `resolve`, both with dedup_key = the incident's alias. PagerDuty applies a trigger whose
 *   dedup_key has an open alert to that alert, so a retried page never opens a second PagerDuty incident.
 *
 * On Node's fetch rather than PagerDuty's JavaScript client @pagerduty/pdjs (2.2.4, released November 2021, its
 * repository quiet since 2022): its `requestTimeout` starts a timer that aborts nothing, and it retries a 429 three times,
 * 20 s apart, inside the one call, whatever Retry-After says. An activity would outlive its timeout and Temporal would
 * retry on top of that. Here every call makes one attempt within INTEGRATION_TIMEOUT_MS, stops when its activity is
 * cancelled, and is classified like every adapter's (integrations/http-failure.ts); Temporal does the retrying.
 */
import { callSignal } from '../../activities/ports/cancellation.js';
import { IntegrationError } from '../../activities/ports/integration-error.js';
import { httpFailure, networkFailure, type FailureSource } from '../http-failure.js';
import type { Alert, OnCallPort, PageRequest } from '../../activities/ports/on-call.js';
import { incidentSeverityOf, pagerDutySeverity, type PagerDutySeverity, type PagerDutySeverityMap, parseSeverityMap, DEFAULT_PAGERDUTY_SEVERITY_MAP } from './severity.js';

const PAGERDUTY: FailureSource = { system: 'oncall', service: 'PagerDuty' };

export interface PagerDutyConfig {
  /** A REST API key (account or user token); read access is enough. */
  apiToken: string;
  /** The integration key of an Events API v2 integration on the service incidents page. */
  routingKey: string;
  /** REST API host, default https://api.pagerduty.com (EU service region: https://api.eu.pagerduty.com). */
  apiUrl?: string;
  /** Events API host, default https://events.pagerduty.com (EU: https://events.eu.pagerduty.com). */
  eventsUrl?: string;
  /** Schedule (name or ID) whose on-call people are looked up when the playbook names none. */
  defaultSchedule?: string;
  /** How long a schedule's name stays resolved to its ID (SCHEDULE_ID_CACHE_MS by default; 0: never kept). */
  scheduleIdCacheMs?: number;
  /** Incident severity (or priority) → PagerDuty severity; default sev1=critical, sev2=error, sev3=warning, sev4=info. */
  severityMap?: PagerDutySeverityMap;
  timeoutMs?: number;
}

/** PagerDuty's generic REST error body. */
interface RestError {
  error?: { message?: string; code?: number; errors?: unknown };
}

/** The Events API's answer, 202 and errors alike. */
interface EventsAnswer {
  status?: string;
  message?: string;
  dedup_key?: string;
  errors?: unknown;
}

interface UserReference {
  id: string;
  type: string;
  /** Present when the user is included in full (include[]=users), not as a reference. */
  email?: string;
}

interface OnCallEntry {
  user: UserReference;
  escalation_level: number;
}

interface Schedule {
  id: string;
  name?: string;
}

interface Incident {
  id: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
}

interface Pagination {
  more?: boolean;
}

/** What the events say they come from: PagerDuty wants a "unique location of the affected system", which we do not know. */
const SOURCE = 'incident-collaboration';
const CLIENT = 'Incident Collaboration';
/** The most a list endpoint returns per page (PagerDuty's maximum). */
const PAGE_SIZE = 100;
/** Enough pages for any schedule search or incident key; past this something is wrong and we stop asking. */
const MAX_PAGES = 10;
/** PagerDuty object IDs: "PI7DH85", or the longer ones newer objects get. */
const OBJECT_ID = /^[PQ][A-Z0-9]{6,19}$/;
/**
 * How long a schedule's name stays resolved to its ID in this process: the lookup (GET /schedules) is one call before
 * the on-call one on every launch's on-call path, and a schedule's ID never changes. Only who the name means can (a
 * schedule renamed, or deleted and made again): for this long at most, and an ID that now has nobody on call is looked
 * up again at once (so is one PagerDuty refuses). Who is on call is asked every time.
 */
export const SCHEDULE_ID_CACHE_MS = 10 * 60_000;

export class PagerDutyOnCall implements OnCallPort {
  readonly provider = 'pagerduty' as const;
  private readonly apiUrl: string;
  private readonly eventsUrl: string;
  private readonly severityMap: PagerDutySeverityMap;
  private readonly timeoutMs: number;
  /** Schedule names (and IDs) resolved to IDs, with when. */
  private readonly scheduleIds = new Map<string, { id: string; at: number }>();

  constructor(private readonly config: PagerDutyConfig) {
    this.apiUrl = (config.apiUrl ?? 'https://api.pagerduty.com').replace(/\/+$/, '');
    this.eventsUrl = (config.eventsUrl ?? 'https://events.pagerduty.com').replace(/\/+$/, '');
    this.severityMap = config.severityMap ?? parseSeverityMap(DEFAULT_PAGERDUTY_SEVERITY_MAP).map;
    this.timeoutMs = config.timeoutMs ?? 10_000;
  }

  async whoIsOnCall(schedule?: string): Promise<string[]> {
    const wanted = schedule ?? this.config.defaultSchedule;
    if (!wanted) {
      throw new IntegrationError('oncall', 'no PagerDuty schedule named (playbook opsgenie.schedule or PAGERDUTY_SCHEDULE)', false, 'NotConfigured');
    }
    const kept = this.keptScheduleId(wanted);
    const underKept = kept === undefined ? undefined : await this.onCallEntries(kept).catch(refusedId);
    // Nobody on call under a kept ID (or the ID refused) may mean the name now names another schedule: looked up again.
    if (kept !== undefined && !underKept?.length) this.scheduleIds.delete(wanted);
    const entries = underKept?.length ? underKept : await this.onCallEntries(await this.scheduleId(wanted));
    // First responders first: the launch makes the first one the commander when the playbook says so. (Stable sort.)
    entries.sort((a, b) => a.escalation_level - b.escalation_level);
    // An e-mail the include left out is asked for, all at once: they sit on the launch's on-call path.
    const addresses = await Promise.all(
      entries.map(async (entry) => entry.user.email ?? (await this.rest<{ user: UserReference }>(`/users/${encodeURIComponent(entry.user.id)}`)).user.email),
    );
    const emails: string[] = [];
    for (const email of addresses) {
      if (email && !emails.some((known) => known.toLowerCase() === email.toLowerCase())) emails.push(email);
    }
    return emails;
  }

  /** Who is on call now in the schedule with this ID. */
  private onCallEntries(scheduleId: string): Promise<OnCallEntry[]> {
    // Without since/until PagerDuty answers for now; earliest=true keeps one entry per policy, level and user.
    return this.list<OnCallEntry>('/oncalls', 'oncalls', { 'schedule_ids[]': scheduleId, earliest: 'true', 'include[]': 'users' });
  }

  private keptScheduleId(nameOrId: string): string | undefined {
    const kept = this.scheduleIds.get(nameOrId);
    if (kept && Date.now() - kept.at < (this.config.scheduleIdCacheMs ?? SCHEDULE_ID_CACHE_MS)) return kept.id;
    this.scheduleIds.delete(nameOrId);
    return undefined;
  }

  async findAlert(alias: string): Promise<Alert | undefined> {
    // date_range=all: the default window is the last month, and an incident may be resolved later than that.
    const incidents = await this.list<Incident>('/incidents', 'incidents', { incident_key: alias, date_range: 'all' });
    const open = incidents.find((incident) => incident.status !== 'resolved');
    const found = open ?? incidents[0];
    return found && { id: found.id, alias, status: open ? 'open' : 'closed' };
  }

  async createAlert(request: PageRequest): Promise<Alert> {
    const severity: PagerDutySeverity = pagerDutySeverity(this.severityMap, request);
    const incidentSeverity = incidentSeverityOf(request);
    const accepted = await this.event({
      event_action: 'trigger',
      dedup_key: request.alias,
      payload: {
        summary: request.message.slice(0, 1024),
        source: SOURCE,
        severity,
        custom_details: {
          description: request.description,
          ...(incidentSeverity ? { 'incident severity': incidentSeverity } : {}),
          priority: request.priority,
        },
      },
      client: CLIENT,
    });
    const dedupKey = accepted.dedup_key ?? request.alias;
    // Events are processed asynchronously: the incident may not exist yet. Name it when it does, else the dedup key
    // names the page just as well (it is how the resolution finds it).
    try {
      const found = await this.findAlert(dedupKey);
      if (found?.status === 'open') return found;
    } catch {
      // The page is made; not knowing its incident ID yet is no failure.
    }
    return { id: dedupKey, alias: request.alias, status: 'open' };
  }

  /** The Events API resolves by dedup_key and keeps no note with it, so `note` is not sent. */
  async closeAlert(alias: string, _note: string): Promise<void> {
    await this.event({ event_action: 'resolve', dedup_key: alias });
  }

  /** A schedule's ID from its ID or its name (exact, else the only one equal but for case), kept for a while. */
  private async scheduleId(nameOrId: string): Promise<string> {
    const id = await this.lookUpScheduleId(nameOrId);
    if ((this.config.scheduleIdCacheMs ?? SCHEDULE_ID_CACHE_MS) > 0) this.scheduleIds.set(nameOrId, { id, at: Date.now() });
    return id;
  }

  private async lookUpScheduleId(nameOrId: string): Promise<string> {
    if (OBJECT_ID.test(nameOrId)) {
      try {
        return (await this.rest<{ schedule: Schedule }>(`/schedules/${encodeURIComponent(nameOrId)}`)).schedule.id;
      } catch (error) {
        // A name that only looks like an ID ("PRIMARY") is looked up by name below.
        if (!(error instanceof IntegrationError && error.kind === 'NotFound')) throw error;
      }
    }
    // `query` matches parts of names, so the exact one is picked from what comes back.
    const schedules = await this.list<Schedule>('/schedules', 'schedules', { query: nameOrId });
    const exact = schedules.find((s) => s.name === nameOrId) ?? schedules.find((s) => s.name?.toLowerCase() === nameOrId.toLowerCase());
    if (!exact) throw new IntegrationError('oncall', `PagerDuty has no schedule named or with ID "${nameOrId}"`, false, 'NotFound');
    return exact.id;
  }

  /** Every item of a paginated REST list (offset pagination, `more` until the end). */
  private async list<T>(path: string, key: string, query: Record<string, string>): Promise<T[]> {
    const items: T[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await this.rest<Pagination & Record<string, unknown>>(path, { ...query, limit: String(PAGE_SIZE), offset: String(page * PAGE_SIZE) });
      const found = answer[key];
      if (Array.isArray(found)) items.push(...(found as T[]));
      if (!answer.more || !Array.isArray(found) || found.length === 0) break;
    }
    return items;
  }

  private async rest<T>(path: string, query: Record<string, string> = {}): Promise<T> {
    const search = new URLSearchParams(query).toString();
    return (await this.send(`${this.apiUrl}${path}${search ? `?${search}` : ''}`, {
      method: 'GET',
      headers: {
        Authorization: `Token token=${this.config.apiToken}`,
        Accept: 'application/vnd.pagerduty+json;version=2',
        'Content-Type': 'application/json',
      },
    })) as T;
  }

  private async event(event: Record<string, unknown>): Promise<EventsAnswer> {
    return (await this.send(`${this.eventsUrl}/v2/enqueue`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ routing_key: this.config.routingKey, ...event }),
    })) as EventsAnswer;
  }

  /** One attempt; the body parsed, or a classified failure. */
  private async send(url: string, init: RequestInit): Promise<unknown> {
    let status: number;
    let text: string;
    let retryAfter: string | null;
    try {
      const response = await fetch(url, { ...init, signal: callSignal(this.timeoutMs) });
      status = response.status;
      // The REST API's 429 says when to come back in ratelimit-reset (seconds); Retry-After, when a proxy sends one.
      retryAfter = response.headers.get('retry-after') ?? response.headers.get('ratelimit-reset');
      text = await response.text();
    } catch (error) {
      throw networkFailure(PAGERDUTY, error);
    }
    const body = parseJson(text);
    if (status < 200 || status >= 300) throw httpFailure(PAGERDUTY, status, errorDetail(body, text), retryAfter);
    return body;
  }
}

/** A kept schedule ID PagerDuty no longer takes (the schedule was deleted): undefined, so the name is looked up again. */
function refusedId(error: unknown): undefined {
  if (error instanceof IntegrationError && (error.kind === 'NotFound' || error.kind === 'BadRequest')) return undefined;
  throw error;
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** The REST API's {error: {message, code, errors}} or the Events API's {status, message, errors}, as one line. */
function errorDetail(body: unknown, text: string): string {
  const rest = (body as RestError | undefined)?.error;
  const source = (rest && typeof rest === 'object' ? rest : body) as { message?: unknown; errors?: unknown } | undefined;
  const message = typeof source?.message === 'string' ? source.message : '';
  const code = typeof rest?.code === 'number' ? ` (code ${rest.code})` : '';
  const errors = Array.isArray(source?.errors) ? source.errors.filter((e): e is string => typeof e === 'string' && e !== message) : [];
  const detail = [`${message}${code}`, ...new Set(errors)].filter(Boolean).join('; ');
  // A proxy's HTML page says little; its first words are enough.
  return detail || text.replace(/\s+/g, ' ').trim().slice(0, 200);
}
