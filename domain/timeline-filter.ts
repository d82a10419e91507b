/**
 * Filtering the timeline by kind, the same way in chat (`/incident timeline updates tasks`) and in the API
 * (`?kind=status_update_posted,note`): exact kinds, or the short words people actually type for groups of them.
 */
import { IncidentCommandError } from './errors.js';
import { TIMELINE_EVENT_KINDS, type TimelineEvent, type TimelineEventKind } from './incident.js';

export const TIMELINE_GROUPS: Record<string, readonly TimelineEventKind[]> = {
  status: ['incident_reported', 'status_changed', 'severity_changed', 'commander_changed'],
  updates: ['status_update_posted'],
  tasks: ['task_state_changed', 'task_assigned', 'task_added'],
  commands: ['command_run', 'command_rejected'],
  notes: ['note'],
  members: ['member_joined', 'member_left'],
  integrations: ['integration_succeeded', 'integration_failed', 'integration_retried'],
  reminders: ['reminder_sent', 'reminder_snoozed'],
  retro: ['retrospective_drafted', 'retrospective_published', 'retrospective_declined'],
  alerts: ['alert_received'],
};

/** The kinds the words name; an unknown word is an error that lists what is accepted. */
export function parseTimelineKinds(words: string[]): TimelineEventKind[] {
  const kinds = new Set<TimelineEventKind>();
  for (const raw of words) {
    const word = raw.trim().toLowerCase();
    if (!word) continue;
    const group = TIMELINE_GROUPS[word];
    if (group) group.forEach((kind) => kinds.add(kind));
    else if ((TIMELINE_EVENT_KINDS as readonly string[]).includes(word)) kinds.add(word as TimelineEventKind);
    else {
      throw new IncidentCommandError('invalid_input', `"${raw}" is not a timeline kind; use one of ${Object.keys(TIMELINE_GROUPS).join(', ')}, or an exact kind (${TIMELINE_EVENT_KINDS.join(', ')})`, [
        `kind: unknown "${raw}"`,
      ]);
    }
  }
  return [...kinds];
}

export function filterTimeline(events: TimelineEvent[], kinds: readonly TimelineEventKind[]): TimelineEvent[] {
  if (kinds.length === 0) return events;
  const wanted = new Set(kinds);
  return events.filter((event) => wanted.has(event.kind));
}
