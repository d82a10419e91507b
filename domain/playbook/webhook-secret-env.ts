/** The environment variables a webhook's `secretEnv` may name, what a refusal says, and the rule before the prefix. */
import { describeValue } from './messages.js';

/**
 * A webhook's secret lives in a variable whose name starts with this, and the worker reads no other (see
 * activities/webhooks.ts): the playbook author picks the name, and the worker's environment holds the service's own
 * credentials too, which an author must not be able to have it sign with.
 */
export const WEBHOOK_SECRET_ENV_PREFIX = 'INCIDENT_WEBHOOK_SECRET_';
export const WEBHOOK_SECRET_ENV_PATTERN = /^INCIDENT_WEBHOOK_SECRET_[A-Z0-9_]{1,100}$/;
export const WEBHOOK_SECRET_ENV_EXAMPLE = `${WEBHOOK_SECRET_ENV_PREFIX}OPS`;
const ENV_NAME_PATTERN = /^[A-Z_][A-Z0-9_]{0,127}$/;

/** Environment variables that configure this service: what `secretEnv` refused before the prefix was required. */
const LEGACY_SERVICE_SETTING = /^(MATTERMOST|JIRA|ZOOM|OPSGENIE|TEMPORAL|DATABASE|API|PUBLIC|INCIDENT|ALERT|PLAYBOOKS|LOG|INTEGRATION|TIMELINE)_/;

/**
 * A `secretEnv` the rule before the prefix took (any variable name but this service's own settings) and the current rule
 * refuses. Only the workflow's reading of starts from before typed snapshots uses it (parseLegacyNewIncident in
 * domain/new-incident.ts), so those incidents replay under the rule they started with.
 */
export function acceptedOnlyBeforeSecretPrefix(name: unknown): name is string {
  return typeof name === 'string' && !WEBHOOK_SECRET_ENV_PATTERN.test(name) && ENV_NAME_PATTERN.test(name) && !LEGACY_SERVICE_SETTING.test(name);
}

/** Which rule a refused `secretEnv` broke: not a variable name at all (perhaps the secret itself), or not ours to read. */
export function secretEnvMessage(input: unknown): string {
  const value = String(input);
  // The value may be a secret pasted by mistake: name it only when it looks like a variable name.
  const shown = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/.test(value) ? `; got ${describeValue(value)}` : '';
  if (!ENV_NAME_PATTERN.test(value)) {
    return `expected the NAME of an environment variable like "${WEBHOOK_SECRET_ENV_EXAMPLE}" (upper-case letters, digits, "_"), never the secret itself${shown}`;
  }
  if (value.startsWith(WEBHOOK_SECRET_ENV_PREFIX) && value.length > WEBHOOK_SECRET_ENV_PREFIX.length + 100) {
    return `at most 100 characters after "${WEBHOOK_SECRET_ENV_PREFIX}"`;
  }
  if (value === WEBHOOK_SECRET_ENV_PREFIX) return `name the secret after the prefix, like "${WEBHOOK_SECRET_ENV_EXAMPLE}"`;
  return `a webhook secret's variable must start with "${WEBHOOK_SECRET_ENV_PREFIX}", like "${WEBHOOK_SECRET_ENV_EXAMPLE}": the worker reads no other variables${shown}`;
}
