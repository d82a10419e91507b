/**
 * Reading the environment: the optional .env file, the helpers every process's schema is built with, and the one
 * loader that checks a schema once at start. An invalid value stops the process with a message naming the variable;
 * secrets are never echoed back. The shared settings are in shared-settings.ts; each process's schema lives beside it
 * (api/api-config.ts, workers/worker-config.ts, scripts/start-config.ts). The README's configuration table documents
 * each variable.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

export const port = z.coerce.number().int().min(0).max(65535);

/** A check across settings, run once every setting of a schema has been read. */
export type ConfigCheck = (config: Record<string, unknown>, ctx: z.RefinementCtx) => void;

/**
 * A process's schema: its settings and the checks across them. A check shared by two schemas (the same function)
 * runs once in a schema that unites them, so a problem is not reported twice.
 */
export function configSchema<Shape extends z.ZodRawShape>(settings: Shape, checks: readonly ConfigCheck[] = []) {
  const distinct = [...new Set(checks)];
  return z.object(settings).superRefine((config, ctx) => {
    for (const check of distinct) check(config as Record<string, unknown>, ctx);
  });
}

/** Reports what a setting's own parser found, under the variable's name; `input` is left out so no secret is echoed. */
export function reportProblems(problems: readonly string[], ctx: z.RefinementCtx): void {
  for (const problem of problems) ctx.addIssue({ code: 'custom', message: problem, input: undefined });
}

/** Half-configured systems are mistakes: say so rather than silently fall back to the sandbox. */
export function requiredTogether(system: string, names: readonly string[]): ConfigCheck {
  return (config, ctx) => {
    const set = names.filter((name) => config[name] !== undefined);
    if (set.length === 0 || set.length === names.length) return;
    for (const name of names.filter((n) => config[n] === undefined)) {
      ctx.addIssue({ code: 'custom', path: [name], message: `${system} needs ${names.join(', ')} together` });
    }
  };
}

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

/** Checks the environment against a process's schema; an empty variable counts as unset. */
export function loadConfig<Schema extends z.ZodType>(schema: Schema, env: NodeJS.ProcessEnv = process.env): z.output<Schema> {
  const parsed = schema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== '')),
  );
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  return parsed.data;
}

/** Splits a comma-separated setting into its trimmed, non-empty parts. */
export function listSetting(value: string | undefined): string[] {
  return (value ?? '').split(',').map((part) => part.trim()).filter(Boolean);
}
