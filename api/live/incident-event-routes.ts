/**
 * GET /api/v1/incidents/:id/events: the incident's view as server-sent events, for live pages (the web app) and anyone
 * with a read token (`curl -N`). The first event is the current view (unless Last-Event-ID says the client has it),
 * then one per change; each event's ID is the view's revision, so a reconnecting browser resumes where it was.
 */
import { Router, type Request } from 'express';
import { INCIDENT_ID_PATTERN } from '../../domain/new-incident.js';
import { callerOf } from '../auth/api-tokens.js';
import { HttpError } from '../http-error.js';
import type { IncidentWatches } from './incident-watches.js';

/** How long a browser waits before reconnecting a dropped stream. */
const RETRY_MS = 2_000;

function lastEventId(req: Request): number {
  const value = Number(req.get('last-event-id') ?? 0);
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}

export function incidentEventRoutes(watches: IncidentWatches): Router {
  const router = Router();
  router.get('/incidents/:id/events', async (req, res) => {
    const id = String(req.params.id);
    if (!INCIDENT_ID_PATTERN.test(id)) throw new HttpError(400, 'invalid_input', `"${id.slice(0, 60)}" is not an incident id (3 to 48 lower-case letters, digits or "-")`);
    // Nothing is written until the watch is granted: a refusal or an unknown incident still answers JSON.
    let started = false;
    const start = () => {
      if (started) return;
      started = true;
      res.status(200).set({
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store, no-transform',
        // nginx and other proxies would otherwise buffer the stream.
        'X-Accel-Buffering': 'no',
      });
      res.flushHeaders();
      res.write(`retry: ${RETRY_MS}\n\n`);
    };
    const close = await watches.watch(id, callerOf(res)?.name ?? 'anonymous', {
      send(frame) {
        start();
        res.write(frame);
      },
      end() {
        res.end();
      },
    }, lastEventId(req));
    start();
    req.on('close', close);
    res.on('close', close);
  });
  return router;
}
