/** The JSON Schema editors use for playbook files: committed up to date, and describing every field the examples use. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderPlaybookJsonSchema } from '../../formats/playbook-json-schema.js';
import { exampleFiles, parseExample, playbooksDir } from '../helpers/playbook-examples.js';

describe('the JSON Schema for editors', () => {
  // In a subfolder: the playbook loader reads every *.json directly in playbooks/ as a playbook.
  const file = join(playbooksDir, 'schema', 'playbook.schema.json');

  it('is up to date with the zod schema (regenerate: npx tsx scripts/export-playbook-schema.ts)', () => {
    expect(readFileSync(file, 'utf8')).toBe(renderPlaybookJsonSchema());
  });

  it('describes every top-level field, requires only id and title, and refuses unknown fields', () => {
    const schema = JSON.parse(readFileSync(file, 'utf8'));
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(['id', 'title']);
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['id', 'title', 'description', 'team', 'channel', 'defaultCommander', 'invitees', 'severities', 'defaultSeverity',
        'checklists', 'jira', 'zoom', 'opsgenie', 'statusUpdates', 'retrospective', 'keywords', 'welcomeMessage', 'permissions', 'archiveChannelOnClose']),
    );
    // Every field the examples use is one the schema knows, at every level.
    for (const example of exampleFiles) {
      const playbook = parseExample(example);
      expect(knownEverywhere(playbook, schema), example).toEqual([]);
    }
  });
});

/** Paths in a value that a JSON Schema (objects with properties, arrays with items) does not describe. */
function knownEverywhere(value: unknown, schema: any, path = ''): string[] {
  if (schema?.anyOf) return schema.anyOf.some((s: any) => knownEverywhere(value, s, path).length === 0) ? [] : [path];
  if (Array.isArray(value)) return value.flatMap((item, i) => knownEverywhere(item, schema?.items, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, child]) =>
      schema?.properties?.[key] ? knownEverywhere(child, schema.properties[key], `${path}.${key}`) : [`${path}.${key}`],
    );
  }
  return [];
}
