/**
 * Commands about the checklists' tasks: complete, reopen, skip, assign and add them, and what running a task does (its
 * slash command, recorded; its built-in action, run as the launch step of the same name).
 */
import { z } from 'zod';
import { IncidentCommandError } from '../errors.js';
import type { IncidentState, IncidentTask, TaskState } from '../incident.js';
import { ACTION_LAUNCH_STEPS } from '../launch-steps.js';
import { actorSchema, usernameSchema } from '../people.js';
import type { TaskActionType } from '../playbook/vocabulary.js';
import { findChecklist, findTask } from '../task-reference.js';
import { recordEvent } from '../timeline.js';
import { define, refuseWhenClosed, requireStatus, taskRef } from './definition.js';

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

export const taskCommands = {
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
};

const ACTION_DONE = { 'page-oncall': 'the on-call was paged', 'open-ticket': 'the Jira issue is open', 'start-meeting': 'the meeting was started' } as const;

function actionResult(state: IncidentState, type: keyof typeof ACTION_LAUNCH_STEPS): string {
  if (type === 'page-oncall') return `alert ${state.links.alertId ?? '?'}`;
  if (type === 'open-ticket') return state.links.ticketKey ?? '?';
  return state.links.meetingUrl ?? '?';
}
