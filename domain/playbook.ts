/**
 * The playbook definition language: what an incident does from the moment it is reported (its channel, who joins, what is
 * opened in Jira, Zoom and Opsgenie, the checklists, the reminders) and who may edit or run it.
 *
 * Two shapes come out of it:
 * - `Playbook` (the schema's output): the definition as written, with every default filled in. It is what the store
 *   keeps and what export writes; parsing it again gives it back unchanged.
 * - `PlaybookSnapshot`: what an incident copies into its workflow input at start, so that editing the playbook later
 *   never changes a running incident. Durations are turned into milliseconds and every ID is filled in.
 *
 * Validation reports every problem at once with its path (`validatePlaybook`). Workflow code imports this module, so it
 * stays free of I/O and imports nothing but zod and pure domain helpers.
 */
import { z } from 'zod';
import { DURATION_PATTERN, MAX_DURATION_MS, MIN_DURATION_MS, parseDuration } from './duration.js';

// ---------------------------------------------------------------------------------------------------------------------
// Limits and vocabularies
// ---------------------------------------------------------------------------------------------------------------------

/** IDs appear in URLs, slash commands and button payloads, so they stay short, lower-case and URL-safe. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export const DEFAULT_SEVERITIES = ['sev1', 'sev2', 'sev3', 'sev4'] as const;

/** The size limits a playbook must stay within (counts of things and lengths of text). */
export const PLAYBOOK_LIMITS = {
  checklists: 20,
  tasksPerChecklist: 100,
  severities: 10,
  keywords: 50,
  users: 100,
  groups: 20,
  broadcastChannels: 10,
  webhooks: 10,
  jiraLabels: 20,
  jiraComponents: 20,
  title: 200,
  description: 4000,
  template: 4000,
  /** Mattermost's own limits for a channel header and purpose. */
  headerTemplate: 1024,
  purposeTemplate: 250,
  channelName: 64,
} as const;

/** Roles a task can be assigned to instead of a named user; resolved when the incident starts (or when the role changes hands). */
export const TASK_ASSIGNEE_ROLES = ['commander', 'reporter', 'oncall'] as const;
export type TaskAssigneeRole = (typeof TASK_ASSIGNEE_ROLES)[number];

/**
 * Built-in task actions, the alternative to a slash command. The task's Run button does the action itself:
 * - `page-oncall`: page the on-call person through Opsgenie (the playbook's schedule and priority);
 * - `open-ticket`: open the incident's Jira issue (needs Jira enabled), if it is not open yet;
 * - `start-meeting`: start a Zoom meeting and post its link (needs Zoom enabled);
 * - `post-status-update`: open the status-update dialog (needs status updates enabled).
 */
export const TASK_ACTION_TYPES = ['page-oncall', 'open-ticket', 'start-meeting', 'post-status-update'] as const;
export type TaskActionType = (typeof TASK_ACTION_TYPES)[number];

/** What a status-update webhook can be told about. */
export const WEBHOOK_EVENTS = ['incident-started', 'status-update', 'incident-resolved'] as const;

export const OPSGENIE_PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'] as const;

/** What each placeholder stands for, wherever it is allowed. */
export const PLAYBOOK_PLACEHOLDER_DESCRIPTIONS = {
  id: 'the incident ID, e.g. "inc-4f2a"',
  seq: "the incident's sequence number in its team, e.g. 42",
  date: 'the day the incident was reported, YYYY-MM-DD',
  slug: 'the incident name in lower case with "-" between words, shortened to fit',
  name: 'the incident name as written',
  summary: 'the summary given when the incident was reported',
  severity: 'the current severity, e.g. "sev2"',
  status: 'the current status, e.g. "active"',
  commander: "the commander's @username",
  reporter: "the reporter's @username",
  playbook: "the playbook's title",
  ticket: 'the Jira issue key, once opened',
  meeting: 'the Zoom meeting link, once started',
  channel: "the incident channel's ~name",
  metrics: 'time to acknowledge and to resolve, how long it was open, status updates and tasks counted',
  timeline: "the timeline's highlights: status, commander and severity changes, status updates, notes",
  checklists: "each task's outcome: done, skipped or left open, and by whom",
} as const;
export type PlaybookPlaceholder = keyof typeof PLAYBOOK_PLACEHOLDER_DESCRIPTIONS;

/** Per template field (by its path), the placeholders it accepts: `{{id}}`, `{{ severity }}`… */
export const PLAYBOOK_TEMPLATE_PLACEHOLDERS = {
  'channel.nameTemplate': ['id', 'seq', 'date', 'slug', 'severity'],
  'channel.headerTemplate': ['id', 'seq', 'date', 'name', 'severity', 'status', 'commander', 'reporter', 'playbook', 'ticket', 'meeting'],
  'channel.purposeTemplate': ['id', 'seq', 'date', 'name', 'summary', 'severity', 'commander', 'reporter', 'playbook'],
  welcomeMessage: ['id', 'seq', 'date', 'name', 'summary', 'severity', 'status', 'commander', 'reporter', 'playbook', 'ticket', 'meeting', 'channel'],
  'statusUpdates.template': ['id', 'seq', 'date', 'name', 'severity', 'status', 'commander', 'playbook', 'ticket', 'meeting'],
  'retrospective.template': ['id', 'seq', 'date', 'name', 'summary', 'severity', 'commander', 'reporter', 'playbook', 'ticket', 'metrics', 'timeline', 'checklists'],
} as const satisfies Record<string, readonly PlaybookPlaceholder[]>;
export type PlaybookTemplateField = keyof typeof PLAYBOOK_TEMPLATE_PLACEHOLDERS;

/** The longest text a channel-name placeholder can become (`{{slug}}` is shortened to whatever room is left). */
export const CHANNEL_NAME_PLACEHOLDER_MAX_LENGTH = { id: 48, seq: 6, date: 10, slug: 0, severity: 64 } as const;

export const DEFAULT_CHANNEL_NAME_TEMPLATE = 'incident-{{id}}-{{slug}}';
export const DEFAULT_SIDEBAR_CATEGORY = 'Incidents';

// ---------------------------------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------------------------------

/** How a value is named in a message: `"soon"`, `30`, `true`, `a list`, `a mapping`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

const ALIASES: Record<string, string> = {
  items: 'tasks',
  steps: 'tasks',
  owner: 'assignee',
  role: 'assigneeRole',
  slashCommand: 'command',
  dueIn: 'due',
  dueAfter: 'due',
  broadcastChannel: 'broadcastChannels',
  webhookUrl: 'webhooks',
  webhook: 'webhooks',
  secret: 'secretEnv',
  hmacSecret: 'secretEnv',
  channelName: 'nameTemplate',
  name: 'nameTemplate',
  header: 'headerTemplate',
  purpose: 'purposeTemplate',
  category: 'sidebarCategory',
  commander: 'defaultCommander',
  members: 'invitees',
  invite: 'invitees',
  public: 'private',
};

/** The known word a misspelt one most likely meant, if any is close enough. */
export function closestWord(word: string, known: readonly string[]): string | undefined {
  const camel = word.replace(/[_-]+([a-z0-9])/gi, (_, c: string) => c.toUpperCase());
  const alias = ALIASES[camel];
  if (alias && known.includes(alias)) return alias;
  const exact = known.find((k) => k.toLowerCase() === word.toLowerCase() || k.toLowerCase() === camel.toLowerCase());
  if (exact) return exact;
  const extended = known.filter((k) => word.length >= 3 && k.toLowerCase().startsWith(word.toLowerCase()));
  if (extended.length === 1) return extended[0];
  let best: { word: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(camel.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { word: candidate, distance };
  }
  const allowed = word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3;
  return best && best.distance <= allowed ? best.word : undefined;
}

export function unknownFieldMessage(key: string, known: readonly string[]): string {
  if (/secret|token|password/i.test(key) && known.includes('secretEnv')) {
    return `unknown field "${key}": never put a secret in a playbook; name the environment variable that holds it in "secretEnv"`;
  }
  const guess = closestWord(key, known);
  return guess ? `unknown field "${key}" (did you mean "${guess}"?)` : `unknown field "${key}"; expected one of ${known.join(', ')}`;
}

const UNKNOWN_FIELD_SEPARATOR = '; ';

/** Zod's own message for a wrong type, in plainer words: "required" when missing, "expected X, got Y" otherwise. */
function typeError(expected: string) {
  return (issue: { code?: string; input?: unknown }) =>
    issue.code !== 'invalid_type' ? undefined : issue.input === undefined ? 'required' : `expected ${expected}, got ${describeValue(issue.input)}`;
}

/** A mapping that rejects unknown fields, naming each one (with the field it probably meant). */
function strict<S extends z.ZodRawShape>(shape: S, expected = 'a mapping') {
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

function text(max: number, empty = 'must not be empty') {
  return z
    .string({ error: typeError('text') })
    .trim()
    .min(1, empty)
    .max(max, { error: (issue) => `at most ${max} characters, got ${String(issue.input).length}` });
}

/** Long free text (markdown): not trimmed, may be empty. */
function longText(max: number) {
  return z
    .string({ error: typeError('text') })
    .max(max, { error: (issue) => `at most ${max} characters, got ${String(issue.input).length}` });
}

function list<T extends z.ZodType>(item: T, max: number, what: string) {
  return z
    .array(item, { error: typeError('a list') })
    .max(max, { error: (issue) => `at most ${max} ${what}, got ${(issue.input as unknown[]).length}` });
}

/** Rejects repeats in a list, at the repeat's position (or its field that repeats). */
function noRepeats<T>(key: (item: T) => string = String, field?: string) {
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

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: (issue) => (issue.input === undefined ? 'required' : `expected one of ${values.join(', ')}, got ${describeValue(issue.input)}`),
  });
}

const bool = () => z.boolean({ error: typeError('true or false') });

// ---------------------------------------------------------------------------------------------------------------------
// Field types
// ---------------------------------------------------------------------------------------------------------------------

const idSchema = z
  .string({ error: typeError('an ID') })
  .regex(ID_PATTERN, {
    error: (issue) =>
      `expected lower-case letters, digits, "-" or "_" (at most 64, starting with a letter or digit), got ${describeValue(issue.input)}`,
  });

const NAME_PATTERN = /^@?[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A Mattermost username, with or without "@"; kept lower case without the "@". */
const userSchema = z
  .string({ error: typeError('a username') })
  .trim()
  .regex(NAME_PATTERN, {
    error: (issue) =>
      `expected a Mattermost username like "alice" or "@alice" (letters, digits, ".", "-", "_"), got ${describeValue(issue.input)}`,
  })
  .transform((name) => name.replace(/^@/, '').toLowerCase());

/** A Mattermost user group's name (as mentioned: "@sre"), with or without "@"; kept lower case without the "@". */
const groupSchema = z
  .string({ error: typeError('a group name') })
  .trim()
  .regex(NAME_PATTERN, {
    error: (issue) => `expected a Mattermost group name like "sre" or "@sre" (letters, digits, ".", "-", "_"), got ${describeValue(issue.input)}`,
  })
  .transform((name) => name.replace(/^@/, '').toLowerCase());

const CHANNEL_REF_PATTERN = /^~?[a-z0-9][a-z0-9_-]{0,62}[a-z0-9]$/;

/** A channel in the playbook's team, by name (the last part of its URL), with or without "~". */
const channelRefSchema = z
  .string({ error: typeError('a channel name') })
  .trim()
  .regex(CHANNEL_REF_PATTERN, {
    error: (issue) =>
      `expected a channel name (the last part of its URL) like "incidents": 2 to 64 lower-case letters, digits, "-" or "_", got ${describeValue(issue.input)}`,
  })
  .transform((name) => name.replace(/^~/, ''));

const durationSchema = z
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

function templateSchema(field: PlaybookTemplateField, max: number) {
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

const channelNameTemplateSchema = text(200)
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

const COMMANDER_PATTERN = /^(?:reporter|oncall|@[A-Za-z0-9][A-Za-z0-9._-]{0,63})$/;

/** "reporter", "oncall", or a named user written with "@" (so that a user called "reporter" stays possible). */
const defaultCommanderSchema = z
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

/**
 * A webhook's secret lives in a variable whose name starts with this, and the worker reads no other (see
 * activities/webhooks.ts): the playbook author picks the name, and the worker's environment holds the service's own
 * credentials too, which an author must not be able to have it sign with.
 */
export const WEBHOOK_SECRET_ENV_PREFIX = 'INCIDENT_WEBHOOK_SECRET_';
const WEBHOOK_SECRET_ENV_PATTERN = /^INCIDENT_WEBHOOK_SECRET_[A-Z0-9_]{1,100}$/;
const WEBHOOK_SECRET_ENV_EXAMPLE = `${WEBHOOK_SECRET_ENV_PREFIX}OPS`;
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
function secretEnvMessage(input: unknown): string {
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

const webhookUrlSchema = z
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

// ---------------------------------------------------------------------------------------------------------------------
// The schema
// ---------------------------------------------------------------------------------------------------------------------

export const playbookTaskSchema = strict({
  /** Unique across the playbook; filled in by position when absent. */
  id: idSchema.optional(),
  title: text(PLAYBOOK_LIMITS.title, 'a task needs a title'),
  /** Markdown shown under the task. */
  description: longText(PLAYBOOK_LIMITS.description).optional(),
  /** A Mattermost username (with or without @) who owns the task from the start. */
  assignee: userSchema.optional().describe('A Mattermost username who owns the task from the start (not with assigneeRole).'),
  /** Who owns the task, by role, resolved when the incident starts. */
  assigneeRole: oneOf(TASK_ASSIGNEE_ROLES).optional().describe('Who owns the task by role: commander, reporter or oncall (not with assignee).'),
  /** A slash command the task's Run button executes in the incident channel, e.g. "/jira create". */
  command: z
    .string({ error: typeError('a slash command') })
    .trim()
    .regex(/^\/\S+/, 'a task command starts with "/", like "/jira create"')
    .max(512, { error: (issue) => `at most 512 characters, got ${String(issue.input).length}` })
    .optional()
    .describe('A slash command the Run button executes in the incident channel, e.g. "/jira create" (not with action).'),
  /** A built-in action the Run button performs instead of a slash command. */
  action: strict({ type: oneOf(TASK_ACTION_TYPES) }, 'a mapping like { type: page-oncall }')
    .optional()
    .describe('A built-in action the Run button performs: page-oncall, open-ticket, start-meeting, post-status-update (not with command).'),
  /** When the task is due, counted from the incident's start. */
  due: durationSchema.optional().describe('When the task is due, counted from the start of the incident, e.g. "30m", "2h", "1d".'),
}).superRefine(
  (task, ctx) => {
    const t = task as Record<string, unknown>;
    if (t.assignee !== undefined && t.assigneeRole !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['assigneeRole'], message: 'give either assignee or assigneeRole, not both' });
    }
    if (t.command !== undefined && t.action !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['action'], message: 'give either command or action, not both' });
    }
  },
  { when: (payload) => isRecord(payload.value) },
);

export const playbookChecklistSchema = strict({
  id: idSchema.optional(),
  title: text(PLAYBOOK_LIMITS.title, 'a checklist needs a title'),
  description: longText(PLAYBOOK_LIMITS.description).optional(),
  tasks: list(playbookTaskSchema, PLAYBOOK_LIMITS.tasksPerChecklist, 'tasks per checklist').default([]).describe('The tasks, in order (at most 100).'),
});

/** What the incident does in Jira: open an issue at start, comment (and maybe transition) at resolve. */
export const playbookJiraSchema = strict({
  enabled: bool().default(true).describe('Open a Jira issue when the incident starts.'),
  /** Project key; the JIRA_PROJECT setting when absent. */
  project: z
    .string({ error: typeError('a Jira project key') })
    .regex(/^[A-Z][A-Z0-9_]{1,9}$/, { error: (issue) => `expected a Jira project key like "OPS", got ${describeValue(issue.input)}` })
    .optional()
    .describe('Project key, e.g. "OPS"; the JIRA_PROJECT setting when absent.'),
  /** Issue type name; the JIRA_ISSUE_TYPE setting when absent. */
  issueType: text(60).optional().describe('Issue type name, e.g. "Incident"; the JIRA_ISSUE_TYPE setting when absent.'),
  labels: list(z.string({ error: typeError('a label') }).regex(/^[^\s]{1,100}$/, 'a Jira label has no spaces'), PLAYBOOK_LIMITS.jiraLabels, 'labels')
    .superRefine(noRepeats())
    .default([])
    .describe('Labels set on the issue (no spaces).'),
  /** Jira component names set on the issue. */
  components: list(text(255), PLAYBOOK_LIMITS.jiraComponents, 'components')
    .superRefine(noRepeats())
    .default([])
    .describe('Component names set on the issue.'),
  commentOnResolve: bool().default(true).describe('Comment on the issue with the resolution when the incident is resolved.'),
  /** Name of the transition (or target status) to move the issue through when the incident is resolved. */
  transitionOnResolve: text(60).optional().describe('Transition (or target status) to move the issue through when the incident is resolved.'),
});

export const playbookZoomSchema = strict({
  enabled: bool().default(true).describe('Start a Zoom meeting when the incident starts and post its link.'),
  /** The Zoom user (by email) who hosts the meeting; the ZOOM_HOST_USER setting when absent. */
  host: z
    .email({ error: (issue) => `expected the email address of a Zoom user, got ${describeValue(issue.input)}` })
    .optional()
    .describe('Email of the Zoom user who hosts the meeting; the ZOOM_HOST_USER setting when absent.'),
});

export const playbookOpsgenieSchema = strict({
  /** Schedule name whose on-call people are looked up; the OPSGENIE_SCHEDULE setting when absent. */
  schedule: text(200).optional().describe('Schedule whose on-call people are looked up; the OPSGENIE_SCHEDULE setting when absent.'),
  inviteOnCall: bool().default(true).describe('Invite whoever is on call to the incident channel.'),
  /** Page the on-call with an Opsgenie alert (alias = incident ID), closed again when the incident resolves. */
  page: bool().default(false).describe('Page the on-call with an Opsgenie alert, closed again when the incident resolves.'),
  priority: oneOf(OPSGENIE_PRIORITIES).default('P3').describe('Priority of the page, P1 (highest) to P5.'),
});

export const playbookChannelSchema = strict({
  nameTemplate: channelNameTemplateSchema.default(DEFAULT_CHANNEL_NAME_TEMPLATE),
  private: bool().default(false).describe('Create the incident channel as a private channel.'),
  headerTemplate: templateSchema('channel.headerTemplate', PLAYBOOK_LIMITS.headerTemplate).optional(),
  purposeTemplate: templateSchema('channel.purposeTemplate', PLAYBOOK_LIMITS.purposeTemplate).optional(),
  sidebarCategory: z
    .union([text(64), z.literal(false)], {
      error: (issue) => `expected a sidebar category name, or false to leave the channel uncategorised, got ${describeValue(issue.input)}`,
    })
    .default(DEFAULT_SIDEBAR_CATEGORY)
    .describe('The sidebar category the channel is put in for its members, or false for none.'),
});

const audienceSchema = strict(
  {
  users: list(userSchema, PLAYBOOK_LIMITS.users, 'users').superRefine(noRepeats()).default([]).describe('Mattermost usernames.'),
  groups: list(groupSchema, PLAYBOOK_LIMITS.groups, 'groups').superRefine(noRepeats()).default([]).describe('Mattermost user group names.'),
  },
  'a mapping like { users: [alice], groups: [sre] }',
);

export const playbookWebhookSchema = strict({
  url: webhookUrlSchema.describe('An http(s) URL the event is POSTed to as JSON.'),
  /** The NAME of the environment variable holding the HMAC secret the payload is signed with; never the secret. */
  secretEnv: z
    .string({ error: typeError('the name of an environment variable') })
    .regex(WEBHOOK_SECRET_ENV_PATTERN, { error: (issue) => secretEnvMessage(issue.input) })
    .optional()
    .describe(
      `Name of the environment variable holding the HMAC secret that signs the payload, starting with ${WEBHOOK_SECRET_ENV_PREFIX} (like ${WEBHOOK_SECRET_ENV_EXAMPLE}); never the secret itself.`,
    ),
  events: list(oneOf(WEBHOOK_EVENTS), WEBHOOK_EVENTS.length, 'events')
    .min(1, 'name at least one event')
    .superRefine(noRepeats())
    .default(['status-update'])
    .describe('What the webhook is told about: incident-started, status-update, incident-resolved.'),
});

export const playbookStatusUpdatesSchema = strict({
  enabled: bool().default(true).describe('Whether the incident takes status updates at all.'),
  /** How long after the last update the commander is reminded to post another; no reminder when absent. */
  reminder: durationSchema.optional().describe('Remind the commander to post an update this long after the last one, e.g. "30m"; no reminders when absent.'),
  template: templateSchema('statusUpdates.template', PLAYBOOK_LIMITS.template).optional(),
  broadcastChannels: list(channelRefSchema, PLAYBOOK_LIMITS.broadcastChannels, 'channels')
    .superRefine(noRepeats())
    .default([])
    .describe('Channels (by name) every status update is copied to.'),
  webhooks: list(playbookWebhookSchema, PLAYBOOK_LIMITS.webhooks, 'webhooks')
    .superRefine(noRepeats((webhook) => webhook.url, 'url'))
    .default([])
    .describe('URLs told about status updates (and, if asked, the start and resolution).'),
});

export const playbookRetrospectiveSchema = strict({
  enabled: bool().default(true).describe('Ask for a retrospective once the incident is resolved.'),
  /** The retrospective document's starting text; the built-in template when absent. */
  template: templateSchema('retrospective.template', PLAYBOOK_LIMITS.template).optional(),
  /** How often the commander is reminded to fill in the retrospective after resolution; once when absent. */
  reminder: durationSchema.optional().describe('Remind the commander this often until the retrospective is published; once when absent.'),
});

export const playbookAlertsSchema = strict({
  autoResolve: bool()
    .default(false)
    .describe("Resolve an incident started by an alert when its alert group's resolved notification arrives."),
});

export const playbookPermissionsSchema = strict({
  edit: audienceSchema.prefault({}).describe('Who may edit the playbook; everyone in the team when both lists are empty.'),
  run: audienceSchema.prefault({}).describe('Who may start an incident from it; everyone in the team when both lists are empty.'),
});

export const playbookSchema = strict(
  {
    /** Editors' hint in JSON files (`"$schema": "./schema/playbook.schema.json"`); ignored otherwise. */
    $schema: z.string().optional(),
    id: idSchema.describe('The playbook slug: lower-case letters, digits, "-" or "_", e.g. "service-outage".'),
    title: text(PLAYBOOK_LIMITS.title, 'a playbook needs a title').describe('The name people pick the playbook by.'),
    description: longText(PLAYBOOK_LIMITS.description).optional().describe('What the playbook is for (markdown).'),
    /** The Mattermost team (its name, as in URLs) the playbook belongs to; any team when absent. */
    team: z
      .string({ error: typeError('a team name') })
      .regex(ID_PATTERN, { error: (issue) => `expected a Mattermost team name (as in its URL) like "platform", got ${describeValue(issue.input)}` })
      .optional()
      .describe('The Mattermost team (its URL name) the playbook belongs to; any team when absent.'),
    version: z
      .number({ error: typeError('a whole number') })
      .int({ error: (issue) => `expected a whole number, got ${describeValue(issue.input)}` })
      .positive({ error: (issue) => `expected a number from 1 up, got ${describeValue(issue.input)}` })
      .default(1)
      .describe('Version of the definition; the store counts versions itself, so files rarely set it.'),
    severities: list(idSchema, PLAYBOOK_LIMITS.severities, 'severities')
      .min(1, 'name at least one severity')
      .superRefine(noRepeats())
      .default([...DEFAULT_SEVERITIES])
      .describe('Severity levels, most severe first.'),
    /** The severity of a new incident; the third severity (or the last, if fewer) when absent. */
    defaultSeverity: idSchema.optional().describe('Severity of a new incident; the third severity (or the last, if fewer) when absent.'),
    defaultCommander: defaultCommanderSchema.default('reporter'),
    channel: playbookChannelSchema.prefault({}),
    /** Who is added to the channel at start (besides the reporter, the commander and, if enabled, the on-call). */
    invitees: audienceSchema.prefault({}).describe('Who is added to the channel at start (besides the reporter, the commander and the on-call).'),
    /** Sent to everyone who joins the incident channel. */
    welcomeMessage: templateSchema('welcomeMessage', PLAYBOOK_LIMITS.template).optional(),
    checklists: list(playbookChecklistSchema, PLAYBOOK_LIMITS.checklists, 'checklists')
      .default([])
      .describe('Checklists of tasks, in order (at most 20).'),
    statusUpdates: playbookStatusUpdatesSchema.prefault({}),
    retrospective: playbookRetrospectiveSchema.prefault({}),
    jira: playbookJiraSchema.prefault({}),
    zoom: playbookZoomSchema.prefault({}),
    opsgenie: playbookOpsgenieSchema.prefault({}),
    /** What alerts from monitoring (Alertmanager, the generic endpoint) may do to an incident started from them. */
    alerts: playbookAlertsSchema.prefault({}),
    /** Words that, posted in a channel, prompt people to start this playbook. */
    keywords: list(text(64), PLAYBOOK_LIMITS.keywords, 'keywords')
      .superRefine(noRepeats((keyword) => keyword.toLowerCase()))
      .default([])
      .describe('Words that, posted in a channel, suggest starting this playbook.'),
    permissions: playbookPermissionsSchema.prefault({}).describe('Who may edit and who may run the playbook.'),
    /** Archive the incident channel when the incident is closed. */
    archiveChannelOnClose: bool().default(false).describe('Archive the incident channel when the incident is closed.'),
  },
  'a playbook: a mapping with at least "id" and "title"',
)
  .superRefine((playbook, ctx) => checkPlaybook(playbook, ctx), { when: (payload) => isRecord(payload.value) })
  .meta({
    title: 'Incident playbook',
    description: 'What an incident does from the moment it is reported: channel, people, integrations, checklists, reminders.',
  });

export type PlaybookDefinition = z.input<typeof playbookSchema>;
export type Playbook = z.output<typeof playbookSchema>;
export type PlaybookTask = z.output<typeof playbookTaskSchema>;

// ---------------------------------------------------------------------------------------------------------------------
// Checks across fields. They run even when other fields are broken, so they read the value defensively.
// ---------------------------------------------------------------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function records(value: unknown): Array<Record<string, unknown> | undefined> {
  return Array.isArray(value) ? value.map((item) => (isRecord(item) ? item : undefined)) : [];
}

function checkPlaybook(playbook: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const severities =
    Array.isArray(playbook.severities) && playbook.severities.every((s) => typeof s === 'string')
      ? (playbook.severities as string[])
      : undefined;
  if (typeof playbook.defaultSeverity === 'string' && severities && !severities.includes(playbook.defaultSeverity)) {
    ctx.addIssue({
      code: 'custom',
      path: ['defaultSeverity'],
      message: `"${playbook.defaultSeverity}" is not one of the severities (${severities.join(', ')})`,
    });
  }

  const channel = isRecord(playbook.channel) ? playbook.channel : undefined;
  if (channel && typeof channel.nameTemplate === 'string') {
    const longestSeverity = Math.max(...(severities ?? DEFAULT_SEVERITIES).map((s) => s.length));
    const max = channelNameTemplateMaxLength(channel.nameTemplate.trim(), longestSeverity);
    if (max > PLAYBOOK_LIMITS.channelName) {
      ctx.addIssue({
        code: 'custom',
        path: ['channel', 'nameTemplate'],
        message: `can make a name of ${max} characters (counting {{id}} as 48, {{seq}} as 6, {{date}} as 10, {{severity}} as ${longestSeverity}); a channel name has at most ${PLAYBOOK_LIMITS.channelName}`,
      });
    }
  }

  const integrationOff = (section: string): boolean => isRecord(playbook[section]) && playbook[section].enabled === false;
  const seen = new Map<string, string>();
  records(playbook.checklists).forEach((checklist, c) => {
    if (!checklist) return;
    const ids: Array<[unknown, (string | number)[]]> = [[checklist.id, ['checklists', c, 'id']]];
    records(checklist.tasks).forEach((task, t) => {
      if (!task) return;
      ids.push([task.id, ['checklists', c, 'tasks', t, 'id']]);
      const action = isRecord(task.action) ? task.action.type : undefined;
      const needs: Record<string, [string, string]> = {
        'open-ticket': ['jira', 'opens a Jira issue'],
        'start-meeting': ['zoom', 'starts a Zoom meeting'],
        'post-status-update': ['statusUpdates', 'asks for a status update'],
      };
      const need = typeof action === 'string' ? needs[action] : undefined;
      if (need && integrationOff(need[0])) {
        ctx.addIssue({
          code: 'custom',
          path: ['checklists', c, 'tasks', t, 'action', 'type'],
          message: `"${action}" ${need[1]}, but ${need[0]}.enabled is false`,
        });
      }
    });
    for (const [id, path] of ids) {
      if (typeof id !== 'string' || !ID_PATTERN.test(id)) continue;
      const first = seen.get(id);
      if (first) ctx.addIssue({ code: 'custom', path, message: `id "${id}" is already used at ${first}` });
      else seen.set(id, formatPlaybookPath(path));
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// Validation with readable problems
// ---------------------------------------------------------------------------------------------------------------------

export interface PlaybookProblem {
  /** Where, in bracket style: `checklists[1].tasks[3].due`; empty for the playbook as a whole. */
  path: string;
  /** A plain reason, e.g. `expected a duration like "30m", got "soon"`. */
  message: string;
}

export type PlaybookValidation = { ok: true; playbook: Playbook } | { ok: false; problems: PlaybookProblem[] };

/** `checklists[1].tasks[3].due` from ['checklists', 1, 'tasks', 3, 'due']. */
export function formatPlaybookPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

/** Every problem of a zod error on a playbook, one per unknown field, with bracket-style paths. */
export function playbookProblems(error: z.ZodError): PlaybookProblem[] {
  const problems: PlaybookProblem[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const messages = issue.message.split(UNKNOWN_FIELD_SEPARATOR + 'unknown field');
      issue.keys.forEach((key, i) => {
        const message = messages.length === issue.keys.length ? (i === 0 ? messages[0]! : `unknown field${messages[i]}`) : `unknown field "${key}"`;
        problems.push({ path: formatPlaybookPath([...issue.path, key]), message });
      });
    } else {
      problems.push({ path: formatPlaybookPath(issue.path), message: issue.message });
    }
  }
  return problems;
}

/** Validates a playbook definition, reporting every problem at once. */
export function validatePlaybook(input: unknown): PlaybookValidation {
  const parsed = playbookSchema.safeParse(input);
  return parsed.success ? { ok: true, playbook: parsed.data } : { ok: false, problems: playbookProblems(parsed.error) };
}

/** One line per problem: `path: message` (just the message for the playbook as a whole). */
export function formatPlaybookProblems(problems: readonly PlaybookProblem[]): string {
  return problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('\n');
}

/** Parses a playbook definition; on failure the error lists every problem with its path. */
export function parsePlaybook(input: unknown): Playbook {
  return playbookSchema.parse(input);
}

// ---------------------------------------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------------------------------
// The snapshot an incident runs
// ---------------------------------------------------------------------------------------------------------------------

export type PlaybookCommander = { type: 'reporter' } | { type: 'oncall' } | { type: 'user'; username: string };

export interface PlaybookTaskSnapshot {
  id: string;
  title: string;
  description?: string;
  /** A plain Mattermost username. */
  assignee?: string;
  assigneeRole?: TaskAssigneeRole;
  command?: string;
  action?: { type: TaskActionType };
  /** Due this long after the incident started. */
  dueAfterMs?: number;
}

/**
 * What the incident keeps of its playbook: everything it needs to run, with every ID filled in. Fields marked "newer"
 * are absent from snapshots taken before the full definition language (incidents already running carry those).
 */
export interface PlaybookSnapshot {
  id: string;
  title: string;
  version: number;
  severities: string[];
  defaultSeverity: string;
  channel: {
    private: boolean;
    /** Newer. */
    nameTemplate?: string;
    headerTemplate?: string;
    purposeTemplate?: string;
    /** Newer; false = no sidebar category. */
    sidebarCategory?: string | false;
  };
  jira: Omit<z.output<typeof playbookJiraSchema>, 'components'> & { /** Newer. */ components?: string[] };
  zoom: z.output<typeof playbookZoomSchema>;
  opsgenie: z.output<typeof playbookOpsgenieSchema>;
  checklists: Array<{ id: string; title: string; tasks: PlaybookTaskSnapshot[] }>;
  /** Newer. */
  team?: string;
  /** Newer. */
  defaultCommander?: PlaybookCommander;
  /** Newer. */
  invitees?: { users: string[]; groups: string[] };
  /** Newer. */
  welcomeMessage?: string;
  /** Newer. */
  statusUpdates?: {
    enabled: boolean;
    reminderIntervalMs?: number;
    template?: string;
    broadcastChannels: string[];
    webhooks: Array<{ url: string; secretEnv?: string; events: Array<(typeof WEBHOOK_EVENTS)[number]> }>;
  };
  /** Newer. */
  retrospective?: { enabled: boolean; template?: string; reminderIntervalMs?: number };
  /** Newer. */
  archiveChannelOnClose?: boolean;
  /** Newer. */
  alerts?: { autoResolve: boolean };
}

function commanderOf(value: string): PlaybookCommander {
  if (value === 'reporter' || value === 'oncall') return { type: value };
  return { type: 'user', username: value.replace(/^@/, '') };
}

/** Fills in the IDs a playbook author left out, by position ("checklist-2", "checklist-2-task-3"). */
/** The level a new incident gets when none is chosen: the playbook's default, else its third level (or its last). */
export function defaultSeverityOf(playbook: Pick<Playbook, 'severities' | 'defaultSeverity'>): string {
  return playbook.defaultSeverity ?? playbook.severities[Math.min(2, playbook.severities.length - 1)]!;
}

export function snapshotPlaybook(playbook: Playbook): PlaybookSnapshot {
  const taken = new Set<string>();
  for (const checklist of playbook.checklists) {
    if (checklist.id) taken.add(checklist.id);
    for (const task of checklist.tasks) if (task.id) taken.add(task.id);
  }
  const unique = (base: string): string => {
    let candidate = base;
    for (let n = 2; taken.has(candidate); n++) candidate = `${base}-${n}`;
    taken.add(candidate);
    return candidate;
  };
  const ms = (duration: string | undefined): number | undefined => (duration === undefined ? undefined : parseDuration(duration));
  const { statusUpdates: updates, retrospective: retro } = playbook;
  const reminderMs = ms(updates.reminder);
  const retroReminderMs = ms(retro.reminder);
  return {
    id: playbook.id,
    title: playbook.title,
    version: playbook.version,
    severities: playbook.severities,
    defaultSeverity: defaultSeverityOf(playbook),
    channel: {
      private: playbook.channel.private,
      nameTemplate: playbook.channel.nameTemplate,
      ...(playbook.channel.headerTemplate !== undefined ? { headerTemplate: playbook.channel.headerTemplate } : {}),
      ...(playbook.channel.purposeTemplate !== undefined ? { purposeTemplate: playbook.channel.purposeTemplate } : {}),
      sidebarCategory: playbook.channel.sidebarCategory,
    },
    jira: playbook.jira,
    zoom: playbook.zoom,
    opsgenie: playbook.opsgenie,
    checklists: playbook.checklists.map((checklist, c) => {
      const checklistId = checklist.id ?? unique(`checklist-${c + 1}`);
      return {
        id: checklistId,
        title: checklist.title,
        tasks: checklist.tasks.map((task, t) => {
          const dueAfterMs = ms(task.due);
          return {
            id: task.id ?? unique(`${checklistId}-task-${t + 1}`),
            title: task.title,
            ...(task.description ? { description: task.description } : {}),
            ...(task.assignee ? { assignee: task.assignee } : {}),
            ...(task.assigneeRole ? { assigneeRole: task.assigneeRole } : {}),
            ...(task.command ? { command: task.command } : {}),
            ...(task.action ? { action: { type: task.action.type } } : {}),
            ...(dueAfterMs !== undefined ? { dueAfterMs } : {}),
          };
        }),
      };
    }),
    ...(playbook.team ? { team: playbook.team } : {}),
    defaultCommander: commanderOf(playbook.defaultCommander),
    invitees: { users: playbook.invitees.users, groups: playbook.invitees.groups },
    ...(playbook.welcomeMessage ? { welcomeMessage: playbook.welcomeMessage } : {}),
    statusUpdates: {
      enabled: updates.enabled,
      ...(reminderMs !== undefined ? { reminderIntervalMs: reminderMs } : {}),
      ...(updates.template !== undefined ? { template: updates.template } : {}),
      broadcastChannels: updates.broadcastChannels,
      webhooks: updates.webhooks.map((webhook) => ({
        url: webhook.url,
        ...(webhook.secretEnv ? { secretEnv: webhook.secretEnv } : {}),
        events: webhook.events,
      })),
    },
    retrospective: {
      enabled: retro.enabled,
      ...(retro.template !== undefined ? { template: retro.template } : {}),
      ...(retroReminderMs !== undefined ? { reminderIntervalMs: retroReminderMs } : {}),
    },
    archiveChannelOnClose: playbook.archiveChannelOnClose,
    alerts: { autoResolve: playbook.alerts.autoResolve },
  };
}
