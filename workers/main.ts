/**
 * The worker process for production: connects to the Temporal cluster named by the environment and runs incident
 * workflows and activities until SIGINT/SIGTERM. Scale out by running more of these.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig, loadDotEnv } from '../config/env.js';
import { createLogger } from '../config/logger.js';
import { connectWorker, resolveNamespace } from '../temporal/connection.js';
import { createIncidentWorker } from './incident-worker.js';
import { selectIntegrations } from './integrations.js';

loadDotEnv();
const config = loadConfig();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'worker' });
Runtime.install({ logger: new DefaultLogger('WARN') });

const { connection, namespace } = await connectWorker({
  ...(config.TEMPORAL_ADDRESS ? { address: config.TEMPORAL_ADDRESS } : {}),
  namespace: resolveNamespace(config.TEMPORAL_NAMESPACE),
});
const worker = await createIncidentWorker({
  connection,
  namespace,
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  dependencies: { integrations: selectIntegrations(config, logger) },
});
logger.info({ namespace, taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker running');
try {
  await worker.run();
} finally {
  await connection.close();
  logger.info('worker stopped');
}
