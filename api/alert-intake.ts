/**
 * Alerts from monitoring become incidents: one incident per alert group while it is open. The incident's ID is derived
 * from the group key (`al-<hash>-<n>`, n counting the group's incidents).
 *
 * Two halves. `accept` (the HTTP route): checks the delivery can start an incident (a rule matches, its playbook
 * exists), then hands it to its group's workflow with signal-with-start (workflows/alert-group.ts), which is one call
 * to Temporal: the caller has its 202 at once, however busy the incidents are, and the delivery is durable from then
 * on. `deliver` (an activity the group's workflow calls, run by the API processes): goes to the group's open incident
 * as an Update when it is known (the group workflow's memory, else the store's records); otherwise it is an
 * update-with-start under the next ID, which starts the incident with the delivery or, if one runs under that ID,
 * joins it. The group workflow hands over one batch at a time, so a group never makes two incidents at once; a batch's
 * deliveries to a known incident go as one Update.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { AlertDelivery, AlertDeliveryOutcome } from '../formats/alert-delivery.js';
import type { AlertIntakeRequest } from '../formats/alertmanager.js';
import { routeAlert, type AlertRules } from '../domain/alert-routing.js';
import { toOneLine } from '../domain/command-intake.js';
import { USERNAME_PATTERN } from '../domain/people.js';
import type { PlaybookLookup } from '../store/playbook-lookup.js';
import type { IncidentRecordsPort } from './ports/incident-records.js';
import type { alertGroup } from '../workflows/alert-group.js';
import { ALERT_DELIVERY_MAX_BYTES, ALERT_GROUP_WORKFLOW_TYPE, alertDeliveredSignal, alertGroupStatusQuery, type AlertGroupStatus } from '../workflows/alert-group-messages.js';
import { MAX_ALERTS_PER_BATCH, MAX_DELIVERIES_PER_BATCH } from '../domain/alerts.js';
import { HttpError, toHttpError, updateWasRefused } from './http-error.js';
import type { IncidentService } from './incident-service.js';

export interface AlertIntakeOptions {
  incidents: IncidentService;
  /** Temporal, for the groups' workflows, and the incidents' task queue (the group workflows run beside them). */
  client: Client;
  taskQueue: string;
  playbooks: PlaybookLookup;
  rules: AlertRules;
  /** The team of incidents whose rule names none (MATTERMOST_DEFAULT_TEAM, or the bot's only team). */
  defaultTeam?: string;
  /** The store's records find an alert group's open incident without asking Temporal; optional. */
  records?: IncidentRecordsPort;
  logger: Logger;
  /** Told of every delivery's outcome and how many alerts it carried (the API's metrics). */
  onDelivery?: (outcome: AlertDeliveryOutcome['outcome'] | 'accepted', alerts: number) => void;
}

/** What the caller hears at once: the delivery is Temporal's, and where to follow it. */
export interface AcceptedDelivery {
  deliveryId: string;
  /** The group workflow's ID. */
  alertGroup: string;
}

/** Incidents of one group an intake will look through before giving up (a group re-fires after each close). */
const MAX_GENERATIONS = 1_000;
/** How long a caller may ask to wait for its delivery's outcome (`?wait=`). */
export const MAX_OUTCOME_WAIT_MS = 30_000;

/** The incident under this ID has ended, or is closed and finishing: the group's next incident is the one. */
function isClosedOrUsed(error: unknown): boolean {
  return error instanceof HttpError && error.status === 409 && /is closed|already exists/.test(error.message);
}

/** A refusal that will not change on a retry (4xx other than 408 and 429): recorded as failed, the rest go on. */
function isFinalRefusal(error: unknown): error is HttpError {
  return error instanceof HttpError && error.status < 500 && error.status !== 408 && error.status !== 429;
}

/** Who a delivery's commands name: its caller (the token's name) when that is a username. */
function actorOf(caller: string): string {
  return USERNAME_PATTERN.test(caller) ? caller : 'alertmanager';
}

function groupHash(groupKey: string): string {
  return createHash('sha256').update(groupKey).digest('hex').slice(0, 16);
}

/** The workflow that takes an alert group's deliveries, one per group key. */
export function alertGroupWorkflowId(groupKey: string): string {
  return `alert-group-${groupHash(groupKey)}`;
}

export class AlertIntake {
  /** Callers of this process waiting for a delivery's outcome, told at once when this process hands it over. */
  private readonly waiting = new Map<string, (outcome: AlertDeliveryOutcome) => void>();

  constructor(private readonly options: AlertIntakeOptions) {}

  /**
   * Takes a delivery: refused at once (422, nothing kept) when no rule matches or its playbook is missing, else handed
   * to its group's workflow. A resolved notification needs no rule: it starts nothing.
   */
  async accept(request: AlertIntakeRequest, caller: string): Promise<AcceptedDelivery> {
    if (request.delivery.status !== 'resolved') await this.startRequest(request, 'al-check', caller);
    const delivery: AlertDelivery = { deliveryId: randomUUID(), request, caller, receivedAt: new Date().toISOString() };
    const bytes = JSON.stringify(delivery).length;
    if (bytes > ALERT_DELIVERY_MAX_BYTES) {
      // Under the body limit, but more than a workflow payload should carry: nothing is kept, and the sender can split.
      throw new HttpError(
        413,
        'payload_too_large',
        `this delivery carries ${Math.ceil(bytes / 1024)} KB of alerts and labels; at most ${ALERT_DELIVERY_MAX_BYTES / 1024} KB reach an incident: send fewer alerts per delivery (Alertmanager: max_alerts in the webhook config)`,
      );
    }
    const workflowId = alertGroupWorkflowId(request.delivery.groupKey);
    try {
      await this.options.client.workflow.signalWithStart<typeof alertGroup, [AlertDelivery]>(ALERT_GROUP_WORKFLOW_TYPE, {
        workflowId,
        taskQueue: this.options.taskQueue,
        args: [{ groupKey: request.delivery.groupKey }],
        signal: alertDeliveredSignal,
        signalArgs: [delivery],
        staticSummary: `Alert group ${request.delivery.groupKey}`.slice(0, 200),
      });
    } catch (error) {
      // Temporal unreachable: 503, and Alertmanager sends it again (it retries 5xx).
      throw toHttpError(error, workflowId);
    }
    this.options.onDelivery?.('accepted', request.delivery.alerts.length);
    return { deliveryId: delivery.deliveryId, alertGroup: workflowId };
  }

  /** The group's state, from its workflow (404 when no group has that workflow ID). */
  async status(alertGroupId: string): Promise<AlertGroupStatus> {
    try {
      return await this.options.client.workflow.getHandle(alertGroupId).query(alertGroupStatusQuery);
    } catch (error) {
      throw toHttpError(error, alertGroupId);
    }
  }

  /** A delivery's outcome once its group has handed it over, or undefined after waiting `waitMs`. */
  async outcomeOf(accepted: AcceptedDelivery, waitMs: number): Promise<AlertDeliveryOutcome | undefined> {
    const deadline = Date.now() + Math.min(waitMs, MAX_OUTCOME_WAIT_MS);
    // Handed over here (the usual case with one API process): heard at once. Handed over by another process, or its
    // outcome a failure the group recorded: the group's status says, asked now and then.
    let told: AlertDeliveryOutcome | undefined;
    let wake: () => void = () => undefined;
    this.waiting.set(accepted.deliveryId, (outcome) => {
      told = outcome;
      wake();
    });
    try {
      for (let pause = 100; ; pause = Math.min(1_000, pause * 2)) {
        const found = told ?? (await this.status(accepted.alertGroup)).recent.find((outcome) => outcome.deliveryId === accepted.deliveryId);
        if (found) return found;
        if (Date.now() >= deadline) return undefined;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(pause, deadline - Date.now()));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    } finally {
      this.waiting.delete(accepted.deliveryId);
    }
  }

  /**
   * Hands a group's deliveries to its incident, in order (the group workflow's activity): an outcome each. Deliveries
   * that follow one another from the same caller to an incident already known go as one `recordAlertBatch` Update (a
   * storm's repeats pile up in their group while its incident starts: one Update for them, not one each); the first
   * of a new group, and any the incident refuses as a batch, one by one. A delivery refused for good is `failed`;
   * anything else throws, and the activity's retry sends the same Updates again under the same IDs (applied once).
   */
  async deliverAll(deliveries: AlertDelivery[], knownIncidentId: string | undefined): Promise<AlertDeliveryOutcome[]> {
    const outcomes: AlertDeliveryOutcome[] = [];
    let known = knownIncidentId;
    // A batch the incident refused is not tried again in this hand-over: the rest go one by one.
    let batching = true;
    for (let next = 0; next < deliveries.length; ) {
      const run = known && batching ? this.batchFrom(deliveries, next) : [];
      if (known && run.length > 1) {
        if (await this.joinAll(run, known, outcomes)) {
          next += run.length;
          continue;
        }
        batching = false;
      }
      const delivery = deliveries[next++]!;
      try {
        const outcome = await this.deliver(delivery, known);
        if (outcome.incidentId && (outcome.outcome === 'started' || outcome.outcome === 'joined')) known = outcome.incidentId;
        outcomes.push(outcome);
      } catch (error) {
        if (!isFinalRefusal(error)) throw error;
        this.options.logger.warn({ deliveryId: delivery.deliveryId, groupKey: delivery.request.delivery.groupKey, err: error }, 'alert delivery refused');
        outcomes.push({ deliveryId: delivery.deliveryId, outcome: 'failed', reason: [error.message, ...error.problems].join('; ').slice(0, 500) });
      }
    }
    return outcomes;
  }

  /**
   * The deliveries from `start` on that one batch may carry: the same caller, at most MAX_DELIVERIES_PER_BATCH of them
   * and MAX_ALERTS_PER_BATCH alerts together.
   */
  private batchFrom(deliveries: AlertDelivery[], start: number): AlertDelivery[] {
    const actor = actorOf(deliveries[start]!.caller);
    const run: AlertDelivery[] = [];
    let alerts = 0;
    for (const delivery of deliveries.slice(start, start + MAX_DELIVERIES_PER_BATCH)) {
      alerts += delivery.request.delivery.alerts.length;
      if (actorOf(delivery.caller) !== actor || alerts > MAX_ALERTS_PER_BATCH) break;
      run.push(delivery);
    }
    return run;
  }

  /**
   * Sends `run` to the open incident `id` as one Update; false when the incident refused it (closed, gone, or a worker
   * that does not know the command yet), and the caller then goes one by one. Not answered (503, 504): throws.
   */
  private async joinAll(run: AlertDelivery[], id: string, outcomes: AlertDeliveryOutcome[]): Promise<boolean> {
    const actor = actorOf(run[0]!.caller);
    const payload = { deliveries: run.map(({ request }) => request.delivery), actor };
    // The same deliveries handed over again (the activity's retry) make the same ID: applied once.
    const updateId = `alerts-${run[0]!.deliveryId}-${run.length}`;
    try {
      await this.options.incidents.command(id, 'recordAlertBatch', payload as never, { unlimited: true, door: 'alert', updateId });
    } catch (error) {
      if (updateWasRefused(error)) return false;
      for (const { request } of run) this.options.onDelivery?.('failed', request.delivery.alerts.length);
      throw error;
    }
    this.options.logger.info({ incident: id, groupKey: run[0]!.request.delivery.groupKey, deliveries: run.length, updateId }, 'alerts joined their incident');
    for (const { deliveryId, request } of run) {
      const outcome: AlertDeliveryOutcome = { deliveryId, incidentId: id, outcome: 'joined' };
      this.options.onDelivery?.('joined', request.delivery.alerts.length);
      this.waiting.get(deliveryId)?.(outcome);
      outcomes.push(outcome);
    }
    return true;
  }

  /**
   * Hands one delivery to its group's incident. Throws an HttpError when it cannot: under 500 for good (the activity
   * does not retry it), else for a retry.
   */
  async deliver(delivery: AlertDelivery, knownIncidentId: string | undefined): Promise<AlertDeliveryOutcome> {
    const alerts = delivery.request.delivery.alerts.length;
    try {
      const outcome = await this.handle(delivery, knownIncidentId);
      this.options.onDelivery?.(outcome.outcome, alerts);
      this.waiting.get(delivery.deliveryId)?.(outcome);
      return outcome;
    } catch (error) {
      this.options.onDelivery?.('failed', alerts);
      throw error;
    }
  }

  private async handle({ deliveryId, request, caller }: AlertDelivery, knownIncidentId: string | undefined): Promise<AlertDeliveryOutcome> {
    const { incidents, logger, records } = this.options;
    const groupKey = request.delivery.groupKey;
    const actor = actorOf(caller);
    const payload = { ...request.delivery, actor };
    const base = `al-${groupHash(groupKey)}`;
    // Sent again under the same ID when this activity is retried: the incident applies it once.
    const updateId = `alert-${deliveryId}`;

    // The open incident of this group, if known: the group workflow's memory (the record is written a moment after a
    // start), else the store's records. Only this group's own IDs count (an incident started by hand may follow it too).
    const own = new RegExp(`^${base}-(\\d+)$`);
    const known = knownIncidentId ?? (await records?.openForAlertGroup(groupKey))?.id;
    const knownGeneration = known ? own.exec(known)?.[1] : undefined;
    let generation = knownGeneration ? Number(knownGeneration) : ((await records?.countForAlertGroup(groupKey)) ?? 0) + 1;
    for (let tries = 0; tries < MAX_GENERATIONS; tries++, generation++) {
      const id = `${base}-${generation}`;
      if (id === known || request.delivery.status === 'resolved') {
        // Join the running incident; a resolved notification never starts one.
        const joined = await this.join(id, payload, updateId);
        if (joined === 'joined') {
          logger.info({ incident: id, groupKey, status: request.delivery.status, caller, deliveryId }, 'alert joined its incident');
          return { deliveryId, incidentId: id, outcome: 'joined' };
        }
        if (joined === 'closed') continue;
        if (request.delivery.status === 'resolved') {
          return { deliveryId, outcome: 'ignored', reason: 'no open incident for this alert group; a resolved notification starts none' };
        }
      }
      // Temporal may have forgotten an incident past its retention: the store still knows the ID was used.
      if (id !== known && (await records?.get(id))) continue;
      const { start, rule } = await this.startRequest(request, id, actor);
      let outcome: Awaited<ReturnType<IncidentService['commandWithStart']>>;
      try {
        outcome = await incidents.commandWithStart(start, 'recordAlerts', payload, updateId);
      } catch (error) {
        // Ended under this ID, or closed and finishing: the group's next incident.
        if (isClosedOrUsed(error)) continue;
        throw error;
      }
      if (!outcome.result.firstCommand) {
        logger.info({ incident: id, groupKey, status: request.delivery.status, caller, deliveryId }, 'alert joined its incident');
        return { deliveryId, incidentId: id, outcome: 'joined' };
      }
      logger.info({ incident: id, groupKey, playbook: start.playbook.id, rule, caller, deliveryId }, 'alert started an incident');
      return { deliveryId, incidentId: id, outcome: 'started', playbook: start.playbook.id, rule };
    }
    throw new HttpError(409, 'conflict', `alert group has more than ${MAX_GENERATIONS} incidents; refusing to look further`);
  }

  /** Delivers to a known incident: joined, closed (ended, or refusing because it is closed), or absent. */
  private async join(id: string, payload: Parameters<IncidentService['command']>[2], updateId: string): Promise<'joined' | 'closed' | 'absent'> {
    try {
      // A group's deliveries come one at a time (its workflow), so they are not held to the per-incident command rate.
      await this.options.incidents.command(id, 'recordAlerts', payload as never, { unlimited: true, door: 'alert', updateId });
      return 'joined';
    } catch (error) {
      if (isClosedOrUsed(error)) return 'closed';
      if (error instanceof HttpError && error.status === 404) return 'absent';
      throw error;
    }
  }

  private async startRequest(request: AlertIntakeRequest, id: string, reporter: string) {
    const route = routeAlert(this.options.rules, request.labels, this.options.defaultTeam);
    if (!route) {
      throw new HttpError(422, 'unprocessable', 'no alert rule matches these labels and the alert rules have no default playbook', [
        `labels: ${JSON.stringify(request.labels).slice(0, 300)} match no rule`,
      ]);
    }
    const playbook = await this.options.playbooks.get(route.playbook);
    if (!playbook) {
      throw new HttpError(422, 'unprocessable', `alert rule "${route.rule}" names playbook "${route.playbook}", which does not exist`, [
        `playbook: unknown "${route.playbook}"`,
      ]);
    }
    // The labels' severity only when the playbook knows it; otherwise the playbook's default.
    const severity = route.severity && playbook.severities.includes(route.severity) ? route.severity : undefined;
    // The source (the token's name) reports an alert's incident, but it cannot command one: where the playbook makes
    // the reporter commander, the on-call person takes command once Opsgenie names them.
    const commandedByOnCall = playbook.defaultCommander === 'reporter' && playbook.opsgenie.inviteOnCall;
    const started = commandedByOnCall ? { ...playbook, defaultCommander: 'oncall' } : playbook;
    return {
      // Monitoring's text is taken, not refused: its line breaks and control characters become spaces in the name.
      start: { id, name: toOneLine(request.name), summary: request.summary, team: route.team, reporter, playbook: started, ...(severity ? { severity } : {}) },
      rule: route.rule,
    };
  }
}
