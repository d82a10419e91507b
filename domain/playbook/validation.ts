/** Validating a playbook definition: the playbook, or every problem at once with its path. */
import { playbookProblems, type PlaybookProblem } from './messages.js';
import { playbookSchema, type Playbook } from './schema.js';

export type PlaybookValidation = { ok: true; playbook: Playbook } | { ok: false; problems: PlaybookProblem[] };

/** Validates a playbook definition, reporting every problem at once. */
export function validatePlaybook(input: unknown): PlaybookValidation {
  const parsed = playbookSchema.safeParse(input);
  return parsed.success ? { ok: true, playbook: parsed.data } : { ok: false, problems: playbookProblems(parsed.error) };
}

/** Parses a playbook definition; on failure the error lists every problem with its path. */
export function parsePlaybook(input: unknown): Playbook {
  return playbookSchema.parse(input);
}
