/**
 * The Express app: a thin, stateless front for Temporal. It validates input, turns each request into a workflow start,
 * update or query, and answers with JSON, errors included.
 */
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { PlaybookCatalog } from '../store/playbook-files.js';
import { HttpError, toHttpError } from './http-error.js';
import { incidentRoutes } from './incident-routes.js';
import { IncidentService } from './incident-service.js';
import { actionRoutes } from './mattermost/actions.js';
import { slashCommandRoutes, type MattermostFrontDoorOptions } from './mattermost/slash-commands.js';

export interface AppOptions {
  client: Client;
  taskQueue: string;
  playbooks: PlaybookCatalog;
  logger: Logger;
  bodyLimit?: string;
  commandTimeoutMs?: number;
  /** The Mattermost front door (slash commands); absent when no command token is configured. */
  mattermost?: Omit<MattermostFrontDoorOptions, 'incidents' | 'playbooks' | 'logger'> & {
    /** Verifies checklist button clicks; without it clicks are not accepted. */
    actionSecret?: string;
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

  const incidents = new IncidentService(options.client, options.taskQueue, options.commandTimeoutMs);
  app.use('/api/v1', incidentRoutes({ incidents, playbooks: options.playbooks }));
  if (options.mattermost) {
    app.use(slashCommandRoutes({ ...options.mattermost, incidents, playbooks: options.playbooks, logger: options.logger }));
    if (options.mattermost.actionSecret) {
      app.use(
        actionRoutes({
          incidents,
          chat: options.mattermost.chat,
          secret: options.mattermost.actionSecret,
          admins: options.mattermost.admins,
          logger: options.logger,
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
