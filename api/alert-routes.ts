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
import { ALERTS, scopeAllows, type Caller } from './auth/api-tokens.js';
import { HttpError } from './http-error.js';
import { parseInput } from './parse-input.js';

export interface AlertRoutesOptions {
  intake: AlertIntake;
  /** Who sends the delivery (its name goes to the timeline and the logs; its capabilities decide whether it may). */
  callerOf: (res: Response) => Caller;
  /** Whether the request came with the web app's sign-in (a person in a browser, never monitoring). */
  fromWebApp: (res: Response) => boolean;
}

/**
 * Alerts are monitoring's door: the alert rules, not the caller, pick the playbook (a restricted one too) and the
 * incident a delivery joins (a private one too), so a person's token or web session must not use it to reach what
 * the incident routes would refuse them. Tokens with the alerts capability may (`write+alerts`), and in open mode
 * anyone on this machine; an admin may read a group's state.
 */
function requireAlertSender(res: Response, options: AlertRoutesOptions, reading = false): Caller {
  const caller = options.callerOf(res);
  if (options.fromWebApp(res)) {
    throw new HttpError(403, 'forbidden', 'alerts come from monitoring with an API token that may send them, not from the web app; start an incident instead');
  }
  if (caller.alerts || (reading && scopeAllows(caller.scope, 'admin'))) return caller;
  throw new HttpError(
    403,
    'forbidden',
    `the token of "${caller.name}" may not ${reading ? 'read alert groups' : 'send alerts'}: monitoring needs a token with the ${ALERTS} capability ` +
      `(npm run api:token -- ${caller.name} write --${ALERTS}, or add +${ALERTS} after the scope of its API_TOKENS entry)`,
  );
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
    const accepted = await options.intake.accept(request, options.callerOf(res).name);
    const group = { ...accepted, alertGroupUrl: `/api/v1/alert-groups/${accepted.alertGroup}` };
    const outcome = wait ? await options.intake.outcomeOf(accepted, wait * 1000) : undefined;
    if (!outcome) {
      res.status(202).json({ outcome: 'accepted', ...group });
      return;
    }
    res.status(202).json({ ...group, ...outcome, ...(outcome.incidentId ? { url: `/api/v1/incidents/${outcome.incidentId}` } : {}) });
  };

  router.post('/alerts/alertmanager', async (req, res) => {
    requireAlertSender(res, options);
    const payload = parseInput(alertmanagerPayloadSchema, req.body, 'Alertmanager webhook payload');
    await receive(req, res, fromAlertmanager(payload));
  });

  router.post('/alerts', async (req, res) => {
    requireAlertSender(res, options);
    const alert = parseInput(genericAlertSchema, req.body, 'alert');
    await receive(req, res, fromGenericAlert(alert));
  });

  router.get('/alert-groups/:id', async (req, res) => {
    requireAlertSender(res, options, true);
    if (!ALERT_GROUP_ID.test(req.params.id)) {
      throw new HttpError(400, 'bad_request', `"${req.params.id.slice(0, 60)}" is not an alert group ID (alert-group- and 16 hex digits, as a delivery's answer names it)`);
    }
    res.json(await options.intake.status(req.params.id));
  });

  return router;
}
