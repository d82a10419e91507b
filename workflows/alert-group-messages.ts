/**
 * What the API and the alert group workflow share: the workflow's type, its signal and query, its input and status,
 * the alert intake's activity and task queue, and the largest delivery. Definitions only (no workflow code), so the
 * API imports them without loading the workflow (see workflows/alert-group.ts for how a group works).
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { AlertDelivery, AlertDeliveryOutcome } from '../formats/alert-delivery.js';

export const ALERT_GROUP_WORKFLOW_TYPE = 'alertGroup';

/** A delivery arrives (sent with signal-with-start by the API). */
export const alertDeliveredSignal = defineSignal<[AlertDelivery]>('alertDelivered');

/** The group's state: its incident, what waits and the recent outcomes (by delivery ID, for callers that wait). */
export const alertGroupStatusQuery = defineQuery<AlertGroupStatus>('alertGroupStatus');

export interface AlertGroupInput {
  groupKey: string;
  /** Carried over a continue-as-new. */
  incidentId?: string;
  pending?: AlertDelivery[];
  recent?: AlertDeliveryOutcome[];
  delivered?: number;
  /** Deliveries a run hands over before it continues as new (default ALERT_GROUP_DELIVERIES_PER_RUN; tests make it small). */
  deliveriesPerRun?: number;
}

export interface AlertGroupStatus {
  groupKey: string;
  incidentId?: string;
  /** Deliveries taken and not yet handed over. */
  waiting: number;
  /** Deliveries handed over since the group's first run (its runs add up). */
  delivered: number;
  /** The newest outcomes, newest last. */
  recent: AlertDeliveryOutcome[];
}

export interface AlertIntakeActivities {
  /**
   * Hands deliveries over in order, each to the incident the ones before it left open; a delivery refused for good
   * comes back as a `failed` outcome and the rest go on. Throws only when it should be tried again (all of it: each
   * delivery's Update carries the delivery's ID, so what was applied before is not applied twice).
   */
  deliverAlerts(deliveries: AlertDelivery[], knownIncidentId: string | undefined): Promise<AlertDeliveryOutcome[]>;
}

/** The task queue of the alert intake's activity, beside the incidents' queue. */
export function alertIntakeTaskQueue(incidentTaskQueue: string): string {
  return `${incidentTaskQueue}-alert-intake`;
}

/** A delivery's JSON bytes at most (the API refuses larger ones with 413), a quarter of Temporal's 2 MB per payload. */
export const ALERT_DELIVERY_MAX_BYTES = 512 * 1024;
