/**
 * One alert group's deliveries, in the order they arrived, one at a time. The API answers a delivery 202 as soon as
 * Temporal has it (signal-with-start to this workflow: one call to the server, no worker in the way), so monitoring
 * never waits on an incident's launch and never times out; this workflow then hands each delivery to the alert
 * intake (an activity the API processes run, on their own task queue: they hold the alert rules and the playbooks),
 * which starts the group's incident or adds to the open one. One workflow per group serialises a group's deliveries
 * across every API process, so concurrent deliveries of a new group make one incident.
 *
 * History stays bounded: a delivery is in history twice (its signal and the activity's input), a short outcome once;
 * deliveries that pile up while one is handed over go together in the next activity (at most DELIVERIES_PER_HANDOVER);
 * after ALERT_GROUP_DELIVERIES_PER_RUN deliveries (or when Temporal suggests it) the run continues as new with what is
 * still waiting, and a group quiet for ALERT_GROUP_IDLE ends its run (the next delivery starts a new one; the store's
 * records still know the group's open incident).
 */
import { condition, continueAsNew, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { AlertDelivery, AlertDeliveryOutcome } from '../formats/alert-delivery.js';
import {
  alertDeliveredSignal,
  alertGroupStatusQuery,
  alertIntakeTaskQueue,
  type AlertGroupInput,
  type AlertGroupStatus,
  type AlertIntakeActivities,
} from './alert-group-messages.js';

export { ALERT_GROUP_WORKFLOW_TYPE } from './alert-group-messages.js';

/** Outcomes a status keeps: a caller waiting for its delivery's outcome finds it among them. */
const RECENT_OUTCOMES = 50;
/**
 * Deliveries handed over in one activity: in a storm a group's repeats pile up while its incident starts, and one
 * activity for all of them saves a workflow task and a schedule each.
 */
const DELIVERIES_PER_HANDOVER = 25;
export const ALERT_GROUP_DELIVERIES_PER_RUN = 200;
const ALERT_GROUP_IDLE = '10 minutes';
/**
 * Payload sizes (JSON bytes), against Temporal's limit of 2 MB per payload: a hand-over at most this much (or one
 * delivery; one delivery is at most ALERT_DELIVERY_MAX_BYTES), and a continue-as-new carries what waits only when it
 * is under CARRY_OVER_BYTES (otherwise the run drains first: its history has room, 50 MB).
 */
const HANDOVER_BYTES = 512 * 1024;
const CARRY_OVER_BYTES = 1024 * 1024;

function bytesOf(value: unknown): number {
  return JSON.stringify(value).length;
}

/** The first deliveries waiting, at most `count` of them and HANDOVER_BYTES together, but always one. */
function nextHandover(pending: AlertDelivery[], count: number): AlertDelivery[] {
  const batch: AlertDelivery[] = [];
  let bytes = 0;
  for (const delivery of pending.slice(0, count)) {
    bytes += bytesOf(delivery);
    if (batch.length > 0 && bytes > HANDOVER_BYTES) break;
    batch.push(delivery);
  }
  return batch;
}

export async function alertGroup(input: AlertGroupInput): Promise<AlertGroupStatus> {
  const pending: AlertDelivery[] = [...(input.pending ?? [])];
  const recent: AlertDeliveryOutcome[] = [...(input.recent ?? [])];
  let incidentId = input.incidentId;
  let delivered = input.delivered ?? 0;
  let deliveredThisRun = 0;
  const status = (): AlertGroupStatus => ({ groupKey: input.groupKey, ...(incidentId ? { incidentId } : {}), waiting: pending.length, delivered, recent: [...recent] });
  setHandler(alertDeliveredSignal, (delivery) => {
    pending.push(delivery);
  });
  setHandler(alertGroupStatusQuery, status);

  const intake = proxyActivities<AlertIntakeActivities>({
    taskQueue: alertIntakeTaskQueue(workflowInfo().taskQueue),
    // Starting or joining an incident is one Update; the intake gives up on it after its own command timeout.
    startToCloseTimeout: '1 minute',
    // Until an API process takes it: deliveries wait durably while every API is down (Alertmanager already has its 202).
    scheduleToCloseTimeout: '7 days',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
  });

  for (;;) {
    if (!(await condition(() => pending.length > 0, ALERT_GROUP_IDLE))) return status();
    const perRun = input.deliveriesPerRun ?? ALERT_GROUP_DELIVERIES_PER_RUN;
    const batch = nextHandover(pending, Math.min(DELIVERIES_PER_HANDOVER, Math.max(1, perRun - deliveredThisRun)));
    let outcomes: AlertDeliveryOutcome[];
    try {
      outcomes = await intake.deliverAlerts(batch, incidentId);
    } catch (error) {
      // Out of time (no API process took it for days) or refused as a whole: told, not retried.
      const cause = (error as { cause?: Error }).cause ?? (error as Error);
      log.warn('alert deliveries failed', { groupKey: input.groupKey, deliveries: batch.length, reason: cause.message });
      outcomes = batch.map(({ deliveryId }) => ({ deliveryId, outcome: 'failed', reason: cause.message.slice(0, 500) }));
    }
    pending.splice(0, batch.length);
    delivered += batch.length;
    deliveredThisRun += batch.length;
    for (const outcome of outcomes) {
      if (outcome.incidentId && (outcome.outcome === 'started' || outcome.outcome === 'joined')) incidentId = outcome.incidentId;
      recent.push(outcome);
    }
    recent.splice(0, Math.max(0, recent.length - RECENT_OUTCOMES));
    const due = deliveredThisRun >= perRun || workflowInfo().continueAsNewSuggested;
    if (due && bytesOf(pending) <= CARRY_OVER_BYTES) {
      // Signals that arrive during this task are in `pending` too: the server refuses the continue-as-new while a
      // newer signal is unseen, and the task runs again with it.
      await continueAsNew<typeof alertGroup>({ ...input, ...(incidentId ? { incidentId } : {}), pending, recent, delivered });
    }
  }
}
