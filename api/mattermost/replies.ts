/** What the `/incident` command answers, as Mattermost Markdown. */
import type { IncidentView } from '../../domain/incident.js';

export interface CommandReply {
  response_type: 'ephemeral' | 'in_channel';
  text: string;
}

export const ephemeral = (text: string): CommandReply => ({ response_type: 'ephemeral', text });

export function incidentInfo(view: IncidentView): string {
  const lines = [
    `#### ${view.name}  \`${view.id}\``,
    `**${view.status}** · severity **${view.severity}** · commander @${view.commander} · reported by @${view.reporter} · playbook ${view.playbook.title}`,
    `Tasks: ${view.progress.done} done, ${view.progress.skipped} skipped, ${view.progress.total} in all`,
  ];
  if (view.summary) lines.push(`Summary: ${view.summary}`);
  const links = [
    view.links.ticketKey ? `Jira ${view.links.ticketUrl ? `[${view.links.ticketKey}](${view.links.ticketUrl})` : view.links.ticketKey}` : undefined,
    view.links.meetingUrl ? `[Zoom bridge](${view.links.meetingUrl})` : undefined,
  ].filter(Boolean);
  if (links.length) lines.push(links.join(' · '));
  const failed = Object.entries(view.launch).filter(([, step]) => step.status === 'failed');
  if (failed.length) lines.push(`:warning: Failed: ${failed.map(([name]) => `\`${name}\``).join(', ')} (retry with \`/incident retry <step>\`)`);
  return lines.join('\n');
}

export function incidentTimeline(view: IncidentView, last = 20): string {
  const events = view.timeline.slice(-last);
  const lines = [`#### Timeline of ${view.name} (last ${events.length} of ${view.timelineDropped + view.timeline.length})`];
  for (const event of events) lines.push(`- ${event.at.slice(0, 16).replace('T', ' ')} UTC · ${event.text}`);
  return lines.join('\n');
}
