/**
 * The Express app: a thin, stateless front for Temporal. It validates input, turns each request into a workflow start,
 * update or query, and answers with JSON, errors included.
 *
 * Everything under /api/v1 needs an API token (`Authorization: Bearer <token>`, see api/auth/api-tokens.ts): GET and
 * HEAD the `read` scope, any other method `write`; changing an existing playbook also needs its `permissions.edit`
 * (api/playbook-routes.ts; `admin` bypasses it). Callers are rate limited per token after authentication. /healthz and
 * the Mattermost endpoints (/mattermost/*, with their own tokens) are outside this. Without tokens the API runs in open
 * mode (loopback only, enforced by startApi): every caller is `anonymous` with the admin scope.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type ErrorRequestHandler, type RequestHandler, type Response } from 'express';
import { pinoHttp } from 'pino-http';
import { context as otelContext, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Playbook } from '../domain/playbook/schema.js';
import type { IncidentWorkflowOptions } from '../workflows/incident.js';
import type { PlaybookLookup } from '../store/playbook-lookup.js';
import type { PlaybookRepository } from '../store/playbook-repository.js';
import { playbookRoutes } from './playbook-routes.js';
import type { GroupDirectory } from './permissions.js';
import { authenticate, callerOf, requireScopeForMethod, ANONYMOUS, type ApiToken } from './auth/api-tokens.js';
import { webSessionOf } from './auth/web-session-caller.js';
import { rateLimit, type RateLimit } from './auth/rate-limit.js';
import { HttpError, toHttpError } from './http-error.js';
import type { ChatPort } from '../activities/ports/chat.js';
import { incidentExportRoutes } from './incident-export-routes.js';
import { incidentRoutes } from './incident-routes.js';
import { IncidentService } from './incident-service.js';
import { AlertIntake } from './alert-intake.js';
import { alertRoutes } from './alert-routes.js';
import { incidentStats, recordRoutes } from './record-routes.js';
import { DEFAULT_ALERT_RULES, type AlertRules } from '../domain/alert-routing.js';
import type { IncidentRecordsPort } from './ports/incident-records.js';
import { storedIncidentViews } from './stored-incident-view.js';
import { limitFailedAuthentication } from './auth/failed-authentication.js';
import { openModeGuard, requireApiBodyType } from './auth/open-mode-guard.js';
import { actAsCaller } from './auth/acting-for.js';
import { ChatIdentities, type ChatActor, type ChatUserLookup } from './mattermost/chat-identity.js';
import type { ChannelMembership } from './permissions.js';
import { actionRoutes } from './mattermost/actions.js';
import { createDialogs } from './mattermost/dialogs.js';
import { outgoingWebhookRoutes } from './mattermost/outgoing-webhooks.js';
import { channelMessageHandler } from './mattermost/channel-messages.js';
import { channelEventReactions } from './mattermost/channel-events.js';
import { createApiMetrics, type ApiMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import type { ChatEventHandlers, ChatEventStream } from './ports/chat-events.js';
import type { FrontDoorChat } from './ports/front-door-chat.js';
import { incidentDirectory } from './mattermost/incident-directory.js';
import { slashCommandRoutes, type MattermostFrontDoorOptions } from './mattermost/slash-commands.js';
import { personMayChangeIncident } from './auth/person-may-change.js';
import { readViewOnce } from './incident-read-memo.js';
import { meRoute } from './web/auth-routes.js';
import { webSignIn, type WebAppOptions } from './web/web-sign-in.js';
import { livePages } from './live/live-pages.js';
import type { WatchLimits } from './live/incident-watches.js';
import { taskCommandRoutes } from './mattermost/task-commands.js';
import { webAppRoutes } from './web/static.js';

export interface AppOptions {
  client: Client;
  taskQueue: string;
  playbooks: PlaybookLookup;
  /** Gives each new incident its team's next number (`{{seq}}` in channel names). */
  numberIncident?: (team: string) => Promise<number>;
  /** The playbook store; when given, /api/v1/playbooks manages it. */
  playbookStore?: PlaybookRepository<Playbook>;
  logger: Logger;
  bodyLimit?: string;
  /** Tokens of the REST API (API_TOKENS). None: open mode, every caller is `anonymous` with the admin scope. */
  apiTokens?: readonly ApiToken[];
  /** Requests per caller (API_RATE_LIMIT), in this process; absent: no limit. */
  rateLimit?: RateLimit;
  /** Commands per incident (all callers together); unset: no limit (INCIDENT_COMMAND_RATE_LIMIT sets it in production). */
  incidentCommandLimit?: RateLimit;
  /** Failed authentications per client address (AUTH_FAILURE_LIMIT); default 10 a minute, bursts of 20. */
  authFailureLimit?: RateLimit;
  /** The team of incidents that name none (REST without `team`, alerts without a rule's team); default "default". */
  defaultTeam?: string;
  /** The store's incident records: they answer GET /incidents and /stats, and find an alert group's open incident. */
  records?: IncidentRecordsPort;
  /** Which playbook an alert starts (ALERT_RULES_FILE); every alert starts "blank" when absent. */
  alertRules?: AlertRules;
  /** Workflow options for every incident started here (tests shorten playbook durations with `timeScale`). */
  incidentWorkflowOptions?: IncidentWorkflowOptions;
  commandTimeoutMs?: number;
  /** Mattermost, for the post-mortem export (GET /api/v1/incidents/:id/export); absent: the export answers 503. */
  chat?: ChatPort;
  /**
   * Who is in which Mattermost group, asked when a playbook's permissions name groups (REST starts, playbook edits);
   * the front door's chat when absent. Without either, a group-only list admits admins alone.
   */
  groupDirectory?: GroupDirectory;
  /** The Mattermost front door (slash commands); absent when no command token is configured. */
  mattermost?: Omit<MattermostFrontDoorOptions, 'incidents' | 'playbooks' | 'logger' | 'directory' | 'people' | 'chat'> & {
    /** What every chat door asks of Mattermost (api/ports/front-door-chat.ts). */
    chat: FrontDoorChat;
    /** Usernames that are incident admins besides Mattermost's system admins (INCIDENT_ADMINS). */
    admins: string[];
    /** Slash command triggers a task's Run button may execute (TASK_COMMANDS_ALLOWED); default none. */
    taskCommandsAllowed?: string[];
    /** Verifies checklist button clicks and dialog submissions; without it neither is accepted. */
    actionSecret?: string;
    /** The address Mattermost reaches this API at; dialogs need it for their submissions. */
    publicUrl?: string;
    /** Outgoing webhook tokens and the words that make a message a timeline entry. */
    webhookTokens?: string[];
    timelineTriggers?: string[];
    /**
     * Mattermost's events (MATTERMOST_EVENTS): opens the bot's websocket for these handlers. The app starts it and
     * `stopBackgroundWork` closes it.
     */
    events?: (handlers: ChatEventHandlers) => ChatEventStream;
  };
  /**
   * Who Mattermost users are and which channels they are in, for an API without the slash-command front door: the
   * web app's Mattermost sign-in and chat's rules for people need only the bot. The front door's own when it runs.
   */
  chatIdentity?: { chat: ChatUserLookup & ChannelMembership; admins: string[] };
  /** The web app at /app/ (api/web/): its build, its sign-in. */
  web?: WebAppOptions;
  /** Limits of live incident pages (GET /api/v1/incidents/:id/events); the defaults suit production. */
  liveLimits?: Partial<WatchLimits>;
  /** The Prometheus metrics this app records and serves at /metrics; made here when absent. */
  metrics?: ApiMetrics;
  /** OpenTelemetry (temporal/tracing.ts): a span per request, the parent of what the request sends to Temporal. */
  tracer?: Tracer;
}

/**
 * Work the app runs beside its routes (the Mattermost event stream, live pages' streams); startApi's stop ends it
 * before the server closes, which waits for open connections.
 */
export async function stopBackgroundWork(app: express.Express): Promise<void> {
  const stops = (app.locals.backgroundWork ?? []) as Array<() => Promise<void> | void>;
  await Promise.all(stops.map((stop) => stop()));
}

function addBackgroundWork(app: express.Express, stop: () => Promise<void> | void): void {
  ((app.locals.backgroundWork ??= []) as Array<() => Promise<void> | void>).push(stop);
}

/**
 * The JSON body parser with a size limit; a too-large body becomes 413 `payload_too_large` naming this limit.
 * express.json leaves a body another parser has already read alone, so a route that needs a larger limit (an alerts
 * route taking 1 MB) gets it by mounting its own parser BEFORE the app-wide one in createApp:
 *
 *     app.use('/api/v1/alerts', jsonBody('1mb'));   // before app.use(jsonBody(options.bodyLimit ...))
 *
 * (it stays behind authentication, which is mounted earlier still).
 */
/** Alertmanager groups many alerts (with their labels and annotations) into one request. */
const ALERT_BODY_LIMIT = '1mb';

export function jsonBody(limit: string): RequestHandler {
  const parse = express.json({ limit });
  return (req, res, next) =>
    parse(req, res, (error?: unknown) => {
      if (error && typeof error === 'object' && (error as { type?: string }).type === 'entity.too.large') {
        (error as { limitText?: string }).limitText = limit;
      }
      next(error);
    });
}

/**
 * The rate limit per caller; alerts get ten times as much, in buckets of their own: an alert storm is when incidents
 * matter most, and monitoring does not always retry a 429 (Alertmanager retries server errors).
 */
function limitRequests(limit: RateLimit): RequestHandler {
  const general = rateLimit({ limit });
  const alerts = rateLimit({ limit: { ...limit, count: limit.count * BUSY_CALLER_RATE_FACTOR } });
  return (req, res, next) => (req.path.startsWith('/alerts') ? alerts(req, res, next) : general(req, res, next));
}

const BUSY_CALLER_RATE_FACTOR = 10;

/** The route a request matched, as its pattern (`/api/v1/incidents/:id`), or `unmatched`: a label, never a path. */
function routeOf(req: express.Request): string {
  if (!req.route) return 'unmatched';
  const pattern = String(req.route.path);
  // The mount path is taken from the URL, not req.baseUrl: a request whose route threw leaves its router for the app's
  // error handler, which clears baseUrl, and its refusals would count under a pattern without it (/incidents/:id/resolve).
  const segments = (req.originalUrl.split('?')[0] ?? '').split('/').filter(Boolean);
  const own = pattern.split('/').filter(Boolean).length;
  if (/[*()?]/.test(pattern) || own > segments.length) return `${req.baseUrl}${pattern}`;
  const mount = segments.slice(0, segments.length - own).join('/');
  return mount ? `/${mount}${pattern === '/' ? '' : pattern}` : pattern;
}

/**
 * A span per request, active while it is handled: the Temporal client's interceptor carries it into the workflow, so the
 * launch's and the command's spans join the request's trace. Named by the route's pattern once it is known.
 */
function traceRequests(tracer: Tracer): RequestHandler {
  return (req, res, next) => {
    const span = tracer.startSpan(`${req.method} request`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } });
    res.on('finish', () => {
      const route = routeOf(req);
      span.updateName(`${req.method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': res.statusCode, ...(req.id ? { 'request.id': String(req.id) } : {}) });
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    otelContext.with(trace.setSpan(otelContext.active(), span), next);
  };
}

/** Each incident's own look at its members when the API listens to events (the sweep does the rest): every 6 hours. */
export const MEMBERSHIP_LOOK_WITH_EVENTS_MS = 6 * 3_600_000;

/** An X-Request-Id we adopt: letters, digits and `._-`, 8 to 128 of them (anything else gets an ID of our own). */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{8,128}$/;

export function createApp(options: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  const records = options.records;
  // The live pages' streams are made further down, with the incident service; the gauge asks them when scraped.
  const openLivePages = { count: () => 0 };
  const metrics =
    options.metrics ??
    createApiMetrics({ ...(records ? { incidentCounts: () => records.countsByStatusAndSeverity() } : {}), livePages: () => openLivePages.count() });
  // The route's pattern (`/api/v1/incidents/:id`), never the path: one series per route, not per incident.
  const countRequests: RequestHandler = (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpRequest(req.method, routeOf(req), res.statusCode, seconds);
    });
    next();
  };
  app.use(countRequests);
  if (options.tracer) app.use(traceRequests(options.tracer));
  // One line per request (pino-http): its ID, who called (the token's name) and what they did; never the
  // Authorization header or the token. The ID comes from X-Request-Id when the caller (a proxy, a script) sent a sane
  // one, else a new one; it is answered in X-Request-Id, bound to `req.log` (every line the request writes carries it)
  // and put into the Update IDs of the commands it sends, so the worker's lines about a command lead back to it.
  const requestLine = (req: IncomingMessage, res: ServerResponse, ms: number) => {
    const caller = callerOf(res as express.Response)?.name;
    return { method: req.method, path: ((req as express.Request).originalUrl ?? req.url ?? '').split('?')[0], status: res.statusCode, ms: Math.round(ms), ...(caller ? { caller } : {}) };
  };
  app.use(
    pinoHttp({
      logger: options.logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customAttributeKeys: { reqId: 'requestId' },
      quietReqLogger: true,
      quietResLogger: true,
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
      customSuccessMessage: () => 'request',
      customErrorMessage: () => 'request',
      customSuccessObject: (req, res, value: { responseTime: number }) => requestLine(req, res, value.responseTime),
      customErrorObject: (req, res, error, value: { responseTime: number }) => ({ ...requestLine(req, res, value.responseTime), err: error }),
    }),
  );
  // Before anything looks at a token: an address that keeps failing authentication is turned away (429).
  app.use(limitFailedAuthentication(options.authFailureLimit ? { limit: options.authFailureLimit } : {}));
  // Open mode trusts whoever reaches the port; a web page in a browser on this machine must not be one of them.
  if ((options.apiTokens ?? []).length === 0) app.use(openModeGuard());
  // Every chat door, and the web app's Mattermost sessions, ask Mattermost who acts, by the user ID it vouches for.
  const identity = options.mattermost ?? options.chatIdentity;
  const people = identity ? new ChatIdentities(identity.chat, identity.admins) : undefined;
  const publicUrl = options.mattermost?.publicUrl;
  const web = options.web ? webSignIn(options.web, { tokens: options.apiTokens ?? [], ...(people ? { people } : {}), ...(publicUrl ? { publicUrl } : {}) }) : undefined;
  // /api/v1: who is calling (the web app's session, else a token; 401 before any body is read), how often, and
  // whether their scope allows the method.
  app.use(
    '/api/v1',
    ...(web ? [web.sessionCaller] : []),
    authenticate({ tokens: options.apiTokens ?? [] }),
    ...(options.rateLimit ? [limitRequests(options.rateLimit)] : []),
    requireScopeForMethod(),
    requireApiBodyType(),
  );
  // Mattermost's own calls (slash commands, buttons, dialogs, outgoing webhooks) all come from its server's address:
  // a limit per address, ten times the API's, guards against a flood without throttling a busy team.
  if (options.rateLimit) app.use('/mattermost', rateLimit({ limit: { ...options.rateLimit, count: options.rateLimit.count * BUSY_CALLER_RATE_FACTOR } }));
  // A route needing a larger body mounts its own jsonBody here, before this one (see jsonBody): Alertmanager sends a
  // whole alert group in one request.
  app.use('/api/v1/alerts', jsonBody(ALERT_BODY_LIMIT));
  app.use(jsonBody(options.bodyLimit ?? '64kb'));
  if (web) app.use('/app/auth', web.routes);
  const groupDirectory = options.groupDirectory ?? options.mattermost?.chat;
  app.use('/api/v1', meRoute(groupDirectory ? { groupsOf: (userId) => groupDirectory.groupNamesOf(userId) } : {}));

  const temporalReachable = async (): Promise<boolean> => {
    try {
      await options.client.withDeadline(Date.now() + 2_000, () => options.client.connection.workflowService.getSystemInfo({}));
      return true;
    } catch {
      return false;
    }
  };
  // Liveness: the process answers. Temporal's state is reported, not judged: a restart would not bring it back.
  app.get('/healthz', async (_req, res) => {
    res.json({ status: 'ok', temporal: (await temporalReachable()) ? 'reachable' : 'unreachable' });
  });
  // Readiness: send traffic here only while Temporal and the store both answer.
  app.get('/readyz', async (_req, res) => {
    const [temporal, store] = await Promise.all([
      temporalReachable(),
      options.records ? options.records.ping().then(() => true, () => false) : Promise.resolve(undefined),
    ]);
    const ready = temporal && store !== false;
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'unavailable',
      temporal: temporal ? 'reachable' : 'unreachable',
      ...(store === undefined ? {} : { store: store ? 'reachable' : 'unreachable' }),
    });
  });
  // Prometheus scrapes with a token (any scope) once API tokens are set; in open mode, like the rest, without.
  app.get('/metrics', authenticate({ tokens: options.apiTokens ?? [] }), async (_req, res) => {
    res.set('Content-Type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  // An API that listens to Mattermost's events hears joins and leaves as they happen and sweeps all channels now and
  // then (channel-events.ts): its incidents need no look of their own every minute, only a rare one as a last resort.
  const workflowOptions =
    options.mattermost?.events && options.incidentWorkflowOptions?.membershipCheckIntervalMs === undefined
      ? { ...options.incidentWorkflowOptions, membershipCheckIntervalMs: MEMBERSHIP_LOOK_WITH_EVENTS_MS }
      : options.incidentWorkflowOptions;
  const incidents = new IncidentService(
    options.client,
    options.taskQueue,
    options.commandTimeoutMs,
    options.numberIncident,
    workflowOptions,
    options.incidentCommandLimit,
    options.records ? { read: storedIncidentViews(options.records) } : undefined,
  );
  incidents.onCommand = (name, door, outcome) => metrics.command(name, door, outcome);
  // Live pages: one poller per watched incident, on the store's revision when there is a store.
  const live = livePages({ incidents, ...(records ? { records } : {}), ...(options.liveLimits ? { limits: options.liveLimits } : {}), logger: options.logger });
  openLivePages.count = () => live.watches.open;
  addBackgroundWork(app, () => live.watches.endAll());
  // Incident commands record who acted, and a token acts as itself: its name is the actor (or, starting one, the
  // reporter) unless the body names someone else, which only a token with the act-for capability may; then the
  // events record that token too (`via`). Open mode's "anonymous" names nobody: there the body decides alone.
  app.use('/api/v1/incidents', actAsCaller());
  // People signed in with Mattermost are held to chat's rules: they change an incident as members of its channel (or
  // incident admins), and read a private one only as its members. Before every incident route, the live one included.
  if (identity) {
    const chat = identity.chat;
    const incidentOf = async (id: string, res: Response) => {
      // The read is kept for the request: GET /incidents/:id answers with it (incident-read-memo.ts).
      const { view } = await readViewOnce(res, id, () => incidents.readView(id));
      return { ...(view.links.channelId ? { channelId: view.links.channelId } : {}), private: view.playbook.channel?.private === true };
    };
    app.use('/api/v1/incidents/:id', personMayChangeIncident({ incidentOf, chat }));
  }
  app.use('/api/v1', live.routes);
  // With the store, lists and stats come from the incident records (which outlive Temporal's retention).
  if (options.records) app.use('/api/v1', recordRoutes(options.records));
  else {
    app.get('/api/v1/incidents', () => {
      throw new HttpError(503, 'unavailable', 'listing incidents needs the incident store (DATABASE_URL); this API was started without one');
    });
  }
  // The contract, generated from the routes and schemas that validate each request (api/openapi.ts).
  app.get('/api/v1/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  app.use(
    '/api/v1',
    incidentRoutes({
      incidents,
      playbooks: options.playbooks,
      defaultTeam: options.defaultTeam ?? 'default',
      logger: options.logger,
      ...(options.records ? { timeline: options.records.timeline } : {}),
      ...(groupDirectory ? { people: groupDirectory } : {}),
    }),
  );
  const intake = new AlertIntake({
    incidents,
    client: options.client,
    taskQueue: options.taskQueue,
    playbooks: options.playbooks,
    rules: options.alertRules ?? DEFAULT_ALERT_RULES,
    defaultTeam: options.defaultTeam ?? 'default',
    logger: options.logger,
    ...(options.records ? { records: options.records } : {}),
    onDelivery: (outcome, alerts) => metrics.alertDelivery(outcome, alerts),
  });
  app.use('/api/v1', alertRoutes({ intake, callerOf: (res) => callerOf(res) ?? ANONYMOUS, fromWebApp: (res) => webSessionOf(res) !== undefined }));
  // startApi runs the intake's activity worker with it (api/alert-intake-worker.ts).
  app.locals.alertIntake = intake;
  app.use('/api/v1', incidentExportRoutes({ incidents, logger: options.logger, ...(options.chat ? { chat: options.chat } : {}) }));
  if (options.playbookStore) app.use('/api/v1', playbookRoutes(options.playbookStore, groupDirectory ? { directory: groupDirectory } : {}));
  if (options.mattermost && people) {
    const { chat, actionSecret } = options.mattermost;
    if (!options.records) throw new Error('the Mattermost front door needs the incident store: it finds the incident of a channel in its records');
    const directory = incidentDirectory(options.records);
    const dialogs =
      actionSecret && publicUrl
        ? createDialogs({
            incidents,
            playbooks: options.playbooks,
            chat,
            secret: actionSecret,
            submitUrl: `${publicUrl.replace(/\/+$/, '')}/mattermost/dialogs`,
            people,
            logger: options.logger,
          })
        : undefined;
    app.use(
      slashCommandRoutes({
        ...options.mattermost,
        people,
        directory,
        ...(records ? { stats: (team: string, days: number) => incidentStats(records, { team, from: new Date(Date.now() - days * 86_400_000).toISOString() }) } : {}),
        incidents,
        playbooks: options.playbooks,
        logger: options.logger,
        ...(dialogs
          ? {
              openDialog: (kind, request, user, target) =>
                kind === 'start'
                  ? dialogs.openStart(request.trigger_id!, request.team_domain.toLowerCase(), user, target?.playbookId)
                  : dialogs.openStatus(request.trigger_id!, target!.incidentId!, user),
            }
          : {}),
      }),
    );
    if (dialogs) app.use(dialogs.router);
    const handleMessage = channelMessageHandler({
      incidents,
      directory,
      playbooks: options.playbooks,
      chat,
      people,
      timelineTriggers: options.mattermost.timelineTriggers ?? ['#timeline', '!note'],
      logger: options.logger,
    });
    if (options.mattermost.webhookTokens?.length) {
      app.use(outgoingWebhookRoutes({ webhookTokens: options.mattermost.webhookTokens, handleMessage }));
    }
    if (options.mattermost.events) {
      const reactions = channelEventReactions({ incidents, directory, chat, handleMessage, logger: options.logger });
      const stream = options.mattermost.events(reactions.handlers);
      addBackgroundWork(app, async () => {
        stream.close();
        await reactions.stop();
      });
    }
    // The web app's Run button for a task's slash command (the checklist's Run button does the same in chat).
    app.use('/api/v1', taskCommandRoutes({ incidents, chat, taskCommandsAllowed: options.mattermost.taskCommandsAllowed ?? [], logger: options.logger, teamIdOf: (team) => chat.teamIdOf(team) }));
    if (actionSecret) {
      app.use(
        actionRoutes({
          incidents,
          chat,
          secret: actionSecret,
          people,
          taskCommandsAllowed: options.mattermost.taskCommandsAllowed ?? [],
          logger: options.logger,
          ...(dialogs
            ? {
                openStatusDialog: (triggerId: string, incidentId: string, user: ChatActor) => dialogs.openStatus(triggerId, incidentId, user),
                openAssignDialog: (triggerId: string, incidentId: string, taskId: string, label: string, user: ChatActor) =>
                  dialogs.openAssign(triggerId, incidentId, taskId, label, user),
              }
            : {}),
        }),
      );
    }
  }

  // The web app last: its page answers any GET under /app/ that no route above took (the sign-in routes under
  // /app/auth/ are mounted earlier and never reach it).
  if (options.web) app.use(webAppRoutes({ root: options.web.root }));

  app.use((req, _res, next) => {
    next(new HttpError(404, 'not_found', `no route ${req.method} ${req.path}`));
  });

  const handleErrors: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    const bodyError = error as { type?: string; status?: number; limit?: number; limitText?: string };
    let httpError: HttpError;
    if (bodyError?.type === 'entity.too.large') {
      httpError = new HttpError(413, 'payload_too_large', `the request body is larger than the ${bodyError.limitText ?? options.bodyLimit ?? '64kb'} limit`);
    } else if (bodyError?.type === 'entity.parse.failed') {
      httpError = new HttpError(400, 'invalid_json', 'the request body is not valid JSON');
    } else if (/^(Z_|ERR__ERROR_|ERR_BROTLI)/.test(String((error as { code?: unknown })?.code ?? ''))) {
      // zlib (Z_*) or Brotli (ERR__ERROR_*), inflating a body whose Content-Encoding does not match what was sent.
      httpError = new HttpError(400, 'bad_request', `the request body is not valid ${req.get('content-encoding') ?? 'compressed data'} (Content-Encoding)`);
    } else if (bodyError?.type && bodyError.status && bodyError.status < 500) {
      httpError = new HttpError(bodyError.status, bodyError.status === 415 ? 'unsupported_media_type' : 'bad_request', (error as Error).message);
    } else {
      httpError = toHttpError(error);
    }
    if (httpError.status >= 500) options.logger.error({ err: error }, 'request failed');
    if (httpError.retryAfterSeconds !== undefined) res.set('Retry-After', String(httpError.retryAfterSeconds));
    res.status(httpError.status).json(httpError.toJSON());
  };
  app.use(handleErrors);
  return app;
}
