/**
 * The shipped example playbooks (playbooks/*.yaml) and a strict validation helper, shared by the playbook unit tests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatPlaybookProblems } from '../../domain/playbook/messages.js';
import type { Playbook } from '../../domain/playbook/schema.js';
import { validatePlaybook } from '../../domain/playbook/validation.js';
import { parsePlaybookText } from '../../formats/playbook-text.js';

export const playbooksDir = fileURLToPath(new URL('../../playbooks', import.meta.url));

export const exampleFiles = readdirSync(playbooksDir).filter((file) => file.endsWith('.yaml')).sort();

/** A shipped example, read as the store reads it; throws with every problem when it is invalid. */
export function parseExample(file: string): Playbook {
  const result = parsePlaybookText(readFileSync(join(playbooksDir, file), 'utf8'), 'yaml');
  if (!result.ok) throw new Error(formatPlaybookProblems(result.problems));
  return result.playbook;
}

/** The playbook a definition gives; throws with every problem when it is invalid. */
export function valid(input: unknown): Playbook {
  const result = validatePlaybook(input);
  if (!result.ok) throw new Error(formatPlaybookProblems(result.problems));
  return result.playbook;
}
