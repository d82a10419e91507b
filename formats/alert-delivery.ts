/**
 * An alert delivery on its way from the API to its group's incident, and what became of it. The API takes a delivery
 * (validated, routed) and hands it to its alert group's workflow; the alert intake turns it into an incident start or
 * an addition to the open incident, and the outcome is kept where a caller that waits can read it.
 */
import type { AlertIntakeRequest } from './alertmanager.js';

export interface AlertDelivery {
  /** Unique per delivery: the Update that carries it to the incident is sent under this ID, so a retry applies once. */
  deliveryId: string;
  request: AlertIntakeRequest;
  /** Who sent it (the API token's name). */
  caller: string;
  receivedAt: string;
}

export interface AlertDeliveryOutcome {
  deliveryId: string;
  /**
   * started: a new incident; joined: the open incident took it; ignored: nothing to do (see reason); failed: refused for
   * good (see reason), nothing changed.
   */
  outcome: 'started' | 'joined' | 'ignored' | 'failed';
  incidentId?: string;
  reason?: string;
  playbook?: string;
  rule?: string;
}
