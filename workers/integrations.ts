/**
 * Chooses the adapter for each external system. Until the real adapters land, every system uses the in-memory sandbox,
 * and the worker says so at start-up so nobody mistakes it for the real thing.
 */
import type { Logger } from 'pino';
import { InMemoryWorkspace } from '../integrations/in-memory/workspace.js';
import type { IntegrationPorts } from '../integrations/ports.js';
import type { Config } from '../config/env.js';

export function selectIntegrations(config: Config, logger: Logger): IntegrationPorts {
  const workspace = new InMemoryWorkspace({
    ...(config.SANDBOX_JOURNAL ? { journalPath: config.SANDBOX_JOURNAL } : {}),
  });
  for (const system of ['chat (Mattermost)', 'tickets (Jira)', 'meetings (Zoom)', 'on-call (Opsgenie)']) {
    logger.info({ system }, `${system}: using the in-memory sandbox (no credentials configured)`);
  }
  return workspace;
}
