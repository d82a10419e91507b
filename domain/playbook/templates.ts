/**
 * Placeholders in playbook templates: the template fields' schemas (only the placeholders a field accepts; the channel
 * name's rules), how long a channel name can get, and filling a template in when an incident runs.
 */
import type { z } from 'zod';
import { longText, text } from './fields.js';
import { closestWord } from './messages.js';
import {
  CHANNEL_NAME_PLACEHOLDER_MAX_LENGTH,
  PLAYBOOK_LIMITS,
  PLAYBOOK_TEMPLATE_PLACEHOLDERS,
  type PlaybookPlaceholder,
  type PlaybookTemplateField,
} from './vocabulary.js';

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The placeholders named in a template, with where they are. */
function placeholdersIn(template: string): Array<{ name: string; index: number; length: number }> {
  return [...template.matchAll(PLACEHOLDER)].map((m) => ({ name: m[1]!, index: m.index, length: m[0].length }));
}

function checkPlaceholders(field: PlaybookTemplateField, template: string, ctx: z.RefinementCtx): boolean {
  const allowed: readonly string[] = PLAYBOOK_TEMPLATE_PLACEHOLDERS[field];
  const list = allowed.map((name) => `{{${name}}}`).join(', ');
  let ok = true;
  for (const { name } of placeholdersIn(template)) {
    if (allowed.includes(name)) continue;
    ok = false;
    const guess = field === 'channel.nameTemplate' && name === 'name' ? 'slug' : closestWord(name, allowed);
    const hint = guess ? ` (did you mean {{${guess}}}?)` : '';
    ctx.addIssue({ code: 'custom', message: `unknown placeholder {{${name}}}${hint}; allowed here: ${list}` });
  }
  const rest = template.replace(PLACEHOLDER, '');
  if (rest.includes('{{') || rest.includes('}}')) {
    ok = false;
    ctx.addIssue({ code: 'custom', message: `unbalanced "{{" or "}}"; a placeholder looks like {{${allowed[0]}}}` });
  }
  return ok;
}

export function templateSchema(field: PlaybookTemplateField, max: number) {
  const allowed = PLAYBOOK_TEMPLATE_PLACEHOLDERS[field].map((name) => `{{${name}}}`).join(', ');
  return longText(max)
    .superRefine((template, ctx) => void checkPlaceholders(field, template, ctx))
    .meta({ description: `Placeholders: ${allowed}.` });
}

const CHANNEL_NAME_CHARACTER = /[a-z0-9_-]/;

/** Describes a character for a message: "space", "\"A\"". */
function describeCharacter(character: string): string {
  if (character === ' ') return 'space';
  if (character === '\t') return 'tab';
  return JSON.stringify(character);
}

/** The template with its literal parts made channel-name safe: "Incident {{id}}" → "incident-{{id}}". */
function suggestChannelNameTemplate(template: string): string {
  return template
    .split(/(\{\{[^{}]*\}\})/)
    .map((part, i) => (i % 2 === 1 ? part : part.toLowerCase().replace(/[^a-z0-9_{}-]+/g, '-')))
    .join('')
    .replace(/^-+|-+$/g, '');
}

export const channelNameTemplateSchema = text(200)
  .superRefine((template, ctx) => {
    checkPlaceholders('channel.nameTemplate', template, ctx);
    const literal = template.replace(PLACEHOLDER, '');
    // Stray braces are reported by the placeholder check already.
    const bad = [...new Set([...literal].filter((c) => !CHANNEL_NAME_CHARACTER.test(c) && c !== '{' && c !== '}'))];
    if (bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message:
          `a channel name has only lower-case letters, digits, "-" and "_"; found ${bad.map(describeCharacter).join(', ')}` +
          ` (perhaps ${JSON.stringify(suggestChannelNameTemplate(template))})`,
      });
    }
    const names = placeholdersIn(template).map((p) => p.name);
    if (!names.includes('id') && !names.includes('seq')) {
      ctx.addIssue({ code: 'custom', message: 'must contain {{id}} or {{seq}}, so that every incident gets a channel of its own' });
    }
    if (/^[-_]/.test(template) || /[-_]$/.test(template)) {
      ctx.addIssue({ code: 'custom', message: 'must start and end with a letter, a digit or a placeholder, not "-" or "_"' });
    }
  })
  .meta({ description: 'The channel name (its URL part). Placeholders: {{id}}, {{seq}}, {{date}}, {{slug}}, {{severity}}; must contain {{id}} or {{seq}}.' });

/** How long a channel name from this template can get, given the longest severity. */
export function channelNameTemplateMaxLength(template: string, longestSeverity: number): number {
  let length = template.replace(PLACEHOLDER, '').length;
  for (const { name } of placeholdersIn(template)) {
    const max = name === 'severity' ? longestSeverity : CHANNEL_NAME_PLACEHOLDER_MAX_LENGTH[name as keyof typeof CHANNEL_NAME_PLACEHOLDER_MAX_LENGTH];
    length += max ?? 0;
  }
  return length;
}

/** Fills `{{name}}` placeholders from values; unknown ones are left as written. */
export function fillTemplate(template: string, values: Partial<Record<PlaybookPlaceholder, string | number>>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name as PlaybookPlaceholder];
    return value === undefined ? whole : String(value);
  });
}

/**
 * A channel name from a (validated) name template: `{{slug}}` is shortened to the room left within 64 characters, and
 * separators doubled or left at the ends by an empty slug are tidied away.
 */
export function channelNameFromTemplate(
  template: string,
  values: { id: string; seq: number | string; date: string; slug: string; severity: string },
): string {
  const fixed = fillTemplate(template, { ...values, slug: '' }).length;
  const room = Math.max(0, PLAYBOOK_LIMITS.channelName - fixed);
  const slug = values.slug.slice(0, room).replace(/[-_]+$/, '');
  return fillTemplate(template, { ...values, slug })
    .toLowerCase()
    .replace(/([-_])[-_]+/g, '$1')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, PLAYBOOK_LIMITS.channelName);
}
