/** What the `/incident` command answers, as Mattermost Markdown. */
import type { IncidentView, TimelineEventKind } from '../../domain/incident.js';
import { filterTimeline } from '../../domain/timeline-filter.js';

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

export function incidentTimeline(view: IncidentView, kinds: readonly TimelineEventKind[] = [], last = 20): string {
  const matching = filterTimeline(view.timeline, kinds);
  const events = matching.slice(-last);
  const scope = kinds.length ? `${matching.length} matching ${kinds.join(', ')}` : `${view.timelineDropped + view.timeline.length}`;
  const lines = [`#### Timeline of ${view.name} (last ${events.length} of ${scope})`];
  for (const event of events) lines.push(`- ${event.at.slice(0, 16).replace('T', ' ')} UTC · ${event.text}`);
  if (events.length === 0) lines.push('_Nothing yet._');
  return lines.join('\n');
}

export function retrospectiveReply(view: IncidentView): string {
  const retro = view.retrospective;
  if (!retro) {
    return view.playbook.retrospective?.enabled
      ? 'The retrospective is drafted when the incident is resolved.'
      : `The playbook *${view.playbook.title}* asks for no retrospective.`;
  }
  const head =
    retro.status === 'draft'
      ? '**Retrospective draft.** Change it with `/incident retro edit <text>`, publish with `/incident retro publish`, or `/incident retro decline <why>`.'
      : retro.status === 'published'
        ? `**Retrospective**, published by @${retro.publishedBy} at ${retro.publishedAt?.slice(0, 16).replace('T', ' ')} UTC.`
        : `**Retrospective declined**: ${retro.declinedReason}`;
  return `${head}\n\n${retro.text}`.slice(0, 16_000);
}
