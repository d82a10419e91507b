/**
 * `npm start`'s configuration: it is the API and the worker in one process, so it reads both of their settings (and
 * checks both, a bad API_TOKENS as much as a bad PAGERDUTY_SEVERITY_MAP), plus those of its embedded Temporal server.
 */
import type { z } from 'zod';
import { apiConfigChecks, apiConfigSettings } from '../api/api-config.js';
import { configSchema, loadConfig } from '../config/env.js';
import { devServerSettings } from '../config/shared-settings.js';
import { workerConfigChecks, workerConfigSettings } from '../workers/worker-config.js';

export const startConfigSchema = configSchema(
  { ...apiConfigSettings, ...workerConfigSettings, ...devServerSettings },
  [...apiConfigChecks, ...workerConfigChecks],
);
export type StartConfig = z.output<typeof startConfigSchema>;

export function loadStartConfig(env: NodeJS.ProcessEnv = process.env): StartConfig {
  return loadConfig(startConfigSchema, env);
}
