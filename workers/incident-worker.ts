/**
 * Builds the worker that runs incident workflows and their activities. Activities come from `createActivities(deps)`, so
 * tests pass in-memory adapters and production passes real ones.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from '../activities/index.js';
import type { WebhookActivityOptions } from '../activities/webhooks.js';
import { sendWebhook } from '../integrations/webhooks/webhook-sender.js';
import { signedChecklistButtons, type ButtonSettings } from '../integrations/mattermost/checklist-buttons.js';
import { DEFAULT_WORKER_MAX_CACHED_WORKFLOWS } from './worker-config.js';
import { TRACING_WORKFLOW_INTERCEPTORS, type Tracing } from '../temporal/tracing.js';
import { REQUEST_TRAIL_WORKFLOW_MODULE, requestTrailActivityInterceptor } from './request-trail.js';
import { withWorkflowThreads } from './workflow-threads.js';
import { IncidentRecordWriter, incidentRecordSinks } from './incident-record-sink.js';

/** The workflow sources, bundled at start when the worker runs from source, and by `npm run build` otherwise. */
export const WORKFLOWS_SOURCE_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/**
 * The bundle `npm run build` made beside the compiled worker (dist/workflow-bundle.js). A worker compiled to dist/
 * loads it; one run from source (tsx) bundles the sources at start, as it always did.
 */
export const PREBUILT_WORKFLOW_BUNDLE = fileURLToPath(new URL('../workflow-bundle.js', import.meta.url));
/** The same with Temporal's OpenTelemetry workflow interceptors in it, for a worker that traces. */
export const PREBUILT_TRACED_WORKFLOW_BUNDLE = fileURLToPath(new URL('../workflow-bundle-traced.js', import.meta.url));

/**
 * Modules the workflow bundle evaluates once per workflow thread and shares between incidents. Every other module is
 * evaluated again for each workflow the worker starts or brings back into its cache (that is how the reusable V8
 * context keeps workflows apart). zod's modules were about half of that work (preloading them took the workflow
 * thread from ~79 to ~62 ms of CPU per launch, scripts/profile-launch.ts), and the domain's zod schemas most of what a
 * cached incident held (~670 of ~760 KB, bench/cached-heap.ts): workflow-preload.ts shares both. A preloaded module is
 * shared and (all but its zod schemas, see there) frozen, so only modules that keep no per-workflow state may be
 * listed; workflows/ stays per workflow.
 */
export const WORKFLOW_PRELOAD_MODULES = [fileURLToPath(new URL('./workflow-preload.ts', import.meta.url))];

function workflowCode(
  bundle: { code: string } | undefined,
  traced: boolean,
): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'bundlerOptions'> & { workflowModules?: string[] } {
  if (bundle) return { workflowBundle: bundle };
  if (import.meta.url.endsWith('.js')) {
    const path = traced ? PREBUILT_TRACED_WORKFLOW_BUNDLE : PREBUILT_WORKFLOW_BUNDLE;
    if (!existsSync(path)) throw new Error(`${path} is missing: run npm run build (it compiles and bundles the workflow)`);
    return { workflowBundle: { codePath: path } };
  }
  return {
    workflowsPath: WORKFLOWS_SOURCE_PATH,
    bundlerOptions: { preloadModules: WORKFLOW_PRELOAD_MODULES },
    workflowModules: [REQUEST_TRAIL_WORKFLOW_MODULE, ...(traced ? [TRACING_WORKFLOW_INTERCEPTORS] : [])],
  };
}

/** The activities' dependencies as a process configures them: checklist buttons by their URL and secret. */
export type WorkerDependencies = Omit<ActivityDependencies, 'buttons' | 'webhooks'> & {
  buttons?: ButtonSettings;
  /** Where webhook secrets are looked up, the outbound allow list, a timeout; the sender is the real one unless given. */
  webhooks?: Partial<WebhookActivityOptions>;
};

/** What the activities are given: the checklist buttons' signer and the webhook sender built from their settings. */
function activityDependencies({ buttons, webhooks, ...dependencies }: WorkerDependencies): ActivityDependencies {
  return {
    ...dependencies,
    ...(buttons ? { buttons: signedChecklistButtons(buttons) } : {}),
    webhooks: { send: sendWebhook, ...webhooks },
  };
}

export interface IncidentWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  dependencies: WorkerDependencies;
  /** A pre-built bundle (tests bundle once per file); otherwise the worker bundles workflows/ at start. */
  workflowBundle?: { code: string };
  /** OpenTelemetry tracing (temporal/tracing.ts), when it is on. */
  tracing?: Tracing;
  /**
   * Whether workflows keep the stack traces the `__stack_trace` query (the Web UI's "Stack Trace" tab) answers with;
   * off unless asked for (WORKER_WORKFLOW_STACK_TRACES): see workflow-threads.ts.
   */
  workflowStackTraces?: boolean;
  /** Told when the worker runs with stack traces though they were not asked for (see withWorkflowThreads). */
  onStackTracesKept?: (why: string) => void;
  /** Extra worker options, e.g. a shorter sticky-queue timeout in tests. */
  tuning?: Partial<Pick<WorkerOptions, 'stickyQueueScheduleToStartTimeout' | 'shutdownGraceTime' | 'maxCachedWorkflows' | 'identity'>>;
}

export async function createIncidentWorker(options: IncidentWorkerOptions): Promise<Worker> {
  const { workflowModules, ...code } = workflowCode(options.workflowBundle, options.tracing !== undefined);
  const tracing = options.tracing?.workerOptions;
  const kept = (path: string) => options.onStackTracesKept?.(`${path} is missing (npm run build copies it): workflow stack traces stay on`);
  // The incidents' records reach the store through this between their confirmations (incident-record-sink.ts).
  const records = options.dependencies.records;
  const recordWriter = records ? new IncidentRecordWriter(records) : undefined;
  const worker = await withWorkflowThreads(options.workflowStackTraces === true, () => Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...code,
    sinks: { ...tracing?.sinks, ...incidentRecordSinks(recordWriter) },
    interceptors: {
      ...tracing?.interceptors,
      activity: [requestTrailActivityInterceptor, ...(tracing?.interceptors.activity ?? [])],
      ...(workflowModules ? { workflowModules } : {}),
    },
    activities: createActivities(activityDependencies(options.dependencies)),
    // Let in-flight calls to chat and the other systems finish on Ctrl-C rather than cut them off mid-request.
    shutdownGraceTime: '10 seconds',
    // Ours rather than the SDK's default (from the heap limit, thousands on a large machine): a worker's memory follows
    // its cache, not the number of open incidents, so the cache is what keeps it within bounds (worker-config.ts).
    maxCachedWorkflows: DEFAULT_WORKER_MAX_CACHED_WORKFLOWS,
    // A task for an incident this worker holds waits at most this long for it before any worker may take it (and
    // replay): the SDK's default is 10 s, the other SDKs' 5 s. An Update (every command) waits that long for a worker
    // that is gone or stuck, and the API's deadline for a command is 15 s.
    stickyQueueScheduleToStartTimeout: '5 seconds',
    ...options.tuning,
  }), kept);
  if (!recordWriter) return worker;
  // The run ends once the records this worker took are written too (the caller closes the store after it).
  const run = worker.run.bind(worker);
  worker.run = async () => {
    try {
      await run();
    } finally {
      await recordWriter.drain();
    }
  };
  return worker;
}
