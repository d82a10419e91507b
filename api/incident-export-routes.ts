/**
 * GET /incidents/:id/export?format=markdown|md|json|csv: the post-mortem export (the incident's record and its channel's
 * whole conversation) streamed straight into the response, in memory bounded by a page of posts.
 *
 * Errors found before the first byte (bad format, no such incident, no channel, Mattermost failing while the channel is
 * read) get the API's usual JSON error: the response starts only once the channel has been read into the spool. A failure
 * after that can only cut the response off, which the client sees as an incomplete transfer rather than a short file
 * that looks complete.
 */
import { Router } from 'express';
import type { Logger } from 'pino';
import { INCIDENT_ID_PATTERN } from '../domain/new-incident.js';
import { IntegrationError } from '../activities/ports/integration-error.js';
import type { ChatPort } from '../activities/ports/chat.js';
import { postmortemFileName, POSTMORTEM_FILE_TYPES, type PostmortemFormat } from '../formats/postmortem-report.js';
import { writePostmortemExport } from '../exports/postmortem-export.js';
import { HttpError } from './http-error.js';
import type { IncidentService } from './incident-service.js';
import { messageOf } from '../domain/errors.js';

export interface IncidentExportRoutesOptions {
  incidents: IncidentService;
  /** Mattermost, where the conversation is read; without it the route answers 503. */
  chat?: ChatPort;
  logger: Logger;
}

const FORMAT_BY_NAME: Record<string, PostmortemFormat> = { markdown: 'markdown', md: 'markdown', json: 'json', csv: 'csv' };
const ACCEPTED = 'markdown (or md), json, csv';

export function incidentExportRoutes(options: IncidentExportRoutesOptions): Router {
  const router = Router();

  router.get('/incidents/:id/export', async (req, res) => {
    const id = String(req.params.id);
    if (!INCIDENT_ID_PATTERN.test(id)) {
      throw new HttpError(400, 'invalid_input', `"${id}" is not an incident id (3 to 48 lower-case letters, digits or "-")`);
    }
    const requested = req.query.format ?? 'markdown';
    const format = typeof requested === 'string' ? FORMAT_BY_NAME[requested.toLowerCase()] : undefined;
    if (!format) {
      throw new HttpError(400, 'invalid_input', `unknown export format ${JSON.stringify(requested)}; accepted: ${ACCEPTED}`, [
        `format: expected one of ${ACCEPTED}`,
      ]);
    }
    if (!options.chat) throw new HttpError(503, 'unavailable', 'the post-mortem export needs Mattermost configured');
    const incident = await options.incidents.view(id);
    if (!incident.links.channelId) {
      throw new HttpError(409, 'conflict', `incident ${id} has no channel yet, so there is no conversation to export`);
    }

    res.setHeader('Content-Type', POSTMORTEM_FILE_TYPES[format].contentType);
    res.setHeader('Content-Disposition', `attachment; filename="${postmortemFileName(id, format)}"`);
    // The channel's conversation is private: no shared cache keeps a copy.
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // A client that goes away stops the export at the next page instead of reading the rest of the channel for nobody.
    const gone = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) gone.abort(new Error('the client closed the connection'));
    });
    try {
      const started = Date.now();
      const { posts, bytes } = await writePostmortemExport({ chat: options.chat, incident, format, out: res, signal: gone.signal });
      options.logger.info({ incident: id, format, posts, bytes, ms: Date.now() - started }, 'post-mortem exported');
    } catch (error) {
      if (gone.signal.aborted) {
        options.logger.info({ incident: id, format }, 'post-mortem export abandoned by the client');
        return;
      }
      if (!res.headersSent) {
        res.removeHeader('Content-Disposition');
        res.removeHeader('Cache-Control');
        if (error instanceof IntegrationError) {
          // Mattermost's failure, said as such: the caller may try again later when it is temporary.
          throw new HttpError(error.retryable ? 503 : 502, error.retryable ? 'unavailable' : 'bad_gateway', `the export could not read the channel: ${error.message}`);
        }
        throw error;
      }
      // Mid-stream: cut the response off so the client cannot take a truncated file for a whole one.
      options.logger.warn({ incident: id, format, error: messageOf(error) }, 'post-mortem export stopped');
      res.destroy();
    }
  });

  return router;
}
