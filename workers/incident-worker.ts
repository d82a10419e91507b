/**
 * Builds the worker that runs incident workflows and their activities. Activities come from `createActivities(deps)`, so
 * tests pass in-memory adapters and production passes real ones.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from '../activities/index.js';

/** The workflow sources, bundled at start when the worker runs from source, and by `npm run build` otherwise. */
export const WORKFLOWS_SOURCE_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/**
 * The bundle `npm run build` made beside the compiled worker (dist/workflow-bundle.js). A worker compiled to dist/
 * loads it; one run from source (tsx) bundles the sources at start, as it always did.
 */
export const PREBUILT_WORKFLOW_BUNDLE = fileURLToPath(new URL('../workflow-bundle.js', import.meta.url));

function workflowCode(bundle: { code: string } | undefined): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  if (bundle) return { workflowBundle: bundle };
  if (import.meta.url.endsWith('.js')) {
    if (!existsSync(PREBUILT_WORKFLOW_BUNDLE)) throw new Error(`${PREBUILT_WORKFLOW_BUNDLE} is missing: run npm run build (it compiles and bundles the workflow)`);
    return { workflowBundle: { codePath: PREBUILT_WORKFLOW_BUNDLE } };
  }
  return { workflowsPath: WORKFLOWS_SOURCE_PATH };
}

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
    ...workflowCode(options.workflowBundle),
    activities: createActivities(options.dependencies),
    // Let in-flight calls to chat and the other systems finish on Ctrl-C rather than cut them off mid-request.
    shutdownGraceTime: '10 seconds',
    ...options.tuning,
  });
}
