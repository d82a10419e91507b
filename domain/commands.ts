/**
 * Every change to an incident, defined once: its payload schema, the check that decides whether the current state allows
 * it, and the state transition. The workflow registers each of these twice (as an Update that answers the caller and as a
 * Signal of the same name for fire-and-forget callers); the API, the chat front door and scripts all send these names.
 */
import { z } from 'zod';
import { IncidentCommandError, invalidInput } from './errors.js';
import { applyAlertDelivery, recordAlertsPayloadSchema } from './alerts.js';
import { parseDuration } from './duration.js';
import { ACTION_LAUNCH_STEPS, LAUNCH_STEP_DEPENDENTS, LAUNCH_STEP_REFRESHES, LAUNCH_STEPS, type LaunchStepName } from './launch-steps.js';
import { enqueueWebhooks, FOLLOW_UP_KINDS, type FollowUpKind } from './follow-ups.js';
import { lastTimelineSeq, recordEvent } from './timeline.js';
import type { IncidentState, IncidentStatus, IncidentTask, TaskState } from './incident.js';
import { actorSchema, USERNAME_PATTERN, usernameSchema } from './people.js';
import type { TaskActionType } from './playbook.js';
import { draftRetrospective, MAX_RETROSPECTIVE_LENGTH } from './retrospective.js';
import { findChecklist, findTask } from './task-reference.js';

interface CommandDefinition<Schema extends z.ZodType> {
  /** One line for help texts and docs. */
  summary: string;
  payload: Schema;
  /** Throws IncidentCommandError when the state does not allow the command. Must not change the state. */
  check(state: IncidentState, payload: z.output<Schema>): void;
  apply(state: IncidentState, payload: z.output<Schema>, now: string): void;
}

function define<Schema extends z.ZodType>(definition: CommandDefinition<Schema>): CommandDefinition<Schema> {
  return definition;
}

const taskRef = z.string().trim().min(1, 'name the task by its number (like 1.2) or its ID').max(64);

function refuseWhenClosed(state: IncidentState): void {
  if (state.status === 'closed') {
    throw new IncidentCommandError('conflict', `incident ${state.id} is closed; nothing can change any more`);
  }
}

/** Refuses unless the status is one of `allowed`; `hints` say what to do instead, per current status. */
function requireStatus(
  state: IncidentState,
  allowed: IncidentStatus[],
  action: string,
  hints: Partial<Record<IncidentStatus, string>> = {},
): void {
  refuseWhenClosed(state);
  if (!allowed.includes(state.status)) {
    const hint = hints[state.status];
    throw new IncidentCommandError(
      'conflict',
      `cannot ${action} incident ${state.id}: it is ${state.status}${hint ? `; ${hint}` : ''}`,
    );
  }
}

function changeStatus(state: IncidentState, to: IncidentStatus, actor: string, now: string, why = ''): void {
  const from = state.status;
  state.status = to;
  recordEvent(state, now, 'status_changed', actor, `@${actor} changed the status from ${from} to ${to}${why}`, {
    from,
    to,
  });
}

function acknowledgeIfReported(state: IncidentState, actor: string, now: string, why: string): void {
  if (state.status !== 'reported') return;
  state.acknowledgedAt = now;
  changeStatus(state, 'active', actor, now, why);
}

function changeTaskState(
  state: IncidentState,
  task: IncidentTask,
  number: string,
  to: TaskState,
  actor: string,
  now: string,
  verb: string,
  extra = '',
): void {
  const from = task.state;
  task.state = to;
  task.stateChangedBy = actor;
  task.stateChangedAt = now;
  recordEvent(state, now, 'task_state_changed', actor, `@${actor} ${verb} task ${number} "${task.title}"${extra}`, {
    taskId: task.id,
    from,
    to,
  });
}

export const commands = {
  acknowledge: define({
    summary: 'Acknowledge the incident: someone is on it (reported → active).',
    payload: z.object({ actor: actorSchema }),
    check(state) {
      requireStatus(state, ['reported'], 'acknowledge', {
        active: 'it was already acknowledged',
        resolved: 'it was already acknowledged (reopen it if the impact is back)',
      });
    },
    apply(state, { actor }, now) {
      acknowledgeIfReported(state, actor, now, ' (acknowledged)');
    },
  }),

  completeTask: define({
    summary: 'Mark a task done.',
    payload: z.object({ taskId: taskRef, actor: actorSchema }),
    check(state, { taskId }) {
      refuseWhenClosed(state);
      const { task, number } = findTask(state, taskId);
      if (task.state === 'done') throw new IncidentCommandError('conflict', `task ${number} "${task.title}" is already done`);
    },
    apply(state, { taskId, actor }, now) {
      const { task, number } = findTask(state, taskId);
      changeTaskState(state, task, number, 'done', actor, now, 'completed');
    },
  }),

  reopenTask: define({
    summary: 'Reopen a task that was done or skipped.',
    payload: z.object({ taskId: taskRef, actor: actorSchema }),
    check(state, { taskId }) {
      refuseWhenClosed(state);
      const { task, number } = findTask(state, taskId);
      if (task.state === 'open' || task.state === 'in_progress') {
        throw new IncidentCommandError('conflict', `task ${number} "${task.title}" is not done or skipped; it is ${task.state}`);
      }
    },
    apply(state, { taskId, actor }, now) {
      const { task, number } = findTask(state, taskId);
      changeTaskState(state, task, number, 'open', actor, now, 'reopened');
    },
  }),

  skipTask: define({
    summary: 'Skip a task that does not apply to this incident.',
    payload: z.object({ taskId: taskRef, reason: z.string().trim().max(500).optional(), actor: actorSchema }),
    check(state, { taskId }) {
      refuseWhenClosed(state);
      const { task, number } = findTask(state, taskId);
      if (task.state === 'done' || task.state === 'skipped') {
        throw new IncidentCommandError('conflict', `task ${number} "${task.title}" is already ${task.state}`);
      }
    },
    apply(state, { taskId, reason, actor }, now) {
      const { task, number } = findTask(state, taskId);
      changeTaskState(state, task, number, 'skipped', actor, now, 'skipped', reason ? `: ${reason}` : '');
    },
  }),

  assignTask: define({
    summary: 'Assign a task to someone, or unassign it (assignee null).',
    payload: z.object({ taskId: taskRef, assignee: usernameSchema.nullable(), actor: actorSchema }),
    check(state, { taskId, assignee }) {
      refuseWhenClosed(state);
      const { task, number } = findTask(state, taskId);
      if ((task.assignee ?? null) === assignee) {
        throw new IncidentCommandError(
          'conflict',
          assignee ? `task ${number} is already assigned to @${assignee}` : `task ${number} is not assigned`,
        );
      }
    },
    apply(state, { taskId, assignee, actor }, now) {
      const { task, number } = findTask(state, taskId);
      if (assignee) task.assignee = assignee;
      else delete task.assignee;
      if (assignee && !state.participants.includes(assignee)) state.participants.push(assignee);
      const text = assignee
        ? `@${actor} assigned task ${number} "${task.title}" to @${assignee}`
        : `@${actor} unassigned task ${number} "${task.title}"`;
      recordEvent(state, now, 'task_assigned', actor, text, { taskId: task.id, assignee });
    },
  }),

  addTask: define({
    summary: 'Add a task to a checklist (named by number, ID or title).',
    payload: z.object({
      checklist: z.string().trim().min(1, 'name the checklist by its number, ID or title').max(200),
      title: z.string().trim().min(1, 'a task needs a title').max(200),
      description: z.string().max(4000).optional(),
      command: z.string().trim().regex(/^\/\S+/, 'a task command starts with "/"').max(512).optional(),
      assignee: usernameSchema.optional(),
      actor: actorSchema,
    }),
    check(state, { checklist }) {
      refuseWhenClosed(state);
      const found = findChecklist(state, checklist);
      if (found.checklist.tasks.length >= 100) {
        throw new IncidentCommandError('conflict', `checklist ${found.number} already has 100 tasks, the most it can hold`);
      }
    },
    apply(state, { checklist, title, description, command, assignee, actor }, now) {
      const found = findChecklist(state, checklist);
      const ids = new Set(state.checklists.flatMap((c) => c.tasks.map((task) => task.id)));
      let id = `added-${state.nextTaskNumber}`;
      while (ids.has(id)) id = `added-${++state.nextTaskNumber}`;
      state.nextTaskNumber += 1;
      const task: IncidentTask = {
        id,
        title,
        state: 'open',
        ...(description ? { description } : {}),
        ...(command ? { command } : {}),
        ...(assignee ? { assignee } : {}),
      };
      found.checklist.tasks.push(task);
      const number = `${found.number}.${found.checklist.tasks.length}`;
      recordEvent(state, now, 'task_added', actor, `@${actor} added task ${number} "${title}"`, { taskId: id });
    },
  }),

  changeCommander: define({
    summary: 'Hand the commander role to someone else (acknowledges a reported incident).',
    payload: z.object({ commander: usernameSchema, actor: actorSchema }),
    check(state, { commander }) {
      refuseWhenClosed(state);
      if (state.commander === commander) {
        throw new IncidentCommandError('conflict', `@${commander} is already the commander of incident ${state.id}`);
      }
    },
    apply(state, { commander, actor }, now) {
      const previous = state.commander;
      state.commander = commander;
      if (!state.participants.includes(commander)) state.participants.push(commander);
      recordEvent(state, now, 'commander_changed', actor, `@${actor} changed the commander from @${previous} to @${commander}`, {
        from: previous,
        to: commander,
      });
      acknowledgeIfReported(state, actor, now, ` (@${commander} took command)`);
    },
  }),

  setSeverity: define({
    summary: "Change the severity to one of the playbook's levels.",
    payload: z.object({ severity: z.string().trim().toLowerCase(), actor: actorSchema }),
    check(state, { severity }) {
      refuseWhenClosed(state);
      if (!state.playbook.severities.includes(severity)) {
        throw new IncidentCommandError(
          'invalid_input',
          `severity "${severity}" is not one of ${state.playbook.severities.join(', ')}`,
          [`severity: expected one of ${state.playbook.severities.join(', ')}`],
        );
      }
      if (state.severity === severity) throw new IncidentCommandError('conflict', `severity is already ${severity}`);
    },
    apply(state, { severity, actor }, now) {
      const from = state.severity;
      state.severity = severity;
      recordEvent(state, now, 'severity_changed', actor, `@${actor} changed the severity from ${from} to ${severity}`, {
        from,
        to: severity,
      });
    },
  }),

  addNote: define({
    summary: 'Add a note to the timeline.',
    payload: z.object({
      text: z.string().trim().min(1, 'a note needs text').max(4000),
      /** The chat post the note was taken from. */
      link: z.url().max(2000).optional(),
      actor: actorSchema,
    }),
    check(state) {
      refuseWhenClosed(state);
    },
    apply(state, { text, link, actor }, now) {
      recordEvent(state, now, 'note', actor, text, link ? { link } : undefined);
    },
  }),

  resolve: define({
    summary: 'Resolve the incident: the impact is over (active → resolved).',
    payload: z.object({ summary: z.string().trim().max(4000).optional(), actor: actorSchema }),
    check(state) {
      requireStatus(state, ['active'], 'resolve', { reported: 'acknowledge it first' });
    },
    apply(state, { summary, actor }, now) {
      resolveIncident(state, actor, now, summary);
    },
  }),

  reopen: define({
    summary: 'Reopen a resolved incident (resolved → active).',
    payload: z.object({ reason: z.string().trim().max(4000).optional(), actor: actorSchema }),
    check(state) {
      requireStatus(state, ['resolved'], 'reopen', {
        reported: 'only a resolved incident can be reopened',
        active: 'only a resolved incident can be reopened',
      });
    },
    apply(state, { reason, actor }, now) {
      delete state.resolvedAt;
      changeStatus(state, 'active', actor, now, reason ? `: ${reason}` : '');
      // The status-update clock starts again from the reopening, not from an update posted before the resolution.
      state.statusReminder = { sent: 0, lastSentAt: now };
    },
  }),

  close: define({
    summary: 'Close a resolved incident for good (resolved → closed); ends its workflow.',
    payload: z.object({ actor: actorSchema }),
    check(state) {
      requireStatus(state, ['resolved'], 'close', { reported: 'resolve it first', active: 'resolve it first' });
    },
    apply(state, { actor }, now) {
      state.closedAt = now;
      changeStatus(state, 'closed', actor, now);
      if (state.playbook.archiveChannelOnClose) state.followUps.push({ id: 'archiveChannel-1', kind: 'archiveChannel', status: 'pending' });
    },
  }),

  recordTaskCommandRun: define({
    summary: "Record that a task's slash command was run in the channel, by whom, and what it answered.",
    payload: z.object({
      taskId: taskRef,
      command: z.string().trim().regex(/^\/\S+/).max(512),
      outcome: z.enum(['ran', 'failed']),
      result: z.string().max(2000).default(''),
      actor: actorSchema,
    }),
    check(state, { taskId }) {
      refuseWhenClosed(state);
      findTask(state, taskId);
    },
    apply(state, { taskId, command, outcome, result, actor }, now) {
      const { task, number } = findTask(state, taskId);
      const text = outcome === 'ran' ? `@${actor} ran \`${command}\` for task ${number}` : `@${actor} tried \`${command}\` for task ${number}; it failed`;
      recordEvent(state, now, 'command_run', actor, `${text}${result ? `: ${result}` : ''}`.slice(0, 2200), { taskId: task.id, command, outcome });
    },
  }),

  postStatusUpdate: define({
    summary: 'Post a status update in the incident channel (acknowledges a reported incident).',
    payload: z.object({ message: z.string().trim().min(1, 'a status update needs a message').max(4000), actor: actorSchema }),
    check(state) {
      refuseWhenClosed(state);
      if (state.playbook.statusUpdates?.enabled === false) {
        throw new IncidentCommandError('conflict', `the playbook "${state.playbook.title}" turns status updates off for this incident`);
      }
    },
    apply(state, { message, actor }, now) {
      state.statusUpdates ??= [];
      const number = (state.statusUpdates.at(-1)?.number ?? 0) + 1;
      state.statusUpdates.push({ number, at: now, author: actor, message });
      if (state.statusUpdates.length > 50) state.statusUpdates.splice(0, state.statusUpdates.length - 50);
      recordEvent(state, now, 'status_update_posted', actor, `@${actor} posted status update ${number}: ${message}`.slice(0, 4200), { number });
      state.followUps.push({ id: `postStatusUpdate-${number}`, kind: 'postStatusUpdate', status: 'pending', update: number });
      for (const channel of state.playbook.statusUpdates?.broadcastChannels ?? []) {
        state.followUps.push({ id: `broadcastStatusUpdate-${number}-${channel}`, kind: 'broadcastStatusUpdate', status: 'pending', update: number, target: channel });
      }
      enqueueWebhooks(state, 'status-update', number);
      // Each update resets the reminder clock and ends any snooze.
      state.statusReminder = { sent: 0 };
      acknowledgeIfReported(state, actor, now, ' (first status update)');
    },
  }),

  runTaskAction: define({
    summary: "Run a task's built-in action: page the on-call, open the Jira issue or start the Zoom meeting, if not done yet.",
    payload: z.object({ taskId: taskRef, actor: actorSchema }),
    check(state, { taskId }) {
      // Paging or opening a bridge for an incident that is over would leave them open with nothing to close them.
      requireStatus(state, ['reported', 'active'], "run a task's action for", { resolved: 'reopen it first' });
      const { task, number } = findTask(state, taskId);
      const type = task.action?.type;
      if (!type) throw new IncidentCommandError('conflict', `task ${number} "${task.title}" has no built-in action${task.command ? `; its command is ${task.command}` : ''}`);
      if (type === 'post-status-update') {
        throw new IncidentCommandError('conflict', `task ${number} asks for a status update: post one with /incident update, or the checklist's button`);
      }
      const step = ACTION_LAUNCH_STEPS[type];
      const status = state.launch[step].status;
      if (status === 'done') throw new IncidentCommandError('conflict', `${ACTION_DONE[type]} already (${actionResult(state, type)})`);
      if (status === 'pending') throw new IncidentCommandError('conflict', `${ACTION_DONE[type]} is under way`);
    },
    apply(state, { taskId, actor }, now) {
      const { task, number } = findTask(state, taskId);
      const type = task.action!.type as Exclude<TaskActionType, 'post-status-update'>;
      // The action is the launch step of the same name, run now (again, if it failed; for the first time, if the
      // playbook left it off at start).
      // (The workflow redraws the channel header once the ticket or bridge exists.)
      state.launch[ACTION_LAUNCH_STEPS[type]] = { status: 'pending' };
      recordEvent(state, now, 'command_run', actor, `@${actor} ran task ${number}'s action: ${type}`, { taskId: task.id, action: type });
    },
  }),

  snoozeStatusReminder: define({
    summary: 'Hold the status-update reminder off for a while, e.g. "1h" (the next update resets it anyway).',
    payload: z.object({
      for: z.string().trim().refine((text) => parseDuration(text) !== undefined, { error: (issue) => `expected a duration like "30m" or "2h", got "${String(issue.input)}"` }),
      actor: actorSchema,
    }),
    check(state, { for: span }) {
      requireStatus(state, ['reported', 'active'], 'snooze the status-update reminder of', { resolved: 'a resolved incident sends no status-update reminders' });
      if (state.playbook.statusUpdates?.reminderIntervalMs === undefined || state.playbook.statusUpdates.enabled === false) {
        throw new IncidentCommandError('conflict', `the playbook "${state.playbook.title}" sets no status-update reminder; there is nothing to snooze`);
      }
      const millis = parseDuration(span)!;
      if (millis < 60_000 || millis > 7 * 24 * 60 * 60 * 1000) {
        throw new IncidentCommandError('invalid_input', `snooze for between 1m and 7d, not "${span}"`, [`for: expected between 1m and 7d, got "${span}"`]);
      }
    },
    apply(state, { for: span, actor }, now) {
      const until = new Date(Date.parse(now) + parseDuration(span)!).toISOString();
      state.statusReminder = { ...(state.statusReminder ?? { sent: 0 }), snoozedUntil: until };
      recordEvent(state, now, 'reminder_snoozed', actor, `@${actor} snoozed the status-update reminder for ${span} (until ${until.slice(11, 16)} UTC)`, { until });
    },
  }),

  editRetrospective: define({
    summary: "Replace the retrospective draft's text.",
    payload: z.object({ text: z.string().trim().min(1, 'the retrospective needs text').max(MAX_RETROSPECTIVE_LENGTH), actor: actorSchema }),
    check(state) {
      refuseWhenClosed(state);
      requireRetrospective(state, 'edit');
    },
    apply(state, { text, actor }) {
      state.retrospective!.text = text;
      state.retrospective!.editedBy = actor;
      state.revision += 1;
    },
  }),

  publishRetrospective: define({
    summary: 'Publish the retrospective (optionally with final text): it is posted in the channel and reminders stop.',
    payload: z.object({ text: z.string().trim().min(1).max(MAX_RETROSPECTIVE_LENGTH).optional(), actor: actorSchema }),
    check(state) {
      refuseWhenClosed(state);
      requireRetrospective(state, 'publish');
    },
    apply(state, { text, actor }, now) {
      const retro = state.retrospective!;
      if (text) retro.text = text;
      retro.status = 'published';
      retro.publishedAt = now;
      retro.publishedBy = actor;
      state.followUps.push({ id: 'publishRetrospective-1', kind: 'publishRetrospective', status: 'pending' });
      recordEvent(state, now, 'retrospective_published', actor, `@${actor} published the retrospective`);
    },
  }),

  declineRetrospective: define({
    summary: 'Decide this incident needs no retrospective (with the reason); reminders stop.',
    payload: z.object({ reason: z.string().trim().min(1, 'say why no retrospective is needed').max(1000), actor: actorSchema }),
    check(state) {
      refuseWhenClosed(state);
      requireRetrospective(state, 'decline');
    },
    apply(state, { reason, actor }, now) {
      state.retrospective!.status = 'declined';
      state.retrospective!.declinedReason = reason;
      recordEvent(state, now, 'retrospective_declined', actor, `@${actor} declined the retrospective: ${reason}`, { reason });
    },
  }),

  exportPostmortem: define({
    summary: "Export the post-mortem (conversation, timeline, checklists, updates, metrics) and upload it to the channel.",
    payload: z.object({
      formats: z
        .array(z.enum(['markdown', 'json', 'csv'], { error: 'expected markdown, json or csv' }))
        .min(1)
        .max(3)
        .default(['markdown', 'json', 'csv'])
        .transform((formats) => [...new Set(formats)]),
      actor: actorSchema,
    }),
    check(state) {
      refuseWhenClosed(state);
      if (state.launch.channel.status !== 'done') throw new IncidentCommandError('conflict', `incident ${state.id} has no channel to export`);
      if (state.followUps.some((f) => f.kind === 'exportPostmortem' && f.status === 'pending')) {
        throw new IncidentCommandError('conflict', 'an export is already being made; it will be posted in the channel');
      }
    },
    apply(state, { formats, actor }, now) {
      // The request's place in the timeline names the export: never reused, even after old follow-ups are pruned.
      const event = recordEvent(state, now, 'note', actor, `@${actor} asked for a post-mortem export (${formats.join(', ')})`);
      state.followUps.push({ id: `exportPostmortem-${event.seq}`, kind: 'exportPostmortem', status: 'pending', requestedBy: actor, formats });
    },
  }),

  recordAlerts: define({
    summary: 'Record a delivery from monitoring (Alertmanager or the generic alert endpoint); may auto-resolve.',
    payload: recordAlertsPayloadSchema.extend({ actor: actorSchema }),
    check(state, { groupKey }) {
      refuseWhenClosed(state);
      if (state.alertGroup && state.alertGroup.groupKey !== groupKey) {
        throw new IncidentCommandError('conflict', `incident ${state.id} follows another alert group`);
      }
    },
    apply(state, { actor, ...delivery }, now) {
      const { groupResolved } = applyAlertDelivery(state, delivery, actor, now);
      const open = state.status === 'reported' || state.status === 'active';
      if (groupResolved && open && state.playbook.alerts?.autoResolve) resolveIncident(state, actor, now, undefined, ' (its alerts resolved)');
    },
  }),

  retryIntegration: define({
    summary: 'Retry a launch step or resolution follow-up that failed (e.g. "ticket", "meeting", "closeAlert").',
    payload: z.object({
      step: z.enum([...LAUNCH_STEPS, ...FOLLOW_UP_KINDS], {
        error: `expected one of ${[...LAUNCH_STEPS, ...FOLLOW_UP_KINDS].join(', ')}`,
      }),
      actor: actorSchema,
    }),
    check(state, { step }) {
      refuseWhenClosed(state);
      const status = isLaunchStep(step)
        ? state.launch[step]?.status
        : state.followUps.some((f) => f.kind === step && f.status === 'failed')
          ? 'failed'
          : latestFollowUp(state, step)?.status;
      if (status !== 'failed') {
        throw new IncidentCommandError(
          'conflict',
          status ? `${step} is ${status}; only a failed step can be retried` : `${step} has not run in this incident`,
        );
      }
    },
    apply(state, { step, actor }, now) {
      if (isLaunchStep(step)) {
        state.launch[step] = { status: 'pending' };
        for (const name of LAUNCH_STEP_DEPENDENTS[step] ?? []) {
          if (state.launch[name].status === 'failed') state.launch[name] = { status: 'pending' };
        }
        for (const name of LAUNCH_STEP_REFRESHES[step] ?? []) {
          if (state.launch[name].status === 'done') state.launch[name] = { status: 'pending' };
        }
      } else {
        // Several follow-ups can share a kind (one per webhook or broadcast channel): retry every one that failed.
        for (const followUp of state.followUps) {
          if (followUp.kind !== step || followUp.status !== 'failed') continue;
          followUp.status = 'pending';
          delete followUp.error;
        }
      }
      recordEvent(state, now, 'integration_retried', actor, `@${actor} asked to retry ${step}`, { step });
    },
  }),
};

const ACTION_DONE = { 'page-oncall': 'the on-call was paged', 'open-ticket': 'the Jira issue is open', 'start-meeting': 'the meeting was started' } as const;

function actionResult(state: IncidentState, type: keyof typeof ACTION_LAUNCH_STEPS): string {
  if (type === 'page-oncall') return `alert ${state.links.alertId ?? '?'}`;
  if (type === 'open-ticket') return state.links.ticketKey ?? '?';
  return state.links.meetingUrl ?? '?';
}

/** Resolution, whoever asks for it (a person, or the alerts resolving when the playbook says so). */
function resolveIncident(state: IncidentState, actor: string, now: string, summary?: string, why = ''): void {
  state.resolvedAt = now;
  if (summary) state.summary = summary;
  changeStatus(state, 'resolved', actor, now, why);
  state.resolutions += 1;
  enqueueResolutionFollowUps(state);
  enqueueWebhooks(state, 'incident-resolved');
  // A reopened and re-resolved incident keeps the retrospective it has; only the first resolution drafts one.
  if (state.playbook.retrospective?.enabled && !state.retrospective) {
    state.retrospective = { status: 'draft', text: draftRetrospective(state, now), draftedAt: now, reminders: 0 };
    recordEvent(state, now, 'retrospective_drafted', 'system', "Retrospective drafted from the playbook's template; publish it with `/incident retro publish`");
  }
}

function requireRetrospective(state: IncidentState, action: string): void {
  const retro = state.retrospective;
  if (!retro) {
    throw new IncidentCommandError(
      'conflict',
      state.playbook.retrospective?.enabled
        ? `incident ${state.id} has no retrospective yet; it is drafted when the incident is resolved`
        : `the playbook "${state.playbook.title}" asks for no retrospective`,
    );
  }
  if (retro.status !== 'draft') throw new IncidentCommandError('conflict', `cannot ${action} the retrospective: it was already ${retro.status}`);
}

function isLaunchStep(step: string): step is LaunchStepName {
  return (LAUNCH_STEPS as readonly string[]).includes(step);
}

function latestFollowUp(state: IncidentState, kind: FollowUpKind) {
  return state.followUps.filter((followUp) => followUp.kind === kind).at(-1);
}

/** What resolving asks of the outside world, per the playbook; the workflow runs these as activities. */
function enqueueResolutionFollowUps(state: IncidentState): void {
  const n = state.resolutions;
  const add = (kind: FollowUpKind) => state.followUps.push({ id: `${kind}-${n}`, kind, status: 'pending' });
  if (state.playbook.jira.enabled && state.playbook.jira.commentOnResolve) add('commentTicket');
  if (state.playbook.jira.enabled && state.playbook.jira.transitionOnResolve) add('transitionTicket');
  if (state.playbook.opsgenie.page) add('closeAlert');
}

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export const COMMAND_NAMES = Object.keys(commands) as CommandName[];
/** What a caller sends (before defaults such as the actor are filled in). */
export type CommandInput<N extends CommandName> = z.input<Commands[N]['payload']>;
export type CommandPayload<N extends CommandName> = z.output<Commands[N]['payload']>;

export function isCommandName(name: string): name is CommandName {
  return Object.prototype.hasOwnProperty.call(commands, name);
}

/**
 * Parses the payload and checks the command against the state without changing it: what an Update's validator runs.
 * Throws IncidentCommandError.
 */
export function validateCommand<N extends CommandName>(state: IncidentState, name: N, input: unknown): CommandPayload<N> {
  const definition = commands[name] as unknown as CommandDefinition<z.ZodType<CommandPayload<N>>>;
  const parsed = definition.payload.safeParse(input ?? {});
  if (!parsed.success) throw invalidInput(`${name} payload`, parsed.error);
  definition.check(state, parsed.data);
  return parsed.data;
}

/** Validates, then applies. Throws IncidentCommandError and leaves the state untouched when the command is refused. */
export function executeCommand<N extends CommandName>(state: IncidentState, name: N, input: unknown, now: string): void {
  const payload = validateCommand(state, name, input);
  const definition = commands[name] as unknown as CommandDefinition<z.ZodType<CommandPayload<N>>>;
  const before = lastTimelineSeq(state);
  definition.apply(state, payload, now);
  // A command sent for someone by a token that may (the Mattermost bridge, automation): its events name the token too.
  const via = viaOf(input);
  if (via) for (const event of state.timeline) if (event.seq > before) event.data = { ...event.data, via };
}

/** `via`: the API token that sent a command for its actor (set by the API only, never by the caller). */
function viaOf(input: unknown): string | undefined {
  const via = (input as { via?: unknown } | null)?.via;
  return typeof via === 'string' && USERNAME_PATTERN.test(via) ? via : undefined;
}
