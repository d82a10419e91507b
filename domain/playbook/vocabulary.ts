/**
 * The playbook language's words and limits: the ID rule, size limits, task roles and actions, webhook events, Opsgenie
 * priorities, and which placeholders each template field accepts.
 */

/** IDs appear in URLs, slash commands and button payloads, so they stay short, lower-case and URL-safe. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

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
