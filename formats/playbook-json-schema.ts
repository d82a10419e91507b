/**
 * The JSON Schema of a playbook file, derived from the zod schema, which editors use to check and complete playbook
 * files (`npm run playbooks:schema` writes it to playbooks/schema/).
 */
import { z } from 'zod';
import { playbookSchema } from '../domain/playbook/schema.js';

/** The JSON Schema of a playbook file (the input side: fields with defaults are optional). */
export function playbookJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(playbookSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}

/** `playbooks/schema/playbook.schema.json` as it should be committed. */
export function renderPlaybookJsonSchema(): string {
  return `${JSON.stringify(playbookJsonSchema(), null, 2)}\n`;
}
