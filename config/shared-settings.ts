/**
 * Settings more than one process reads, each defined once (name, default, check): what every process shares (Temporal,
 * the store, logging), what the API and the worker both need (Mattermost, sandboxes, tracing), and npm start's embedded
 * Temporal server. Each process's schema composes the pieces it uses with its own settings.
 */
import { z } from 'zod';
import { configSchema, loadConfig, port, requiredTogether } from './env.js';

/** Every process: where Temporal is, the task queue, the store and how much to log. */
export const baseSettings = {
  /** host:port of a Temporal cluster. Unset: `npm start` runs the embedded dev server. */
  TEMPORAL_ADDRESS: z.string().trim().min(1).optional(),
  /** Unset: the namespace of the Temporal config profile (TEMPORAL_PROFILE), else "default". */
  TEMPORAL_NAMESPACE: z.string().trim().min(1).optional(),
  TEMPORAL_TASK_QUEUE: z.string().trim().min(1).default('incidents'),
  /** The store: sqlite:<path> (default .data/incidents.sqlite) or postgres://user:password@host/db. */
  DATABASE_URL: z.string().trim().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/** The smallest schema: for tools that only reach Temporal or the store (playbooks:apply). */
export const baseConfigSchema = configSchema(baseSettings);
export type BaseConfig = z.output<typeof baseConfigSchema>;

export function loadBaseConfig(env: NodeJS.ProcessEnv = process.env): BaseConfig {
  return loadConfig(baseConfigSchema, env);
}

/** The embedded Temporal dev server of `npm start` (temporal:setup falls back to its address). */
export const devServerSettings = {
  TEMPORAL_DEV_SERVER_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_DB_FILE: z.string().trim().min(1).default('.data/temporal.sqlite'),
};

/**
 * What the API and the worker both read: the bot's Mattermost access (the worker's chat adapter, the API's front
 * door), what checklist buttons need (the worker draws them, the API verifies them), sandboxes and tracing.
 */
export const serviceSettings = {
  /** Timeout of one call to Mattermost, Jira, Zoom, Opsgenie or PagerDuty. */
  INTEGRATION_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  MATTERMOST_URL: z.url().optional(),
  MATTERMOST_BOT_TOKEN: z.string().min(1).optional(),
  /** The address Mattermost uses to reach this API (checklist buttons and dialogs call back to it). */
  PUBLIC_URL: z.url().optional(),
  /** Signs checklist buttons and dialog state; the same value on every worker and API process. At least 32 characters. */
  MATTERMOST_ACTION_SECRET: z.string().min(32, 'use at least 32 random characters').optional(),
  /**
   * `on`: a system without credentials (Mattermost, Jira, Zoom, the on-call service) gets an in-memory sandbox server
   * instead, for trying the product (`npm start` turns this on). `off` (the default): the worker and the API refuse to
   * start without them, naming what to set.
   */
  SANDBOXES: z.enum(['on', 'off']).default('off'),
  /**
   * An OpenTelemetry collector's OTLP/HTTP address (e.g. http://otel-collector:4318): traces from the API through
   * Temporal to each integration call. Unset: no tracing. The SDK reads the other OTEL_* variables itself.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
};

export const serviceChecks = [requiredTogether('Mattermost', ['MATTERMOST_URL', 'MATTERMOST_BOT_TOKEN'])];
