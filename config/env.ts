/**
 * Configuration comes only from environment variables (and an optional .env file), validated once at start. An invalid
 * value stops the process with a message naming the variable; secrets are never echoed back.
 * The README's configuration table documents each variable.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);

export const configSchema = z.object({
  /** host:port of a Temporal cluster. Unset: `npm start` runs the embedded dev server. */
  TEMPORAL_ADDRESS: z.string().trim().min(1).optional(),
  /** Unset: the namespace of the Temporal config profile (TEMPORAL_PROFILE), else "default". */
  TEMPORAL_NAMESPACE: z.string().trim().min(1).optional(),
  TEMPORAL_TASK_QUEUE: z.string().trim().min(1).default('incidents'),
  TEMPORAL_DEV_SERVER_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_DB_FILE: z.string().trim().min(1).default('.data/temporal.sqlite'),
  API_HOST: z.string().trim().min(1).default('127.0.0.1'),
  API_PORT: port.default(8080),
  /** Largest JSON body the API accepts. */
  API_BODY_LIMIT: z.string().trim().regex(/^\d+(b|kb|mb)$/i, 'expected a size like "64kb"').default('64kb'),
  PLAYBOOKS_DIR: z.string().trim().min(1).default('playbooks'),
  /** Where the in-memory integrations keep their records between restarts (empty: memory only). */
  SANDBOX_JOURNAL: z.string().trim().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads `.env` from the working directory when present; variables already set win over the file. */
export function loadDotEnv(path = resolve(process.cwd(), '.env')): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== '')),
  );
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  return parsed.data;
}
