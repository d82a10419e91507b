/**
 * The Express app: a thin, stateless front for Temporal. It validates input, turns each request into a workflow start,
 * update or query, and answers with JSON, errors included.
 */
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Playbook } from '../domain/playbook.js';
import type { IncidentWorkflowOptions } from '../workflows/incident.js';
import type { PlaybookLookup } from '../store/playbook-lookup.js';
import type { PlaybookRepository } from '../store/playbook-repository.js';
import { playbookRoutes } from './playbook-routes.js';
import { HttpError, toHttpError } from './http-error.js';
import type { ChatPort } from '../integrations/ports.js';
import { incidentExportRoutes } from './incident-export-routes.js';
import { incidentRoutes } from './incident-routes.js';
import { IncidentService } from './incident-service.js';
import { actionRoutes } from './mattermost/actions.js';
import { createDialogs } from './mattermost/dialogs.js';
import { outgoingWebhookRoutes } from './mattermost/outgoing-webhooks.js';
import { slashCommandRoutes, type MattermostFrontDoorOptions } from './mattermost/slash-commands.js';

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
  /** Workflow options for every incident started here (tests shorten playbook durations with `timeScale`). */
  incidentWorkflowOptions?: IncidentWorkflowOptions;
  commandTimeoutMs?: number;
  /** Mattermost, for the post-mortem export (GET /api/v1/incidents/:id/export); the front door's client when absent. */
  chat?: ChatPort;
  /** The Mattermost front door (slash commands); absent when no command token is configured. */
  mattermost?: Omit<MattermostFrontDoorOptions, 'incidents' | 'playbooks' | 'logger'> & {
    /** Verifies checklist button clicks and dialog submissions; without it neither is accepted. */
    actionSecret?: string;
    /** The address Mattermost reaches this API at; dialogs need it for their submissions. */
    publicUrl?: string;
    /** Outgoing webhook tokens and the words that make a message a timeline entry. */
    webhookTokens?: string[];
    timelineTriggers?: string[];
  };
}

export function createApp(options: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  const logRequests: RequestHandler = (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      options.logger.info({ method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms) }, 'request');
    });
    next();
  };
  app.use(logRequests);
  app.use(express.json({ limit: options.bodyLimit ?? '64kb' }));

  app.get('/healthz', async (_req, res) => {
    try {
      await options.client.withDeadline(Date.now() + 2_000, () =>
        options.client.connection.workflowService.getSystemInfo({}),
      );
      res.json({ status: 'ok', temporal: 'reachable' });
    } catch {
      res.status(503).json({ status: 'unavailable', temporal: 'unreachable' });
    }
  });

  const incidents = new IncidentService(options.client, options.taskQueue, options.commandTimeoutMs, options.numberIncident, options.incidentWorkflowOptions);
  app.use('/api/v1', incidentRoutes({ incidents, playbooks: options.playbooks }));
  const exportChat = options.chat ?? options.mattermost?.chat;
  app.use('/api/v1', incidentExportRoutes({ incidents, logger: options.logger, ...(exportChat ? { chat: exportChat } : {}) }));
  if (options.playbookStore) app.use('/api/v1', playbookRoutes(options.playbookStore));
  if (options.mattermost) {
    const { chat, admins, actionSecret, publicUrl } = options.mattermost;
    const dialogs =
      actionSecret && publicUrl
        ? createDialogs({
            incidents,
            playbooks: options.playbooks,
            chat,
            secret: actionSecret,
            submitUrl: `${publicUrl.replace(/\/+$/, '')}/mattermost/dialogs`,
            admins,
            logger: options.logger,
          })
        : undefined;
    app.use(
      slashCommandRoutes({
        ...options.mattermost,
        incidents,
        playbooks: options.playbooks,
        logger: options.logger,
        ...(dialogs
          ? {
              openDialog: (kind, request, incidentId) =>
                kind === 'start'
                  ? dialogs.openStart(request.trigger_id!, request.team_domain.toLowerCase(), request.user_name.toLowerCase())
                  : dialogs.openStatus(request.trigger_id!, incidentId!, request.user_name.toLowerCase()),
            }
          : {}),
      }),
    );
    if (dialogs) app.use(dialogs.router);
    if (options.mattermost.webhookTokens?.length) {
      app.use(
        outgoingWebhookRoutes({
          incidents,
          playbooks: options.playbooks,
          chat,
          webhookTokens: options.mattermost.webhookTokens,
          timelineTriggers: options.mattermost.timelineTriggers ?? ['#timeline', '!note'],
          logger: options.logger,
        }),
      );
    }
    if (actionSecret) {
      app.use(
        actionRoutes({
          incidents,
          chat,
          secret: actionSecret,
          admins,
          logger: options.logger,
          ...(dialogs
            ? {
                openStatusDialog: (triggerId: string, incidentId: string, user: string) => dialogs.openStatus(triggerId, incidentId, user),
                openAssignDialog: (triggerId: string, incidentId: string, taskId: string, label: string, user: string) =>
                  dialogs.openAssign(triggerId, incidentId, taskId, label, user),
              }
            : {}),
        }),
      );
    }
  }

  app.use((req, _res, next) => {
    next(new HttpError(404, 'not_found', `no route ${req.method} ${req.path}`));
  });

  const handleErrors: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
    const bodyError = error as { type?: string; status?: number; limit?: number };
    let httpError: HttpError;
    if (bodyError?.type === 'entity.too.large') {
      httpError = new HttpError(413, 'payload_too_large', `the request body is larger than the ${options.bodyLimit ?? '64kb'} limit`);
    } else if (bodyError?.type === 'entity.parse.failed') {
      httpError = new HttpError(400, 'invalid_json', 'the request body is not valid JSON');
    } else if (bodyError?.type && bodyError.status && bodyError.status < 500) {
      httpError = new HttpError(bodyError.status, 'bad_request', (error as Error).message);
    } else {
      httpError = toHttpError(error);
    }
    if (httpError.status >= 500) options.logger.error({ err: error }, 'request failed');
    res.status(httpError.status).json(httpError.toJSON());
  };
  app.use(handleErrors);
  return app;
}
