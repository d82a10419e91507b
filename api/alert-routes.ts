/**
 * Alerts from monitoring: `POST /alerts/alertmanager` takes Prometheus Alertmanager's webhook payload (version 4) as it
 * sends it; `POST /alerts` takes a generic JSON alert with an explicit deduplication key. Both answer 202 with the
 * incident the delivery started or joined. Alertmanager retries on 5xx only, so anything malformed gets a 4xx that names
 * the problem and is not sent again.
 */
import { Router, type Response } from 'express';
import { alertmanagerPayloadSchema, fromAlertmanager, fromGenericAlert, genericAlertSchema } from '../domain/alertmanager.js';
import type { AlertIntake } from './alert-intake.js';
import { parseInput } from './parse-input.js';

export interface AlertRoutesOptions {
  intake: AlertIntake;
  /** Who sent the delivery (the API token's name), for the timeline and the logs. */
  callerOf: (res: Response) => string;
}


export function alertRoutes(options: AlertRoutesOptions): Router {
  // The body is parsed before this router with a larger limit than other routes (see jsonBody in app.ts).
  const router = Router();

  router.post('/alerts/alertmanager', async (req, res) => {
    const payload = parseInput(alertmanagerPayloadSchema, req.body, 'Alertmanager webhook payload');
    const outcome = await options.intake.receive(fromAlertmanager(payload), options.callerOf(res));
    res.status(202).json({ ...outcome, url: `/api/v1/incidents/${outcome.incidentId}` });
  });

  router.post('/alerts', async (req, res) => {
    const alert = parseInput(genericAlertSchema, req.body, 'alert');
    const outcome = await options.intake.receive(fromGenericAlert(alert), options.callerOf(res));
    res.status(202).json({ ...outcome, url: `/api/v1/incidents/${outcome.incidentId}` });
  });

  return router;
}
