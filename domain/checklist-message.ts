/** The Markdown the checklist post shows: one line per task, numbered the way `/incident check 2.3` names them. */
import type { IncidentState, TaskState } from './incident.js';

const MARK: Record<TaskState, string> = { open: '[ ]', in_progress: '[~]', done: '[x]', skipped: '[-]' };

export function renderChecklistMessage(state: IncidentState): string {
  const lines = [`#### Checklist: ${state.name}`, `Severity **${state.severity}** · commander @${state.commander}`];
  if (state.checklists.length === 0) lines.push('', '_This playbook has no checklist._');
  state.checklists.forEach((checklist, c) => {
    lines.push('', `**${c + 1}. ${checklist.title}**`);
    checklist.tasks.forEach((task, t) => {
      const who = task.assignee ? ` · @${task.assignee}` : '';
      const command = task.command ? ` · \`${task.command}\`` : '';
      const title = task.state === 'skipped' ? `~~${task.title}~~` : task.title;
      lines.push(`- ${MARK[task.state]} ${c + 1}.${t + 1} ${title}${who}${command}`);
    });
  });
  return lines.join('\n');
}

export function renderChannelHeader(state: IncidentState): string {
  const parts = [`Commander: @${state.commander}`, `Severity: ${state.severity}`];
  if (state.links.ticketKey) {
    parts.push(state.links.ticketUrl ? `Ticket: [${state.links.ticketKey}](${state.links.ticketUrl})` : `Ticket: ${state.links.ticketKey}`);
  }
  if (state.links.meetingUrl) parts.push(`Bridge: ${state.links.meetingUrl}`);
  return parts.join(' | ').slice(0, 1024);
}
