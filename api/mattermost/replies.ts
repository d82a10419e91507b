/** What the `/incident` command answers, as Mattermost Markdown. */
import type { CommandResult } from '../../domain/command-result.js';
import type { IncidentView } from '../../domain/incident.js';
import type { TimelineEventKind } from '../../domain/timeline.js';
import { formatDuration } from '../../domain/duration.js';
import type { DurationStats, GroupStats, IncidentStats } from '../../domain/incident-stats.js';
import { filterTimeline } from '../../domain/timeline-filter.js';

export interface CommandReply {
  response_type: 'ephemeral' | 'in_channel';
  text: string;
  /**
   * Mattermost reads a command's reply as Slack markup unless told not to: `<a | b>` in our usage lines became the link
   * `[b](a)` (seen on a real server), so `/incident help` arrived garbled. Our replies are Mattermost Markdown.
   */
  skip_slack_parsing: true;
}

export const ephemeral = (text: string): CommandReply => ({ response_type: 'ephemeral', text, skip_slack_parsing: true });

/**
 * What a command changed, for the person who sent it: every timeline event it wrote (a handover may also acknowledge;
 * resolving also drafts the retrospective), as the command's result lists them.
 */
export function changesReply(result: CommandResult): string {
  const changes = result.changed.filter((event) => event.kind !== 'integration_succeeded');
  return changes.length ? changes.map((event) => `:white_check_mark: ${event.text}`).join('\n') : ':white_check_mark: Done.';
}

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

const span = (ms: number | null): string => (ms === null ? 'n/a' : ms < 60_000 ? `${Math.round(ms / 1000)}s` : formatDuration(ms));
const durations = (d: DurationStats): string =>
  d.count === 0 ? 'no data' : `median ${span(d.medianMs)}, mean ${span(d.meanMs)}, p90 ${span(d.p90Ms)} (${d.count} incidents)`;
const groups = (byKey: Record<string, GroupStats>): string =>
  Object.entries(byKey)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, g]) => `${key} ${g.reported}`)
    .join(' · ') || 'none';

/** `/incident stats`: the same numbers GET /api/v1/stats returns, as a short summary. */
export function statsReply(team: string, days: number, stats: IncidentStats): string {
  return [
    `#### Incidents in ${team}, last ${days} day${days === 1 ? '' : 's'}`,
    `**${stats.reported}** reported · **${stats.resolved}** resolved · **${stats.active}** open at the end of the period`,
    `Time to acknowledge: ${durations(stats.timeToAcknowledge)}`,
    `Time to resolve: ${durations(stats.timeToResolve)}`,
    `By severity: ${groups(stats.bySeverity)}`,
    `By playbook: ${groups(stats.byPlaybook)}`,
  ].join('\n');
}
