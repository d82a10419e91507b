/**
 * The API process's configuration (`npm run api`): the shared settings it uses plus its own (where it listens, tokens,
 * rate limits, playbooks and alert rules, the Mattermost front door). It reads none of the worker's settings, so a
 * worker-only value (an integration's credentials, the outbound address policy) never stops the API.
 */
import { z } from 'zod';
import { configSchema, loadConfig, port, reportProblems, requiredTogether, type ConfigCheck } from '../config/env.js';
import { baseSettings, serviceChecks, serviceSettings } from '../config/shared-settings.js';
import { MIN_SESSION_SECRET_LENGTH } from './auth/web-session.js';
import { parseApiTokens, type ApiToken } from './auth/api-tokens.js';
import { parseRateLimit, RATE_LIMIT_FORMAT } from './auth/rate-limit.js';

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

/** The settings only the API reads. */
export const apiSettings = {
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
      reportProblems(problems, ctx);
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
  /** Tokens of the /incident slash command (comma-separated; one per team is fine). Unset: slash commands are off. */
  MATTERMOST_COMMAND_TOKENS: z.string().optional(),
  /** Tokens of Mattermost outgoing webhooks (comma-separated). Unset: outgoing webhooks are off. */
  MATTERMOST_WEBHOOK_TOKENS: z.string().optional(),
  /**
   * The bot's websocket to Mattermost (`on`, the default, or `off`): joins and leaves reach an incident at once, and
   * timeline messages are noted from private channels too. Keep it on in one API process of a deployment (each one
   * that listens hears everything; the duplicates are harmless but wasted).
   */
  MATTERMOST_EVENTS: z.enum(['on', 'off']).default('on'),
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
  /**
   * Signs the web app's sign-in cookies (at least 32 random characters; the same value on every API process behind one
   * address). Unset: a random one per start, so people sign in again after each restart and one replica does not
   * know another's sessions.
   */
  WEB_SESSION_SECRET: z.string().min(MIN_SESSION_SECRET_LENGTH, `use at least ${MIN_SESSION_SECRET_LENGTH} random characters (openssl rand -base64 32)`).optional(),
  /**
   * Sign-in with Mattermost for the web app: the OAuth app's client ID and secret (`npm run mattermost:setup` creates
   * the app and prints both). Unset: the web app offers API-token sign-in only.
   */
  MATTERMOST_OAUTH_CLIENT_ID: z.string().trim().regex(/^[a-z0-9]{26}$/, 'expected the OAuth app\'s ID: 26 lower-case letters and digits').optional(),
  MATTERMOST_OAUTH_CLIENT_SECRET: z.string().trim().min(1).optional(),
};

/** Everything the API process reads, and the checks across it (npm start unites these with the worker's). */
export const apiConfigSettings = { ...baseSettings, ...serviceSettings, ...apiSettings };
export const apiConfigChecks = [
  ...serviceChecks,
  requiredTogether('Sign-in with Mattermost', ['MATTERMOST_OAUTH_CLIENT_ID', 'MATTERMOST_OAUTH_CLIENT_SECRET']),
  // The browser is sent to Mattermost's own address for sign-in.
  ((config, ctx) => {
    if (config.MATTERMOST_OAUTH_CLIENT_ID !== undefined && config.MATTERMOST_URL === undefined) {
      ctx.addIssue({ code: 'custom', path: ['MATTERMOST_URL'], message: 'Sign-in with Mattermost (MATTERMOST_OAUTH_CLIENT_ID) needs MATTERMOST_URL' });
    }
  }) satisfies ConfigCheck,
];
export const apiConfigSchema = configSchema(apiConfigSettings, apiConfigChecks);
export type ApiConfig = z.output<typeof apiConfigSchema>;

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return loadConfig(apiConfigSchema, env);
}
