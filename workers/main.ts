/**
 * The worker process for production: connects to the Temporal cluster named by the environment and runs incident
 * workflows and activities until SIGINT/SIGTERM. Scale out by running more of these.
 */
import { loadDotEnv } from '../config/env.js';
import { loadWorkerConfig } from './worker-config.js';
import { exitWithStartupError } from '../config/fatal.js';
import { createLogger } from '../config/logger.js';
import { connectWorker, resolveNamespace } from '../temporal/connection.js';
import { openDatabase } from '../store/database.js';
import { IncidentRecordRepository } from '../store/incident-records.js';
import { StoreSharedLocks } from '../store/shared-locks.js';
import { createIncidentWorker } from './incident-worker.js';
import { requireCredentials, selectIntegrations } from './integrations.js';
import { installTemporalRuntime } from '../temporal/runtime-logging.js';
import { startTracing } from '../temporal/tracing.js';

loadDotEnv();
const config = (() => {
  try {
    return loadWorkerConfig();
  } catch (error) {
    return exitWithStartupError('the worker', error);
  }
})();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'worker' });
// Before connecting to anything: a worker without its credentials must not run incidents against stand-ins.
try {
  requireCredentials(config, config.SANDBOXES === 'on');
} catch (error) {
  exitWithStartupError('the worker', error);
}
// The runtime stops the worker on SIGINT/SIGTERM by itself; worker.run() then resolves once it has drained.
installTemporalRuntime(logger, { handleSignals: true, ...(config.WORKER_METRICS_ADDRESS ? { metricsAddress: config.WORKER_METRICS_ADDRESS } : {}) });

// Traces, when OTEL_EXPORTER_OTLP_ENDPOINT names a collector.
const tracing = startTracing('incident-worker', config.OTEL_EXPORTER_OTLP_ENDPOINT);
const { connection, namespace, worker, integrations, database } = await (async () => {
  try {
    // The worker writes the incident records (the store the API lists and counts from).
    const database = await openDatabase({ ...(config.DATABASE_URL ? { url: config.DATABASE_URL } : {}), log: (line) => logger.info(line) });
    const { connection, namespace } = await connectWorker({
      ...(config.TEMPORAL_ADDRESS ? { address: config.TEMPORAL_ADDRESS } : {}),
      namespace: resolveNamespace(config.TEMPORAL_NAMESPACE),
    });
    // Sidebar categories are written by one worker at a time per person, under a lock in the store they share.
    const integrations = await selectIntegrations(config, logger, { sandboxesAllowed: config.SANDBOXES === 'on', sharedLocks: new StoreSharedLocks(database.db) });
    const worker = await createIncidentWorker({
      connection,
      namespace,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      ...(tracing ? { tracing } : {}),
      tuning: { maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS },
      workflowStackTraces: config.WORKER_WORKFLOW_STACK_TRACES === 'on',
      onStackTracesKept: (why) => logger.warn(why),
      dependencies: {
        integrations: integrations.ports,
        records: new IncidentRecordRepository(database.db),
        // Webhooks reach public addresses only, plus what the operator opened.
        webhooks: { allowList: config.OUTBOUND_ALLOWED_HOSTS },
        // Checklist buttons need to know where Mattermost sends clicks, and the secret the API verifies them with.
        ...(config.PUBLIC_URL && config.MATTERMOST_ACTION_SECRET
          ? { buttons: { actionUrl: `${config.PUBLIC_URL.replace(/\/+$/, '')}/mattermost/actions`, secret: config.MATTERMOST_ACTION_SECRET } }
          : {}),
      },
    });
    return { connection, namespace, worker, integrations, database };
  } catch (error) {
    return exitWithStartupError('the worker', error);
  }
})();
logger.info({ namespace, taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker running');
if (config.OUTBOUND_ALLOWED_HOSTS.entries.length) {
  logger.info({ allowed: config.OUTBOUND_ALLOWED_HOSTS.entries }, 'webhooks may also call the hosts in OUTBOUND_ALLOWED_HOSTS');
}
try {
  await worker.run();
} finally {
  await connection.close();
  await integrations.stop();
  await database.close();
  await tracing?.shutdown();
  logger.info('worker stopped');
}
