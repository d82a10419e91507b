/**
 * The API processes run the alert intake's activity (workflows/alert-group.ts hands each delivery to it): they hold
 * what it needs (the alert rules, the playbooks, the store's records, the incident service). An activity-only worker on
 * a queue of its own, so it never takes the incidents' workflow or integration work.
 */
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { Logger } from 'pino';
import { alertIntakeTaskQueue, type AlertIntakeActivities } from '../workflows/alert-group-messages.js';
import type { AlertIntake } from './alert-intake.js';

export interface AlertIntakeWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** The incidents' task queue; the intake's is derived from it (alertIntakeTaskQueue). */
  taskQueue: string;
  intake: AlertIntake;
  logger: Logger;
  /** Hand-overs at once in this process (each is an Update or a few to an incident, mostly waiting). */
  concurrency?: number;
}

export interface RunningAlertIntakeWorker {
  stop(): Promise<void>;
}

export async function runAlertIntakeWorker(options: AlertIntakeWorkerOptions): Promise<RunningAlertIntakeWorker> {
  const activities: AlertIntakeActivities = {
    deliverAlerts: (deliveries, knownIncidentId) => options.intake.deliverAll(deliveries, knownIncidentId),
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
