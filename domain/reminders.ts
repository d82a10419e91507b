/**
 * The incident's clocks: when the commander owes a status update, when tasks fall due, when the retrospective is still
 * unpublished. Everything here is derived from the state and the time the workflow passes in, so the reminders a
 * workflow sends survive worker and server restarts (the timer is re-armed from the state) and continue-as-new (the
 * state carries what was already sent). Pure code: the workflow sandbox runs it.
 */
import { formatElapsed } from './duration.js';
import { recordEvent } from './timeline.js';
import type { IncidentState, IncidentTask } from './incident.js';
import type { PlaybookSnapshot } from './playbook/snapshot.js';

/** A retrospective reminder goes out once, this long after the draft, when the playbook sets no interval. */
export const DEFAULT_RETROSPECTIVE_REMINDER_MS = 24 * 60 * 60 * 1000;

/** The longest warning ahead of a task's due time; shorter for tasks due soon after the start (a quarter of the lead). */
const TASK_DUE_WARNING_MS = 15 * 60 * 1000;

export type ReminderKind = 'statusUpdate' | 'taskDueSoon' | 'taskOverdue' | 'retrospective';

export interface Reminder {
  kind: ReminderKind;
  /** Who the reminder mentions. */
  mention: string;
  text: string;
  taskId?: string;
}

const ms = (iso: string): number => Date.parse(iso);

function statusReminderInterval(state: IncidentState): number | undefined {
  const updates = state.playbook.statusUpdates;
  if (!updates || updates.enabled === false || updates.reminderIntervalMs === undefined) return undefined;
  return state.status === 'reported' || state.status === 'active' ? updates.reminderIntervalMs : undefined;
}

/** When the next status-update reminder is due: an interval after the last update (or reminder), or the snooze's end. */
export function statusReminderDueAt(state: IncidentState): number | undefined {
  const interval = statusReminderInterval(state);
  if (interval === undefined) return undefined;
  const reminder = state.statusReminder ?? { sent: 0 };
  const lastUpdate = state.statusUpdates.at(-1)?.at ?? state.reportedAt;
  const base = Math.max(ms(lastUpdate), reminder.lastSentAt ? ms(reminder.lastSentAt) : 0) + interval;
  return reminder.snoozedUntil ? Math.max(base, ms(reminder.snoozedUntil)) : base;
}

function openTasks(state: IncidentState): Array<{ task: IncidentTask; number: string }> {
  return state.checklists.flatMap((checklist, c) =>
    checklist.tasks.flatMap((task, t) => (task.state === 'open' || task.state === 'in_progress' ? [{ task, number: `${c + 1}.${t + 1}` }] : [])),
  );
}

/** How long before its due time a task's assignee is warned. */
function warningLead(state: IncidentState, task: IncidentTask): number {
  const leadFromStart = ms(task.dueAt!) - ms(state.reportedAt);
  return Math.min(TASK_DUE_WARNING_MS, Math.max(0, leadFromStart / 4));
}

/** The next time a task needs a reminder (its warning, then its due time), if any. */
function taskReminderAt(state: IncidentState, task: IncidentTask): number | undefined {
  if (!task.dueAt || task.reminded === 'due') return undefined;
  const due = ms(task.dueAt);
  return task.reminded === 'soon' ? due : due - warningLead(state, task);
}

function retrospectiveReminderAt(state: IncidentState): number | undefined {
  const retro = state.retrospective;
  if (!retro || retro.status !== 'draft' || state.status !== 'resolved') return undefined;
  const interval = state.playbook.retrospective?.reminderIntervalMs;
  // Without an interval the playbook asks for one reminder only.
  if (interval === undefined && retro.reminders > 0) return undefined;
  return ms(retro.lastReminderAt ?? retro.draftedAt) + (interval ?? DEFAULT_RETROSPECTIVE_REMINDER_MS);
}

/** The earliest moment any reminder is due (epoch ms), or undefined when nothing is scheduled. */
export function nextReminderAt(state: IncidentState): number | undefined {
  if (state.status === 'closed') return undefined;
  const times = [
    statusReminderDueAt(state),
    retrospectiveReminderAt(state),
    ...(state.status === 'resolved' ? [] : openTasks(state).map(({ task }) => taskReminderAt(state, task))),
  ].filter((time): time is number => time !== undefined);
  return times.length ? Math.min(...times) : undefined;
}

const utcTime = (iso: string): string => `${iso.slice(11, 16)} UTC`;
const span = formatElapsed;

/**
 * The reminders due at `now`, marked as sent in the state and written to the timeline. The caller posts them; calling
 * again at the same moment returns nothing, which is what makes a replayed or restarted workflow send each once.
 */
export function takeDueReminders(state: IncidentState, now: string): Reminder[] {
  if (state.status === 'closed') return [];
  const at = ms(now);
  const reminders: Reminder[] = [];

  const statusDue = statusReminderDueAt(state);
  if (statusDue !== undefined && statusDue <= at) {
    const reminder = (state.statusReminder ??= { sent: 0 });
    const last = state.statusUpdates.at(-1);
    const interval = span(statusReminderInterval(state)!);
    const since = last
      ? `the last one, #${last.number}, was posted ${span(at - ms(last.at))} ago`
      : `none was posted since the incident was reported ${span(at - ms(state.reportedAt))} ago`;
    reminders.push({
      kind: 'statusUpdate',
      mention: state.commander,
      text:
        `a status update is ${reminder.sent > 0 ? 'overdue' : 'due'}: ${since} (the playbook asks for one every ${interval}). ` +
        'Post one with `/incident update <what changed>`, or snooze this with `/incident snooze 30m`.',
    });
    reminder.sent += 1;
    reminder.lastSentAt = now;
    delete reminder.snoozedUntil;
  }

  if (state.status !== 'resolved') {
    for (const { task, number } of openTasks(state)) {
      const when = taskReminderAt(state, task);
      if (when === undefined || when > at) continue;
      const mention = task.assignee ?? state.commander;
      const unassigned = task.assignee ? '' : ' (unassigned, so this goes to the commander)';
      if (at >= ms(task.dueAt!)) {
        task.reminded = 'due';
        reminders.push({ kind: 'taskOverdue', mention, taskId: task.id, text: `task ${number} "${task.title}" is overdue: it was due at ${utcTime(task.dueAt!)}${unassigned}.` });
      } else {
        task.reminded = 'soon';
        const left = span(ms(task.dueAt!) - at);
        reminders.push({ kind: 'taskDueSoon', mention, taskId: task.id, text: `task ${number} "${task.title}" is due in ${left}, at ${utcTime(task.dueAt!)}${unassigned}.` });
      }
    }
  }

  const retroDue = retrospectiveReminderAt(state);
  if (retroDue !== undefined && retroDue <= at) {
    const retro = state.retrospective!;
    retro.reminders += 1;
    retro.lastReminderAt = now;
    reminders.push({
      kind: 'retrospective',
      mention: state.commander,
      text: 'the retrospective is still a draft. Read it with `/incident retro`, then `/incident retro publish`, or `/incident retro decline <why>`.',
    });
  }

  for (const reminder of reminders) {
    recordEvent(state, now, 'reminder_sent', 'system', `Reminded @${reminder.mention}: ${reminder.text}`.slice(0, 1000), {
      reminder: reminder.kind,
      to: reminder.mention,
      ...(reminder.taskId ? { taskId: reminder.taskId } : {}),
    });
  }
  return reminders;
}

/** One channel post for all the reminders due at once, each line mentioning who it is for. */
export function reminderMessage(reminders: Reminder[]): string {
  return reminders.map((reminder) => `:alarm_clock: @${reminder.mention}, ${reminder.text}`).join('\n');
}

/**
 * A test hook: every playbook duration divided by `scale` (a "1m" reminder fires after a second with scale 60), so
 * workflow tests on a real server need not wait minutes. Production never sets it.
 */
export function scalePlaybookDurations(playbook: PlaybookSnapshot, scale: number): PlaybookSnapshot {
  if (!(scale > 1)) return playbook;
  const shorten = (value: number | undefined): number | undefined => (value === undefined ? undefined : Math.max(1, Math.round(value / scale)));
  const copy = JSON.parse(JSON.stringify(playbook)) as PlaybookSnapshot;
  for (const checklist of copy.checklists) {
    for (const task of checklist.tasks) if (task.dueAfterMs !== undefined) task.dueAfterMs = shorten(task.dueAfterMs);
  }
  if (copy.statusUpdates?.reminderIntervalMs !== undefined) copy.statusUpdates.reminderIntervalMs = shorten(copy.statusUpdates.reminderIntervalMs);
  if (copy.retrospective?.reminderIntervalMs !== undefined) copy.retrospective.reminderIntervalMs = shorten(copy.retrospective.reminderIntervalMs);
  return copy;
}
