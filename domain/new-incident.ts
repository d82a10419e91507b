/**
 * What it takes to start an incident, validated the same way wherever a start comes from (REST, chat, alert, or a bare
 * `temporal workflow start`). The playbook is parsed and snapshotted here so the incident never depends on later edits.
 */
import { z } from 'zod';
import { IncidentCommandError, invalidInput } from './errors.js';
import type { NewIncident } from './incident.js';
import { usernameSchema } from './people.js';
import { acceptedOnlyBeforeSecretPrefix, WEBHOOK_SECRET_ENV_PREFIX } from './playbook/webhook-secret-env.js';
import { ID_PATTERN } from './playbook/vocabulary.js';
import { playbookSchema } from './playbook/schema.js';
import { snapshotPlaybook } from './playbook/snapshot.js';

export const INCIDENT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,47}$/;

export const newIncidentSchema = z.object({
  id: z
    .string()
    .regex(INCIDENT_ID_PATTERN, 'expected 3 to 48 lower-case letters, digits or "-", starting with a letter or digit'),
  name: z.string().trim().min(1, 'an incident needs a name').max(200),
  summary: z.string().trim().max(4000).optional(),
  severity: z.string().trim().toLowerCase().optional(),
  team: z.string().trim().regex(ID_PATTERN, 'expected a team name like "platform"'),
  reporter: usernameSchema,
  commander: usernameSchema.optional(),
  /** The team's incident number, from the store (`{{seq}}` in channel names). */
  number: z.number().int().positive().optional(),
  playbook: playbookSchema,
});

export type NewIncidentInput = z.input<typeof newIncidentSchema>;

/** Validates a start request and returns the incident's starting data, or throws with every problem listed. */
export function parseNewIncident(input: unknown): NewIncident {
  const parsed = newIncidentSchema.safeParse(input);
  if (!parsed.success) throw invalidInput('incident', parsed.error);
  const { playbook, ...rest } = parsed.data;
  const snapshot = snapshotPlaybook(playbook);
  if (rest.severity !== undefined && !snapshot.severities.includes(rest.severity)) {
    throw new IncidentCommandError(
      'invalid_input',
      `invalid incident: severity "${rest.severity}" is not one of ${snapshot.severities.join(', ')}`,
      [`severity: expected one of ${snapshot.severities.join(', ')}`],
    );
  }
  return {
    id: rest.id,
    name: rest.name,
    team: rest.team,
    reporter: rest.reporter,
    playbook: snapshot,
    ...(rest.summary ? { summary: rest.summary } : {}),
    ...(rest.severity ? { severity: rest.severity } : {}),
    ...(rest.commander ? { commander: rest.commander } : {}),
    ...(rest.number ? { number: rest.number } : {}),
  };
}

/**
 * The workflow's reading of a start from before typed snapshots (`input.incident`, which the workflow validates itself):
 * it must replay under the rules it started with. One rule has been tightened since: a webhook's `secretEnv` must now
 * start with INCIDENT_WEBHOOK_SECRET_. A name the old rule took is still taken here (validated under a stand-in name,
 * then put back), so such an incident starts and replays as it ran; the worker refuses to read that variable when the
 * delivery runs, which the incident records as a failed delivery like any other.
 */
export function parseLegacyNewIncident(input: unknown): NewIncident {
  const webhooks = (input as { playbook?: { statusUpdates?: { webhooks?: unknown } } } | null)?.playbook?.statusUpdates?.webhooks;
  if (!Array.isArray(webhooks) || !webhooks.some((webhook) => acceptedOnlyBeforeSecretPrefix((webhook as { secretEnv?: unknown } | null)?.secretEnv))) {
    return parseNewIncident(input);
  }
  // A copy: the input is the workflow's own argument, which must stay as it was given.
  const copy = JSON.parse(JSON.stringify(input)) as { playbook: { statusUpdates: { webhooks: Array<{ secretEnv?: unknown } | null> } } };
  const oldNames = new Map<number, string>();
  copy.playbook.statusUpdates.webhooks.forEach((webhook, index) => {
    if (webhook && acceptedOnlyBeforeSecretPrefix(webhook.secretEnv)) {
      oldNames.set(index, webhook.secretEnv);
      webhook.secretEnv = `${WEBHOOK_SECRET_ENV_PREFIX}LEGACY`;
    }
  });
  const incident = parseNewIncident(copy);
  // The snapshot keeps the webhooks in the playbook's order.
  for (const [index, name] of oldNames) {
    const webhook = incident.playbook.statusUpdates?.webhooks[index];
    if (webhook) webhook.secretEnv = name;
  }
  return incident;
}

/**
 * The start snapshot the incident workflow receives: a start request that the client already validated (with
 * parseNewIncident) and whose playbook is snapshotted. The workflow trusts it and only checks its shape
 * (checkIncidentStart), so later changes to the validation rules never change how a running incident replays. A new
 * shape gets a new schemaVersion, and the workflow keeps reading the old ones.
 */
export interface IncidentStart extends NewIncident {
  schemaVersion: 1;
}

export const INCIDENT_START_SCHEMA_VERSION = 1;

/** Validates a start request (every rule, with zod) and makes the snapshot a workflow starts from. */
export function prepareIncidentStart(input: unknown): IncidentStart {
  return { schemaVersion: INCIDENT_START_SCHEMA_VERSION, ...parseNewIncident(input) };
}

/**
 * A structural check of a start snapshot, nothing more: types of the fields the workflow reads at once. It catches a
 * hand-written `temporal workflow start` with the wrong shape; it applies no business rule (those are the client's).
 */
export function checkIncidentStart(input: unknown): IncidentStart {
  const problems: string[] = [];
  const value = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  if (value.schemaVersion !== INCIDENT_START_SCHEMA_VERSION) problems.push(`schemaVersion: expected ${INCIDENT_START_SCHEMA_VERSION}`);
  for (const field of ['id', 'name', 'team', 'reporter'] as const) {
    if (typeof value[field] !== 'string' || value[field] === '') problems.push(`${field}: expected a non-empty string`);
  }
  const playbook = value.playbook as Record<string, unknown> | undefined;
  if (typeof playbook !== 'object' || playbook === null) problems.push('playbook: expected a playbook snapshot');
  else {
    if (typeof playbook.id !== 'string') problems.push('playbook.id: expected a string');
    if (!Array.isArray(playbook.checklists)) problems.push('playbook.checklists: expected a list');
    if (!Array.isArray(playbook.severities)) problems.push('playbook.severities: expected a list');
    for (const part of ['channel', 'jira', 'zoom', 'opsgenie'] as const) {
      if (typeof playbook[part] !== 'object' || playbook[part] === null) problems.push(`playbook.${part}: expected an object`);
    }
  }
  if (problems.length) {
    throw new IncidentCommandError(
      'invalid_input',
      `invalid incident start: ${problems.join('; ')} (start incidents through the API, which validates and snapshots the playbook)`,
      problems,
    );
  }
  return value as unknown as IncidentStart;
}
