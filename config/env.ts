/**
 * Configuration comes only from environment variables (and an optional .env file), validated once at start. An invalid
 * value stops the process with a message naming the variable; secrets are never echoed back.
 * The README's configuration table documents each variable.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { parseApiTokens, type ApiToken } from '../api/auth/api-tokens.js';
import { parseRateLimit, RATE_LIMIT_FORMAT } from '../api/auth/rate-limit.js';
import { parseOutboundAllowList, type OutboundAllowList } from '../integrations/outbound-address-policy.js';
import { DEFAULT_PAGERDUTY_SEVERITY_MAP, parseSeverityMap } from '../integrations/pagerduty/severity.js';
import { ON_CALL_PROVIDERS } from '../integrations/ports.js';

const port = z.coerce.number().int().min(0).max(65535);

/**
 * The worker's sticky cache unless WORKER_MAX_CACHED_WORKFLOWS says otherwise. A fresh cached incident holds about
 * 0.1 MB of live heap in the workflow thread (the domain's code and schemas are shared: workers/workflow-preload.ts),
 * more as its timeline grows, on a worker of about 0.35 GB without any (bench capacity, docs/benchmarks.md): 1,500 keeps
 * 1,000 open incidents cached with room to spare, and 10,000 open within 2 GB. An incident outside the cache is
 * replayed from its history (bounded by continue-as-new) at its next command or timer, some tens of ms of worker CPU.
 */
export const DEFAULT_WORKER_MAX_CACHED_WORKFLOWS = 1_500;

/** A rate like "20/s" or "600/m"; an invalid one is reported with the accepted form. */
const rateLimitSetting = (fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .transform((value, ctx) => {
      const limit = parseRateLimit(value);
      if (!limit) ctx.addIssue({ code: 'custom', message: `expected ${RATE_LIMIT_FORMAT}`, input: undefined });
      return limit ?? { count: 1, unit: 's' as const };
    });

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
  /**
   * Tokens of the REST API: comma-separated `<name>:<scope>:sha256:<64 hex>` (the SHA-256 of each token, never the token;
   * `npm run api:token` makes one). Unset: open mode, allowed only on a loopback API_HOST.
   */
  API_TOKENS: z
    .string()
    .optional()
    .transform((value, ctx): ApiToken[] => {
      const { tokens, problems } = parseApiTokens(value);
      for (const problem of problems) ctx.addIssue({ code: 'custom', message: problem, input: undefined });
      return tokens;
    }),
  /** Requests per caller per API process, like "20/s" or "600/m"; bursts up to twice that. */
  API_RATE_LIMIT: rateLimitSetting('20/s'),
  /**
   * Commands per incident per API process, like "20/s"; bursts up to twice that. One incident is one workflow, and
   * Temporal serves one workflow's messages one workflow task at a time: past a few dozen a second its queries and
   * commands start to wait seconds. Over the limit: 429 with Retry-After (the command was not sent).
   */
  INCIDENT_COMMAND_RATE_LIMIT: rateLimitSetting('20/s'),
  /**
   * Failed authentications per client address (wrong API, slash command or webhook token, forged button or dialog),
   * like "10/m"; bursts up to twice that, then 429 for everything from that address until it refills.
   */
  AUTH_FAILURE_LIMIT: rateLimitSetting('10/m'),
  PLAYBOOKS_DIR: z.string().trim().min(1).default('playbooks'),
  /** Which playbook, team and severity an alert starts, by its labels (YAML or JSON; see alert-rules.example.yaml). */
  ALERT_RULES_FILE: z.string().trim().min(1).optional(),
  /** The store: sqlite:<path> (default .data/incidents.sqlite) or postgres://user:password@host/db. */
  DATABASE_URL: z.string().trim().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  // Integrations. A system without its credentials runs against its local sandbox server instead.
  /**
   * What status-update webhooks may call beyond public addresses: comma-separated host names, IP addresses and CIDR
   * ranges. Unset: public addresses only (no loopback, private, link-local and the like; see docs/security.md).
   */
  OUTBOUND_ALLOWED_HOSTS: z
    .string()
    .optional()
    .transform((value, ctx): OutboundAllowList => {
      const { allowList, problems } = parseOutboundAllowList(value);
      for (const problem of problems) ctx.addIssue({ code: 'custom', message: problem, input: undefined });
      return allowList;
    }),
  /** Timeout of one call to Mattermost, Jira, Zoom, Opsgenie or PagerDuty. */
  INTEGRATION_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  MATTERMOST_URL: z.url().optional(),
  MATTERMOST_BOT_TOKEN: z.string().min(1).optional(),
  JIRA_URL: z.url().optional(),
  /** A personal access token (Bearer); or JIRA_USERNAME with JIRA_PASSWORD (an API token on Jira Cloud). */
  JIRA_TOKEN: z.string().min(1).optional(),
  JIRA_USERNAME: z.string().min(1).optional(),
  JIRA_PASSWORD: z.string().min(1).optional(),
  JIRA_PROJECT: z.string().regex(/^[A-Z][A-Z0-9_]{1,9}$/, 'expected a Jira project key like "OPS"').default('OPS'),
  JIRA_ISSUE_TYPE: z.string().min(1).default('Task'),
  ZOOM_ACCOUNT_ID: z.string().min(1).optional(),
  ZOOM_CLIENT_ID: z.string().min(1).optional(),
  ZOOM_CLIENT_SECRET: z.string().min(1).optional(),
  ZOOM_API_URL: z.url().default('https://api.zoom.us/v2'),
  ZOOM_OAUTH_URL: z.url().default('https://zoom.us'),
  ZOOM_HOST_USER: z.string().min(1).default('me'),
  OPSGENIE_API_KEY: z.string().min(1).optional(),
  OPSGENIE_URL: z.url().default('https://api.opsgenie.com'),
  OPSGENIE_SCHEDULE: z.string().min(1).optional(),
  /**
   * Which on-call service looks up who is on call and pages them: `opsgenie` (the default, as before there was a
   * choice) or `pagerduty`. Only the chosen one needs credentials.
   */
  ON_CALL_PROVIDER: z.enum(ON_CALL_PROVIDERS).default('opsgenie'),
  /** A PagerDuty REST API key (account or user token, read access is enough): schedules, on-calls, users, incidents. */
  PAGERDUTY_API_TOKEN: z.string().min(1).optional(),
  /** The integration key of an Events API v2 integration on the service incidents page (paging and resolving). */
  PAGERDUTY_ROUTING_KEY: z
    .string()
    .regex(/^[A-Za-z0-9]{32}$/, "expected the 32-character integration key of a service's Events API v2 integration")
    .optional(),
  /** REST API host (EU service region: https://api.eu.pagerduty.com). */
  PAGERDUTY_API_URL: z.url().default('https://api.pagerduty.com'),
  /** Events API host (EU service region: https://events.eu.pagerduty.com). */
  PAGERDUTY_EVENTS_URL: z.url().default('https://events.pagerduty.com'),
  /** Schedule (name or ID) whose on-call people are invited when the playbook names none. */
  PAGERDUTY_SCHEDULE: z.string().min(1).optional(),
  /**
   * The PagerDuty severity an incident severity pages with, like "sev1=critical,sev2=error,sev3=warning,sev4=info";
   * keys are matched without regard to case. A severity it does not name falls back to the playbook's priority
   * (P1=critical, P2=error, P3=warning, P4 and P5=info; P-keys here override those).
   */
  PAGERDUTY_SEVERITY_MAP: z
    .string()
    .default(DEFAULT_PAGERDUTY_SEVERITY_MAP)
    .transform((value, ctx) => {
      const { map, problems } = parseSeverityMap(value);
      for (const problem of problems) ctx.addIssue({ code: 'custom', message: problem, input: undefined });
      return map;
    }),
  /** Tokens of the /incident slash command (comma-separated; one per team is fine). Unset: slash commands are off. */
  MATTERMOST_COMMAND_TOKENS: z.string().optional(),
  /** The address Mattermost uses to reach this API (checklist buttons and dialogs call back to it). */
  PUBLIC_URL: z.url().optional(),
  /** Signs checklist buttons and dialog state; the same value on every worker and API process. At least 32 characters. */
  MATTERMOST_ACTION_SECRET: z.string().min(32, 'use at least 32 random characters').optional(),
  /** Tokens of Mattermost outgoing webhooks (comma-separated). Unset: outgoing webhooks are off. */
  MATTERMOST_WEBHOOK_TOKENS: z.string().optional(),
  /**
   * The bot's websocket to Mattermost (`on`, the default, or `off`): joins and leaves reach an incident at once, and
   * timeline messages are noted from private channels too. Keep it on in one API process of a deployment (each one
   * that listens hears everything; the duplicates are harmless but wasted).
   */
  MATTERMOST_EVENTS: z.enum(['on', 'off']).default('on'),
  /**
   * `on`: a system without credentials (Mattermost, Jira, Zoom, the on-call service) gets an in-memory sandbox server
   * instead, for trying the product (`npm start` turns this on). `off` (the default): the worker and the API refuse to
   * start without them, naming what to set.
   */
  SANDBOXES: z.enum(['on', 'off']).default('off'),
  /**
   * Where the worker serves Prometheus metrics (host:port, e.g. 127.0.0.1:9464, then http://<it>/metrics): the Temporal
   * SDK's and the incident service's (integration calls, launch durations). Unset: no metrics endpoint.
   */
  WORKER_METRICS_ADDRESS: z
    .string()
    .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:9464')
    .optional(),
  /**
   * An OpenTelemetry collector's OTLP/HTTP address (e.g. http://otel-collector:4318): traces from the API through
   * Temporal to each integration call. Unset: no tracing. The SDK reads the other OTEL_* variables itself.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  /**
   * Incidents a worker keeps in memory between their workflow tasks (Temporal's sticky cache). Past it, the least
   * recently used is evicted and replayed from history at its next task: memory follows this number, not how many
   * incidents are open. The default is ours, not the SDK's (which sizes it from the heap limit: 2,310 on a 4 GB heap,
   * some 3 GB of incidents): see DEFAULT_WORKER_MAX_CACHED_WORKFLOWS.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(DEFAULT_WORKER_MAX_CACHED_WORKFLOWS),
  /** Words that turn a message in an incident channel into a timeline entry (comma-separated). */
  TIMELINE_TRIGGERS: z.string().default('#timeline,!note'),
  /** Usernames (comma-separated) allowed to change any incident without being in its channel. */
  INCIDENT_ADMINS: z.string().default(''),
  /**
   * The Mattermost team (its name, as in its URL) of incidents that name none: REST starts without `team`, alerts whose
   * rule names none. Unset: the bot's only team, when it is in exactly one; else "default".
   */
  MATTERMOST_DEFAULT_TEAM: z.string().trim().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'expected a team name like "platform"').optional(),
  /**
   * The slash commands a task's Run button may have the bot execute, by trigger (comma-separated, like "/jira,/zoom";
   * "none": none; an empty value counts as unset, like every setting). The bot runs them with its own rights in the
   * incident channel, so only what the operator names runs.
   */
  TASK_COMMANDS_ALLOWED: z
    .string()
    .default('/jira,/zoom')
    .transform((value, ctx) => {
      if (value.trim().toLowerCase() === 'none') return [];
      const triggers = value.split(',').map((trigger) => trigger.trim().toLowerCase()).filter(Boolean);
      for (const trigger of triggers) {
        if (!/^\/[a-z0-9_.-]{1,64}$/.test(trigger)) ctx.addIssue({ code: 'custom', message: `"${trigger.slice(0, 70)}" is not a slash command trigger like "/jira"` });
      }
      return triggers;
    }),
  /** Teams the Mattermost sandbox knows (comma-separated), when Mattermost runs as a sandbox. */
  SANDBOX_MATTERMOST_TEAMS: z.string().default('default'),
}).superRefine((config, ctx) => {
  // Half-configured integrations are mistakes: say so rather than silently fall back to the sandbox.
  const groups: Array<[string, string[]]> = [
    ['Mattermost', ['MATTERMOST_URL', 'MATTERMOST_BOT_TOKEN']],
    ['Zoom', ['ZOOM_ACCOUNT_ID', 'ZOOM_CLIENT_ID', 'ZOOM_CLIENT_SECRET']],
    // Looking up who is on call without being able to page them (or the reverse) would fail only at the first page.
    ['PagerDuty', ['PAGERDUTY_API_TOKEN', 'PAGERDUTY_ROUTING_KEY']],
  ];
  const values = config as Record<string, unknown>;
  for (const [system, names] of groups) {
    const set = names.filter((name) => values[name] !== undefined);
    if (set.length > 0 && set.length < names.length) {
      for (const name of names.filter((n) => values[n] === undefined)) {
        ctx.addIssue({ code: 'custom', path: [name], message: `${system} needs ${names.join(', ')} together` });
      }
    }
  }
  if (config.JIRA_URL && !config.JIRA_TOKEN && !(config.JIRA_USERNAME && config.JIRA_PASSWORD)) {
    ctx.addIssue({ code: 'custom', path: ['JIRA_TOKEN'], message: 'JIRA_URL needs JIRA_TOKEN, or JIRA_USERNAME with JIRA_PASSWORD' });
  }
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

/** Splits a comma-separated setting into its trimmed, non-empty parts. */
export function listSetting(value: string | undefined): string[] {
  return (value ?? '').split(',').map((part) => part.trim()).filter(Boolean);
}
