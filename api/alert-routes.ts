/**
 * Alerts from monitoring: `POST /alerts/alertmanager` takes Prometheus Alertmanager's webhook payload (version 4) as it
 * sends it; `POST /alerts` takes a generic JSON alert with an explicit deduplication key. Both answer 202 as soon as
 * Temporal holds the delivery (api/alert-intake.ts): `outcome: "accepted"` with the alert group that takes it. A
 * caller that wants to know what the delivery did adds `?wait=<seconds>` (at most 30) and hears the outcome (started,
 * joined, ignored, failed) with the incident when its group got to it in time. Alertmanager retries on 5xx only, so
 * anything malformed gets a 4xx that names the problem and is not sent again.
 * `GET /alert-groups/:id` tells a group's state: its incident, what waits, the recent outcomes.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AlertIntakeRequest } from '../formats/alertmanager.js';
import { alertmanagerPayloadSchema, fromAlertmanager, fromGenericAlert, genericAlertSchema } from '../formats/alertmanager.js';
import { MAX_OUTCOME_WAIT_MS, type AlertIntake } from './alert-intake.js';
import { HttpError } from './http-error.js';
import { parseInput } from './parse-input.js';

export interface AlertRoutesOptions {
  intake: AlertIntake;
  /** Who sent the delivery (the API token's name), for the timeline and the logs. */
  callerOf: (res: Response) => string;
}

/** `?wait=<seconds>`: how long the caller will wait for the outcome. */
export const alertDeliveryQuerySchema = z.object({
  wait: z.coerce
    .number({ error: 'expected a number of seconds, like ?wait=10' })
    .min(0, 'expected 0 seconds or more')
    .max(MAX_OUTCOME_WAIT_MS / 1000, `at most ${MAX_OUTCOME_WAIT_MS / 1000} seconds`)
    .optional(),
});

const ALERT_GROUP_ID = /^alert-group-[0-9a-f]{16}$/;

export function alertRoutes(options: AlertRoutesOptions): Router {
  // The body is parsed before this router with a larger limit than other routes (see jsonBody in app.ts).
  const router = Router();

  const receive = async (req: Request, res: Response, request: AlertIntakeRequest) => {
    const { wait } = parseInput(alertDeliveryQuerySchema, req.query, 'query');
    const accepted = await options.intake.accept(request, options.callerOf(res));
    const group = { ...accepted, alertGroupUrl: `/api/v1/alert-groups/${accepted.alertGroup}` };
    const outcome = wait ? await options.intake.outcomeOf(accepted, wait * 1000) : undefined;
    if (!outcome) {
      res.status(202).json({ outcome: 'accepted', ...group });
      return;
    }
    res.status(202).json({ ...group, ...outcome, ...(outcome.incidentId ? { url: `/api/v1/incidents/${outcome.incidentId}` } : {}) });
  };

  router.post('/alerts/alertmanager', async (req, res) => {
    const payload = parseInput(alertmanagerPayloadSchema, req.body, 'Alertmanager webhook payload');
    await receive(req, res, fromAlertmanager(payload));
  });

  router.post('/alerts', async (req, res) => {
    const alert = parseInput(genericAlertSchema, req.body, 'alert');
    await receive(req, res, fromGenericAlert(alert));
  });

  router.get('/alert-groups/:id', async (req, res) => {
    if (!ALERT_GROUP_ID.test(req.params.id)) {
      throw new HttpError(400, 'bad_request', `"${req.params.id.slice(0, 60)}" is not an alert group ID (alert-group- and 16 hex digits, as a delivery's answer names it)`);
    }
    res.json(await options.intake.status(req.params.id));
  });

  return router;
}
