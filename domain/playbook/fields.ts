/**
 * Building blocks of the playbook schema: zod types with plain messages (text, lists, enums, mappings that name unknown
 * fields) and the field types used in several sections (IDs, users, groups, channels, durations, the commander, URLs).
 */
import { z } from 'zod';
import { DURATION_PATTERN, MAX_DURATION_MS, MIN_DURATION_MS, parseDuration } from '../duration.js';
import { describeValue, UNKNOWN_FIELD_SEPARATOR, unknownFieldMessage } from './messages.js';
import { ID_PATTERN } from './vocabulary.js';

/** Zod's own message for a wrong type, in plainer words: "required" when missing, "expected X, got Y" otherwise. */
export function typeError(expected: string) {
  return (issue: { code?: string; input?: unknown }) =>
    issue.code !== 'invalid_type' ? undefined : issue.input === undefined ? 'required' : `expected ${expected}, got ${describeValue(issue.input)}`;
}

/** A mapping that rejects unknown fields, naming each one (with the field it probably meant). */
export function strict<S extends z.ZodRawShape>(shape: S, expected = 'a mapping') {
  const known = Object.keys(shape).filter((key) => key !== '$schema');
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => unknownFieldMessage(key, known)).join(UNKNOWN_FIELD_SEPARATOR);
      }
      if (issue.code === 'invalid_type') {
        if (issue.input === undefined) return 'required';
        if (typeof issue.input === 'boolean' && 'enabled' in shape) {
          return `expected a mapping like { enabled: ${issue.input} }, got ${issue.input}`;
        }
        return `expected ${expected}, got ${describeValue(issue.input)}`;
      }
      return undefined;
    },
  });
}

export function text(max: number, empty = 'must not be empty') {
  return z
    .string({ error: typeError('text') })
    .trim()
    .min(1, empty)
    .max(max, { error: (issue) => `at most ${max} characters, got ${String(issue.input).length}` });
}

/** Long free text (markdown): not trimmed, may be empty. */
export function longText(max: number) {
  return z
    .string({ error: typeError('text') })
    .max(max, { error: (issue) => `at most ${max} characters, got ${String(issue.input).length}` });
}

export function list<T extends z.ZodType>(item: T, max: number, what: string) {
  return z
    .array(item, { error: typeError('a list') })
    .max(max, { error: (issue) => `at most ${max} ${what}, got ${(issue.input as unknown[]).length}` });
}

/** Rejects repeats in a list, at the repeat's position (or its field that repeats). */
export function noRepeats<T>(key: (item: T) => string = String, field?: string) {
  return (items: T[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const k = key(item);
      const shown = field ? (item as Record<string, unknown>)[field] : item;
      if (seen.has(k)) ctx.addIssue({ code: 'custom', path: field ? [index, field] : [index], message: `${describeValue(shown)} is already listed` });
      seen.add(k);
    });
  };
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: (issue) => (issue.input === undefined ? 'required' : `expected one of ${values.join(', ')}, got ${describeValue(issue.input)}`),
  });
}

export const bool = () => z.boolean({ error: typeError('true or false') });

export const idSchema = z
  .string({ error: typeError('an ID') })
  .regex(ID_PATTERN, {
    error: (issue) =>
      `expected lower-case letters, digits, "-" or "_" (at most 64, starting with a letter or digit), got ${describeValue(issue.input)}`,
  });

const NAME_PATTERN = /^@?[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A Mattermost username, with or without "@"; kept lower case without the "@". */
export const userSchema = z
  .string({ error: typeError('a username') })
  .trim()
  .regex(NAME_PATTERN, {
    error: (issue) =>
      `expected a Mattermost username like "alice" or "@alice" (letters, digits, ".", "-", "_"), got ${describeValue(issue.input)}`,
  })
  .transform((name) => name.replace(/^@/, '').toLowerCase());

/** A Mattermost user group's name (as mentioned: "@sre"), with or without "@"; kept lower case without the "@". */
export const groupSchema = z
  .string({ error: typeError('a group name') })
  .trim()
  .regex(NAME_PATTERN, {
    error: (issue) => `expected a Mattermost group name like "sre" or "@sre" (letters, digits, ".", "-", "_"), got ${describeValue(issue.input)}`,
  })
  .transform((name) => name.replace(/^@/, '').toLowerCase());

const CHANNEL_REF_PATTERN = /^~?[a-z0-9][a-z0-9_-]{0,62}[a-z0-9]$/;

/** A channel in the playbook's team, by name (the last part of its URL), with or without "~". */
export const channelRefSchema = z
  .string({ error: typeError('a channel name') })
  .trim()
  .regex(CHANNEL_REF_PATTERN, {
    error: (issue) =>
      `expected a channel name (the last part of its URL) like "incidents": 2 to 64 lower-case letters, digits, "-" or "_", got ${describeValue(issue.input)}`,
  })
  .transform((name) => name.replace(/^~/, ''));

export const durationSchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'required' : `expected a duration like "30m", got ${describeValue(issue.input)}`) })
  .trim()
  .superRefine((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a duration like "30m", "2h", "1d" or "1h30m", got ${describeValue(value)}` });
    } else if (ms < MIN_DURATION_MS || ms > MAX_DURATION_MS) {
      ctx.addIssue({ code: 'custom', message: `expected a duration from 1m to 30d, got ${describeValue(value)}` });
    }
  })
  .meta({ pattern: DURATION_PATTERN.source, description: 'A duration: days, hours, minutes, e.g. "30m", "2h", "1d", "1h30m" (1m to 30d).' });

const COMMANDER_PATTERN = /^(?:reporter|oncall|@[A-Za-z0-9][A-Za-z0-9._-]{0,63})$/;

/** "reporter", "oncall", or a named user written with "@" (so that a user called "reporter" stays possible). */
export const defaultCommanderSchema = z
  .string({ error: typeError('"reporter", "oncall" or a user like "@alice"') })
  .trim()
  .regex(COMMANDER_PATTERN, {
    error: (issue) => {
      const input = String(issue.input);
      return /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(input)
        ? `write a user as "@${input}" (or use "reporter" or "oncall")`
        : `expected "reporter", "oncall" or a user like "@alice", got ${describeValue(input)}`;
    },
  })
  .transform((value) => value.toLowerCase())
  .meta({ description: 'Who becomes commander: "reporter" (default), "oncall" (the on-call person from Opsgenie) or a user like "@alice".' });

export const webhookUrlSchema = z
  .string({ error: typeError('a URL') })
  .trim()
  .max(2000, { error: (issue) => `at most 2000 characters, got ${String(issue.input).length}` })
  .superRefine((url, ctx) => {
    const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#\s]*)(\S*)$/i.exec(url);
    if (!match) {
      ctx.addIssue({ code: 'custom', message: `expected a URL like "https://hooks.example.com/incidents", got ${describeValue(url)}` });
      return;
    }
    const [, scheme, authority] = match as unknown as [string, string, string];
    if (!/^https?$/i.test(scheme)) {
      ctx.addIssue({ code: 'custom', message: `expected an http or https URL, got ${describeValue(url)}` });
    } else if (authority.includes('@')) {
      ctx.addIssue({ code: 'custom', message: 'do not put credentials in the URL; name the environment variable holding the secret in "secretEnv"' });
    } else if (!/^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/.test(authority)) {
      ctx.addIssue({ code: 'custom', message: `expected a host name after "${scheme}://", got ${describeValue(authority)}` });
    }
  })
  .meta({ format: 'uri', pattern: '^[Hh][Tt][Tt][Pp][Ss]?://\\S+$' });
