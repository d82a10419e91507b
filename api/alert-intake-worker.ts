/**
 * The API processes run the alert intake's activity (workflows/alert-group.ts hands each delivery to it): they hold
 * what it needs (the alert rules, the playbooks, the store's records, the incident service). An activity-only worker on
 * a queue of its own, so it never takes the incidents' workflow or integration work.
 */
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { AlertDeliveryOutcome } from '../formats/alert-delivery.js';
import { alertIntakeTaskQueue, type AlertIntakeActivities } from '../workflows/alert-group-messages.js';
import type { AlertIntake } from './alert-intake.js';
import { HttpError } from './http-error.js';

export interface AlertIntakeWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** The incidents' task queue; the intake's is derived from it (alertIntakeTaskQueue). */
  taskQueue: string;
  intake: AlertIntake;
  logger: Logger;
  /** Deliveries handed over at once in this process (each is one Update to an incident, mostly waiting). */
  concurrency?: number;
}

export interface RunningAlertIntakeWorker {
  stop(): Promise<void>;
}

/** A refusal that will not change on a retry (4xx other than 408 and 429): recorded as failed, the rest go on. */
function isFinalRefusal(error: unknown): error is HttpError {
  return error instanceof HttpError && error.status < 500 && error.status !== 408 && error.status !== 429;
}

export async function runAlertIntakeWorker(options: AlertIntakeWorkerOptions): Promise<RunningAlertIntakeWorker> {
  const activities: AlertIntakeActivities = {
    async deliverAlerts(deliveries, knownIncidentId) {
      const outcomes: AlertDeliveryOutcome[] = [];
      let known = knownIncidentId;
      for (const delivery of deliveries) {
        try {
          const outcome = await options.intake.deliver(delivery, known);
          if (outcome.incidentId && (outcome.outcome === 'started' || outcome.outcome === 'joined')) known = outcome.incidentId;
          outcomes.push(outcome);
        } catch (error) {
          if (!isFinalRefusal(error)) throw error;
          options.logger.warn({ deliveryId: delivery.deliveryId, groupKey: delivery.request.delivery.groupKey, err: error }, 'alert delivery refused');
          outcomes.push({ deliveryId: delivery.deliveryId, outcome: 'failed', reason: [error.message, ...error.problems].join('; ').slice(0, 500) });
        }
      }
      return outcomes;
    },
  };
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: alertIntakeTaskQueue(options.taskQueue),
    activities,
    maxConcurrentActivityTaskExecutions: options.concurrency ?? 100,
  });
  const running = worker.run().catch((error: unknown) => {
    options.logger.error({ err: error }, 'the alert intake worker stopped; alert deliveries wait in their groups until an API process takes them');
  });
  return {
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}
