/**
 * The playbook as an incident sees it: the snapshot copied into the workflow's input at start, so that editing the
 * playbook later never changes a running incident. This is the minimal schema (checklists of tasks); the full definition
 * language (channel templates, integrations, reminders, permissions) extends it.
 */
import { z } from 'zod';

/** IDs appear in URLs, slash commands and button payloads, so they stay short, lower-case and URL-safe. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const idSchema = z
  .string()
  .regex(ID_PATTERN, 'expected lower-case letters, digits, "-" or "_" (at most 64, starting with a letter or digit)');

export const DEFAULT_SEVERITIES = ['sev1', 'sev2', 'sev3', 'sev4'] as const;

export const playbookTaskSchema = z.object({
  id: idSchema.optional(),
  title: z.string().trim().min(1, 'a task needs a title').max(200),
  description: z.string().max(4000).optional(),
  /** A Mattermost username (without @) who owns the task from the start. */
  assignee: z.string().trim().min(1).max(64).optional(),
  /** A slash command the task's Run button executes in the incident channel, e.g. "/jira create". */
  command: z
    .string()
    .trim()
    .regex(/^\/\S+/, 'a task command starts with "/", like "/jira create"')
    .max(512)
    .optional(),
});

export const playbookChecklistSchema = z.object({
  id: idSchema.optional(),
  title: z.string().trim().min(1, 'a checklist needs a title').max(200),
  tasks: z.array(playbookTaskSchema).max(100, 'at most 100 tasks per checklist').default([]),
});

/** What the incident does in Jira: open an issue at start, comment (and maybe transition) at resolve. */
export const playbookJiraSchema = z.object({
  enabled: z.boolean().default(true),
  /** Project key; the JIRA_PROJECT setting when absent. */
  project: z.string().regex(/^[A-Z][A-Z0-9_]{1,9}$/, 'expected a Jira project key like "OPS"').optional(),
  /** Issue type name; the JIRA_ISSUE_TYPE setting when absent. */
  issueType: z.string().trim().min(1).max(60).optional(),
  labels: z.array(z.string().regex(/^[^\s]{1,100}$/, 'a Jira label has no spaces')).max(20).default([]),
  commentOnResolve: z.boolean().default(true),
  /** Name of the transition (or target status) to move the issue through when the incident is resolved. */
  transitionOnResolve: z.string().trim().min(1).max(60).optional(),
});

export const playbookZoomSchema = z.object({ enabled: z.boolean().default(true) });

export const playbookOpsgenieSchema = z.object({
  /** Schedule name whose on-call people are looked up; the OPSGENIE_SCHEDULE setting when absent. */
  schedule: z.string().trim().min(1).max(200).optional(),
  inviteOnCall: z.boolean().default(true),
  /** Page the on-call with an Opsgenie alert (alias = incident ID), closed again when the incident resolves. */
  page: z.boolean().default(false),
  priority: z.enum(['P1', 'P2', 'P3', 'P4', 'P5']).default('P3'),
});

export const playbookSchema = z
  .object({
    id: idSchema,
    title: z.string().trim().min(1).max(200),
    description: z.string().max(4000).optional(),
    version: z.number().int().positive().default(1),
    severities: z.array(idSchema).min(1).max(10).default([...DEFAULT_SEVERITIES]),
    defaultSeverity: idSchema.optional(),
    channel: z.object({ private: z.boolean().default(false) }).default({ private: false }),
    jira: playbookJiraSchema.prefault({}),
    zoom: playbookZoomSchema.prefault({}),
    opsgenie: playbookOpsgenieSchema.prefault({}),
    checklists: z.array(playbookChecklistSchema).max(20, 'at most 20 checklists').default([]),
  })
  .superRefine((playbook, ctx) => {
    if (playbook.defaultSeverity && !playbook.severities.includes(playbook.defaultSeverity)) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultSeverity'],
        message: `"${playbook.defaultSeverity}" is not one of the severities (${playbook.severities.join(', ')})`,
      });
    }
    const seen = new Map<string, string>();
    playbook.checklists.forEach((checklist, c) => {
      const ids: Array<[string | undefined, (string | number)[]]> = [
        [checklist.id, ['checklists', c, 'id']],
        ...checklist.tasks.map((task, t): [string | undefined, (string | number)[]] => [
          task.id,
          ['checklists', c, 'tasks', t, 'id'],
        ]),
      ];
      for (const [id, path] of ids) {
        if (!id) continue;
        const where = path.join('.');
        const first = seen.get(id);
        if (first) ctx.addIssue({ code: 'custom', path, message: `id "${id}" is already used at ${first}` });
        else seen.set(id, where);
      }
    });
  });

export type PlaybookDefinition = z.input<typeof playbookSchema>;
export type Playbook = z.output<typeof playbookSchema>;

/** What the incident keeps of its playbook: everything it needs to run, with every ID filled in. */
export interface PlaybookSnapshot {
  id: string;
  title: string;
  version: number;
  severities: string[];
  defaultSeverity: string;
  channel: { private: boolean };
  jira: z.output<typeof playbookJiraSchema>;
  zoom: z.output<typeof playbookZoomSchema>;
  opsgenie: z.output<typeof playbookOpsgenieSchema>;
  checklists: Array<{
    id: string;
    title: string;
    tasks: Array<{ id: string; title: string; description?: string; assignee?: string; command?: string }>;
  }>;
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
  return {
    id: playbook.id,
    title: playbook.title,
    version: playbook.version,
    severities: playbook.severities,
    defaultSeverity: playbook.defaultSeverity ?? playbook.severities[Math.min(2, playbook.severities.length - 1)]!,
    channel: { private: playbook.channel.private },
    jira: playbook.jira,
    zoom: playbook.zoom,
    opsgenie: playbook.opsgenie,
    checklists: playbook.checklists.map((checklist, c) => {
      const checklistId = checklist.id ?? unique(`checklist-${c + 1}`);
      return {
        id: checklistId,
        title: checklist.title,
        tasks: checklist.tasks.map((task, t) => ({
          id: task.id ?? unique(`${checklistId}-task-${t + 1}`),
          title: task.title,
          ...(task.description ? { description: task.description } : {}),
          ...(task.assignee ? { assignee: task.assignee } : {}),
          ...(task.command ? { command: task.command } : {}),
        })),
      };
    }),
  };
}

/** Parses a playbook definition; on failure the error lists every problem with its path. */
export function parsePlaybook(input: unknown): Playbook {
  return playbookSchema.parse(input);
}
