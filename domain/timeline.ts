/**
 * The incident's timeline: its kinds of event, how an event is recorded (which is also where the revision moves), and
 * the limits that keep the timeline in the workflow's state small.
 */
import type { IncidentState } from './incident.js';

/** Every kind of timeline event; `/incident timeline <kind>` and `?kind=` filter by these. */
export const TIMELINE_EVENT_KINDS = [
  'incident_reported',
  'status_changed',
  'commander_changed',
  'severity_changed',
  'task_state_changed',
  'task_assigned',
  'task_added',
  'note',
  'integration_succeeded',
  'integration_failed',
  'integration_retried',
  'status_update_posted',
  'command_run',
  'command_rejected',
  'member_joined',
  'member_left',
  'reminder_sent',
  'reminder_snoozed',
  'retrospective_drafted',
  'retrospective_published',
  'retrospective_declined',
  'alert_received',
] as const;
export type TimelineEventKind = (typeof TIMELINE_EVENT_KINDS)[number];

export interface TimelineEvent {
  /** Position in the incident's timeline, 1-based; never reused, also across continue-as-new. */
  seq: number;
  at: string;
  kind: TimelineEventKind;
  actor: string;
  text: string;
  data?: Record<string, unknown>;
}

/** Oldest timeline events are dropped past this count, or past this much text, so the state stays far below
 * Temporal's payload limit (2 MB) however long the notes are. */
export const MAX_TIMELINE_EVENTS_IN_STATE = 500;
export const MAX_TIMELINE_TEXT_IN_STATE = 300_000;
/**
 * With a store, events it does not have yet are kept past the event limit above, up to this many (a store that is away
 * for a long while under a flood of short notes). Text is never kept past its budget: the state must still fit in a
 * continue-as-new payload (2 MB) beside its status updates, and a character of text can take three bytes.
 */
export const MAX_UNSTORED_TIMELINE_EVENTS = 3_000;

export function recordEvent(
  state: IncidentState,
  at: string,
  kind: TimelineEventKind,
  actor: string,
  text: string,
  data?: Record<string, unknown>,
): TimelineEvent {
  const event: TimelineEvent = {
    seq: state.timelineDropped + state.timeline.length + 1,
    at,
    kind,
    actor,
    text,
    ...(data ? { data } : {}),
  };
  state.timeline.push(event);
  pruneTimeline(state);
  bumpRevision(state);
  return event;
}

/**
 * Marks the state changed: the one place the revision moves (readers, the store's versioned record and the checklist
 * post all compare revisions). Every timeline event bumps it; so does outside work that changes links or launch steps.
 */
export function bumpRevision(state: IncidentState): void {
  state.revision += 1;
}

/**
 * Drops the oldest events past the state's limits. Without a store (projectedTimelineSeq unset) they are gone from
 * the state, counted in timelineDropped. With one, only events the store already holds are dropped, unless the events
 * it does not hold pass the hard limits too (the store has been away for long): then the oldest go regardless.
 */
function pruneTimeline(state: IncidentState): void {
  const timeline = state.timeline;
  let excess = Math.max(0, timeline.length - MAX_TIMELINE_EVENTS_IN_STATE);
  let kept = timeline.reduce((sum, e) => sum + e.text.length, 0);
  for (let i = 0; i < excess; i++) kept -= timeline[i]!.text.length;
  while (kept > MAX_TIMELINE_TEXT_IN_STATE && excess < timeline.length - 1) kept -= timeline[excess++]!.text.length;
  const stored = state.projectedTimelineSeq;
  if (stored !== undefined && excess > 0) {
    // Keep what the store lacks, within the hard limits.
    let storedCount = 0;
    while (storedCount < excess && timeline[storedCount]!.seq <= stored) storedCount++;
    let unstoredText = 0;
    for (let i = storedCount; i < timeline.length; i++) unstoredText += timeline[i]!.text.length;
    let cut = storedCount;
    while (cut < timeline.length - 1 && (timeline.length - cut > MAX_UNSTORED_TIMELINE_EVENTS || unstoredText > MAX_TIMELINE_TEXT_IN_STATE)) {
      unstoredText -= timeline[cut++]!.text.length;
    }
    excess = cut;
  }
  if (excess > 0) {
    timeline.splice(0, excess);
    state.timelineDropped += excess;
  }
}

/** The position of the newest timeline event (0 before any). */
export function lastTimelineSeq(state: IncidentState): number {
  return state.timelineDropped + state.timeline.length;
}
