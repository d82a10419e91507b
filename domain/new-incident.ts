/**
 * What it takes to start an incident, validated the same way wherever a start comes from (REST, chat, alert, or a bare
 * `temporal workflow start`). The playbook is parsed and snapshotted here so the incident never depends on later edits.
 */
import { z } from 'zod';
import { IncidentCommandError, invalidInput } from './errors.js';
import type { NewIncident } from './incident.js';
import { usernameSchema } from './people.js';
import { ID_PATTERN, playbookSchema, snapshotPlaybook } from './playbook.js';

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
