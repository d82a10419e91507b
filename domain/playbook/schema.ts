/**
 * The zod schema of a playbook, section by section, and the types it gives: `Playbook` is the definition as written
 * with every default filled in (what the store keeps and export writes; parsing it again gives it back unchanged).
 */
import { z } from 'zod';
import { checkPlaybook, isRecord } from './checks.js';
import { DEFAULT_CHANNEL_NAME_TEMPLATE, DEFAULT_SEVERITIES, DEFAULT_SIDEBAR_CATEGORY } from './defaults.js';
import {
  bool,
  channelRefSchema,
  defaultCommanderSchema,
  durationSchema,
  groupSchema,
  idSchema,
  list,
  longText,
  noRepeats,
  oneOf,
  strict,
  text,
  typeError,
  userSchema,
  webhookUrlSchema,
} from './fields.js';
import { describeValue } from './messages.js';
import { channelNameTemplateSchema, templateSchema } from './templates.js';
import { ID_PATTERN, OPSGENIE_PRIORITIES, PLAYBOOK_LIMITS, TASK_ACTION_TYPES, TASK_ASSIGNEE_ROLES, WEBHOOK_EVENTS } from './vocabulary.js';
import { secretEnvMessage, WEBHOOK_SECRET_ENV_EXAMPLE, WEBHOOK_SECRET_ENV_PATTERN, WEBHOOK_SECRET_ENV_PREFIX } from './webhook-secret-env.js';

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
