/**
 * Filtering the timeline by kind, the same way in chat (`/incident timeline updates tasks`) and in the API
 * (`?kind=status_update_posted,note`): exact kinds, or the short words people actually type for groups of them.
 */
import { IncidentCommandError } from './errors.js';
import { TIMELINE_EVENT_KINDS, type TimelineEvent, type TimelineEventKind } from './timeline.js';

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
    // Own keys only: "__proto__" or "constructor" are not groups.
    const group = Object.hasOwn(TIMELINE_GROUPS, word) ? TIMELINE_GROUPS[word] : undefined;
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

/**
 * The whole timeline from the store's events and the state's newest ones (the state wins where both have an event):
 * `timelineDropped` is what is still missing at the head (events the store never got).
 */
export function mergeTimelines(stored: readonly TimelineEvent[], inState: readonly TimelineEvent[], stateDropped: number): { timeline: TimelineEvent[]; timelineDropped: number } {
  const firstInState = inState[0]?.seq ?? stateDropped + 1;
  const older = stored.filter((event) => event.seq < firstInState);
  // Only a gap-free run from the first event counts as the head; anything after a gap would mislead the count.
  let expected = 1;
  const head: TimelineEvent[] = [];
  for (const event of older) {
    if (event.seq !== expected) break;
    head.push(event);
    expected++;
  }
  const missing = Math.max(0, firstInState - 1 - head.length);
  if (missing > 0) {
    // Events after a gap are still worth showing: keep every stored one, oldest first, and say how many are absent.
    return { timeline: [...older, ...inState], timelineDropped: missing };
  }
  return { timeline: [...head, ...inState], timelineDropped: 0 };
}
