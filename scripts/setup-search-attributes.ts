/**
 * `npm run temporal:setup [-- --retention-days N]`: makes the cluster named by TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE
 * (and TLS or API key, per Temporal's environment conventions) ready for incidents: registers the namespace when it does
 * not exist (a new self-hosted cluster; retention of closed histories N days, default 30: the store keeps the incidents
 * themselves), then the incident search attributes. Safe to repeat. The embedded dev server does not need this.
 */
import { configSchema, loadConfig, loadDotEnv } from '../config/env.js';
import { baseSettings, devServerSettings } from '../config/shared-settings.js';
import { connectClient, resolveNamespace } from '../temporal/connection.js';
import { ensureNamespace, registerIncidentSearchAttributes } from '../temporal/register-search-attributes.js';

function retentionDays(argv: string[]): number {
  const at = argv.indexOf('--retention-days');
  if (at === -1) return 30;
  const days = Number(argv[at + 1]);
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    console.error(`--retention-days: expected a whole number of days from 1 to 3650, got ${argv[at + 1] ?? 'nothing'}`);
    process.exit(2);
  }
  return days;
}

loadDotEnv();
// The cluster's address, else the embedded dev server's: nothing of the API's or the worker's is checked here.
const config = loadConfig(configSchema({ ...baseSettings, TEMPORAL_DEV_SERVER_PORT: devServerSettings.TEMPORAL_DEV_SERVER_PORT }));
const namespace = resolveNamespace(config.TEMPORAL_NAMESPACE);
const address = config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_DEV_SERVER_PORT}`;
const retention = retentionDays(process.argv.slice(2));
console.log(`Setting up ${address}, namespace ${namespace}...`);
try {
  const { connection } = await connectClient({ address, namespace });
  try {
    if (await ensureNamespace(connection, namespace, retention)) console.log(`created namespace ${namespace} (closed histories kept ${retention} days)`);
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
  console.error(`Could not set up the namespace and its search attributes: ${(error as Error).message}`);
  console.error(
    'On Temporal Cloud, add them with `tcld namespace search-attributes add` or the Cloud UI; elsewhere check ' +
      'TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and the TLS or API-key settings.',
  );
  process.exitCode = 1;
}
