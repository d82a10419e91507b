/**
 * `PlaybookSnapshot`: what an incident copies of its playbook into its workflow input at start, so that editing the
 * playbook later never changes a running incident. Durations are turned into milliseconds and every ID is filled in.
 * Workflow code reads it, so it stays free of I/O.
 */
import type { z } from 'zod';
import { parseDuration } from '../duration.js';
import { defaultSeverityOf } from './defaults.js';
import type { Playbook, playbookJiraSchema, playbookOpsgenieSchema, playbookZoomSchema } from './schema.js';
import type { TaskActionType, TaskAssigneeRole, WEBHOOK_EVENTS } from './vocabulary.js';

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
