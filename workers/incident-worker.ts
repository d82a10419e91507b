/**
 * Builds the worker that runs incident workflows and their activities. Activities come from `createActivities(deps)`, so
 * tests pass in-memory adapters and production passes real ones.
 */
import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from '../activities/index.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface IncidentWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  dependencies: ActivityDependencies;
  /** A pre-built bundle (tests bundle once per file); otherwise the worker bundles workflows/ at start. */
  workflowBundle?: { code: string };
  /** Extra worker options, e.g. a shorter sticky-queue timeout in tests. */
  tuning?: Partial<Pick<WorkerOptions, 'stickyQueueScheduleToStartTimeout' | 'shutdownGraceTime' | 'maxCachedWorkflows' | 'identity'>>;
}

export async function createIncidentWorker(options: IncidentWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(options.dependencies),
    // Let in-flight calls to chat and the other systems finish on Ctrl-C rather than cut them off mid-request.
    shutdownGraceTime: '10 seconds',
    ...options.tuning,
  });
}
