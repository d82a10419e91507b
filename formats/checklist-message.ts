/**
 * What the pinned checklist post shows: the tasks numbered the way `/incident check 2.3` names them, and the buttons
 * and menus that act on them. The workflow renders this model; the activity that posts it signs each action, so no
 * secret ever enters workflow history. Pure code: it runs inside the workflow sandbox.
 */
import type { ChecklistDraft } from '../domain/checklist-draft.js';
import type { IncidentChecklist, IncidentState, TaskState } from '../domain/incident.js';
import { incidentTemplateValues } from './incident-templates.js';
import { fillTemplate } from '../domain/playbook/templates.js';
import { asPlainText, neutraliseSpecialMentions } from './special-mentions.js';

const ACTION_LABELS = {
  'page-oncall': 'Page the on-call',
  'open-ticket': 'Open the Jira issue',
  'start-meeting': 'Start the Zoom meeting',
  'post-status-update': 'Post a status update',
} as const;

const MARK: Record<TaskState, string> = { open: ':white_large_square:', in_progress: ':hourglass:', done: ':white_check_mark:', skipped: ':heavy_minus_sign:' };

/** What a button or menu asks for; the API turns it into an incident command. */
export type ChecklistIntent = 'complete' | 'reopen' | 'take' | 'assign' | 'run' | 'statusUpdate' | 'resolve';

export interface ChecklistAction {
  /** Mattermost allows only letters and digits in action IDs. */
  id: string;
  name: string;
  type: 'button' | 'select';
  style?: 'primary' | 'good' | 'danger' | 'default';
  /** Menu entries: the value is the task ID. */
  options?: Array<{ text: string; value: string }>;
  intent: ChecklistIntent;
}

export interface ChecklistAttachment {
  title: string;
  text: string;
  actions: ChecklistAction[];
}

export interface ChecklistPost {
  message: string;
  attachments: ChecklistAttachment[];
  /** Changes whenever what the post shows changes: stale buttons carry an older one and are refused. */
  revision: string;
}

/** FNV-1a, 32 bits: a short, deterministic fingerprint (no crypto in the workflow sandbox, none needed here). */
function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}

export function checklistRevision(view: Pick<IncidentState, 'status' | 'checklists' | 'commander' | 'severity'>): string {
  return fingerprint(
    JSON.stringify([view.status, view.commander, view.severity, view.checklists.map((c) => c.tasks.map((t) => [t.id, t.state, t.assignee ?? '', t.title, t.reminded === 'due' ? 1 : 0]))]),
  );
}

function taskLine(checklist: IncidentChecklist, c: number): string[] {
  return checklist.tasks.map((task, t) => {
    const who = task.assignee ? ` · @${task.assignee}` : '';
    const command = task.command ? ` · \`${task.command}\`` : '';
    // A title keeps its Markdown (playbooks write `code` in them), not a special mention.
    const shown = neutraliseSpecialMentions(task.title);
    const title = task.state === 'skipped' ? `~~${shown}~~` : shown;
    // Times are UTC: the post is the same for everyone, whatever their time zone.
    const pending = task.state === 'open' || task.state === 'in_progress';
    // The workflow marks a task overdue when its due reminder goes out; the post then shows it until the task is done.
    const due = task.dueAt && pending ? (task.reminded === 'due' ? ` · :rotating_light: **overdue** since ${task.dueAt.slice(11, 16)} UTC` : ` · due ${task.dueAt.slice(11, 16)} UTC`) : '';
    return `${MARK[task.state]} **${c + 1}.${t + 1}** ${title}${who}${command}${due}`;
  });
}

function option(c: number, t: number, title: string, id: string) {
  return { text: `${c + 1}.${t + 1} ${title}`.slice(0, 80), value: id };
}

export function renderChecklistPost(state: ChecklistDraft): ChecklistPost {
  const tasks = state.checklists.flatMap((checklist) => checklist.tasks);
  const done = tasks.filter((task) => task.state === 'done').length;
  const message = [
    `#### :clipboard: ${asPlainText(state.name)}`,
    `**${state.status}** · severity **${state.severity}** · commander @${state.commander} · ${done}/${tasks.length} tasks done`,
    ...(state.checklists.length === 0 ? ['', '_This playbook has no checklist; add tasks with `/incident add 1 <title>`._'] : []),
  ].join('\n');
  const closed = state.status === 'closed';
  const attachments: ChecklistAttachment[] = state.checklists.map((checklist, c) => {
    const open = checklist.tasks.flatMap((task, t) => (task.state === 'open' || task.state === 'in_progress' ? [option(c, t, task.title, task.id)] : []));
    const finished = checklist.tasks.flatMap((task, t) => (task.state === 'done' || task.state === 'skipped' ? [option(c, t, task.title, task.id)] : []));
    const actions: ChecklistAction[] = [];
    if (!closed && open.length) {
      actions.push({ id: `complete${c + 1}`, name: 'Complete…', type: 'select', options: open, intent: 'complete' });
      actions.push({ id: `take${c + 1}`, name: 'Take (assign to me)…', type: 'select', options: open, intent: 'take' });
      actions.push({ id: `assign${c + 1}`, name: 'Assign to…', type: 'select', options: open, intent: 'assign' });
    }
    if (!closed && finished.length) actions.push({ id: `reopen${c + 1}`, name: 'Reopen…', type: 'select', options: finished, intent: 'reopen' });
    return { title: `${c + 1}. ${checklist.title}`, text: taskLine(checklist, c).join('\n') || '_No tasks._', actions };
  });
  if (!closed) {
    const runnable = state.checklists.flatMap((checklist, c) =>
      checklist.tasks.flatMap((task, t) =>
        task.command ? [option(c, t, `${task.command} (${task.title})`, task.id)] : task.action ? [option(c, t, `${ACTION_LABELS[task.action.type]} (${task.title})`, task.id)] : [],
      ),
    );
    const actions: ChecklistAction[] = [];
    if (runnable.length) actions.push({ id: 'run', name: 'Run a task…', type: 'select', options: runnable, intent: 'run' });
    actions.push({ id: 'statusupdate', name: 'Post a status update', type: 'button', style: 'primary', intent: 'statusUpdate' });
    if (state.status === 'active') actions.push({ id: 'resolve', name: 'Resolve', type: 'button', style: 'good', intent: 'resolve' });
    attachments.push({ title: 'Incident', text: '', actions });
  }
  return { message, attachments, revision: checklistRevision(state) };
}

export function renderChannelHeader(state: IncidentState): string {
  const template = state.playbook.channel.headerTemplate;
  if (template) return fillTemplate(template, incidentTemplateValues(state)).slice(0, 1024);
  const parts = [`Commander: @${state.commander}`, `Severity: ${state.severity}`];
  if (state.links.ticketKey) {
    parts.push(state.links.ticketUrl ? `Ticket: [${state.links.ticketKey}](${state.links.ticketUrl})` : `Ticket: ${state.links.ticketKey}`);
  }
  if (state.links.meetingUrl) parts.push(`Bridge: ${state.links.meetingUrl}`);
  return parts.join(' | ').slice(0, 1024);
}
