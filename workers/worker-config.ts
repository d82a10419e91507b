/**
 * The worker process's configuration (`npm run worker`): the shared settings it uses plus its own (the integrations'
 * credentials and endpoints, the on-call provider, the outbound address policy, metrics and the workflow cache). It
 * reads none of the API's settings, so an API-only value (a malformed API_TOKENS, a rate limit) never stops a worker,
 * and the worker loads no API code to check them.
 */
import { z } from 'zod';
import { configSchema, loadConfig, reportProblems, requiredTogether, type ConfigCheck } from '../config/env.js';
import { baseSettings, serviceChecks, serviceSettings } from '../config/shared-settings.js';
import { parseOutboundAllowList, type OutboundAllowList } from '../security/outbound-address-policy.js';
import { DEFAULT_PAGERDUTY_SEVERITY_MAP, parseSeverityMap } from '../integrations/pagerduty/severity.js';
import { ON_CALL_PROVIDERS } from '../activities/ports/on-call.js';

/**
 * The worker's sticky cache unless WORKER_MAX_CACHED_WORKFLOWS says otherwise. A fresh cached incident holds about
 * 0.1 MB of live heap in the workflow thread (the domain's code and schemas are shared: workers/workflow-preload.ts),
 * more as its timeline grows, on a worker of about 0.35 GB without any (bench capacity, docs/benchmarks.md): 1,500 keeps
 * 1,000 open incidents cached with room to spare, and 10,000 open within 2 GB. An incident outside the cache is
 * replayed from its history (bounded by continue-as-new) at its next command or timer, some tens of ms of worker CPU.
 */
export const DEFAULT_WORKER_MAX_CACHED_WORKFLOWS = 1_500;

/** The settings only the worker reads. A system without its credentials runs against its local sandbox server instead. */
export const workerSettings = {
  /**
   * What status-update webhooks may call beyond public addresses: comma-separated host names, IP addresses and CIDR
   * ranges. Unset: public addresses only (no loopback, private, link-local and the like; see docs/security.md).
   */
  OUTBOUND_ALLOWED_HOSTS: z
    .string()
    .optional()
    .transform((value, ctx): OutboundAllowList => {
      const { allowList, problems } = parseOutboundAllowList(value);
      reportProblems(problems, ctx);
      return allowList;
    }),
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
      reportProblems(problems, ctx);
      return map;
    }),
  /**
   * Where the worker serves Prometheus metrics (host:port, e.g. 127.0.0.1:9464, then http://<it>/metrics): the Temporal
   * SDK's and the incident service's (integration calls, launch durations). Unset: no metrics endpoint.
   */
  WORKER_METRICS_ADDRESS: z
    .string()
    .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:9464')
    .optional(),
  /**
   * Incidents a worker keeps in memory between their workflow tasks (Temporal's sticky cache). Past it, the least
   * recently used is evicted and replayed from history at its next task: memory follows this number, not how many
   * incidents are open. The default is ours, not the SDK's (which sizes it from the heap limit: 2,310 on a 4 GB heap,
   * some 3 GB of incidents): see DEFAULT_WORKER_MAX_CACHED_WORKFLOWS.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(DEFAULT_WORKER_MAX_CACHED_WORKFLOWS),
  /**
   * `on`: workflows keep the stack traces the Web UI's "Stack Trace" tab (the `__stack_trace` query) shows, at about
   * twice the workflow thread's CPU in replays; for a worker an operator looks into a stuck incident with.
   */
  WORKER_WORKFLOW_STACK_TRACES: z.enum(['on', 'off']).default('off'),
  /** Teams the Mattermost sandbox knows (comma-separated), when Mattermost runs as a sandbox. */
  SANDBOX_MATTERMOST_TEAMS: z.string().default('default'),
};

const jiraCredentials: ConfigCheck = (config, ctx) => {
  if (config.JIRA_URL && !config.JIRA_TOKEN && !(config.JIRA_USERNAME && config.JIRA_PASSWORD)) {
    ctx.addIssue({ code: 'custom', path: ['JIRA_TOKEN'], message: 'JIRA_URL needs JIRA_TOKEN, or JIRA_USERNAME with JIRA_PASSWORD' });
  }
};

/** Everything the worker process reads, and the checks across it (npm start unites these with the API's). */
export const workerConfigSettings = { ...baseSettings, ...serviceSettings, ...workerSettings };
export const workerConfigChecks: readonly ConfigCheck[] = [
  ...serviceChecks,
  requiredTogether('Zoom', ['ZOOM_ACCOUNT_ID', 'ZOOM_CLIENT_ID', 'ZOOM_CLIENT_SECRET']),
  // Looking up who is on call without being able to page them (or the reverse) would fail only at the first page.
  requiredTogether('PagerDuty', ['PAGERDUTY_API_TOKEN', 'PAGERDUTY_ROUTING_KEY']),
  jiraCredentials,
];
export const workerConfigSchema = configSchema(workerConfigSettings, workerConfigChecks);
export type WorkerConfig = z.output<typeof workerConfigSchema>;

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return loadConfig(workerConfigSchema, env);
}
