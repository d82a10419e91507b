/**
 * `npm run temporal:setup`: registers the incident search attributes on the cluster named by TEMPORAL_ADDRESS /
 * TEMPORAL_NAMESPACE (and TLS or API key, per Temporal's environment conventions). The embedded dev server does not need
 * this; it registers them itself.
 */
import { loadConfig, loadDotEnv } from '../config/env.js';
import { connectClient, resolveNamespace } from '../temporal/connection.js';
import { registerIncidentSearchAttributes } from '../temporal/register-search-attributes.js';

loadDotEnv();
const config = loadConfig();
const namespace = resolveNamespace(config.TEMPORAL_NAMESPACE);
const address = config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_DEV_SERVER_PORT}`;
console.log(`Registering incident search attributes on ${address}, namespace ${namespace}...`);
try {
  const { connection } = await connectClient({ address, namespace });
  try {
    const report = await registerIncidentSearchAttributes(connection, namespace);
    if (report.created.length) console.log(`created: ${report.created.join(', ')}`);
    if (report.present.length) console.log(`already present: ${report.present.join(', ')}`);
    if (report.conflicting.length) {
      console.error(`wrong type (delete and recreate them, or use another namespace): ${report.conflicting.join(', ')}`);
      process.exitCode = 1;
    }
  } finally {
    await connection.close();
  }
} catch (error) {
  console.error(`Could not register the search attributes: ${(error as Error).message}`);
  console.error(
    'On Temporal Cloud, add them with `tcld namespace search-attributes add` or the Cloud UI; elsewhere check ' +
      'TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and the TLS or API-key settings.',
  );
  process.exitCode = 1;
}
