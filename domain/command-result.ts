/**
 * What an Update answers: a small result naming what the command wrote to the timeline, and the same read from the
 * whole view older runs answered with.
 */
import type { IncidentState, IncidentStatus, IncidentView } from './incident.js';
import type { TimelineEventKind } from './timeline.js';

/**
 * What an Update answers: small, whatever the incident's size (Temporal writes every answer into the history). The
 * view is a query away. `changed` is what this command wrote to the timeline, for the reply to whoever sent it.
 */
export interface CommandResult {
  incidentId: string;
  revision: number;
  status: IncidentStatus;
  changed: Array<{ seq: number; kind: TimelineEventKind; text: string }>;
  /** True when this Update's ID had been applied already (a retry): nothing was changed again. */
  duplicate?: boolean;
  /**
   * True when this was the first command the incident handled, in the run that started it: an Update sent with the
   * start (update-with-start) that found no incident running under its ID, so it is the one that started it.
   */
  firstCommand?: boolean;
}

/** Texts in a CommandResult are cut to this length (a note's full text is in the timeline). */
const CHANGED_TEXT_MAX = 300;
const CHANGED_EVENTS_MAX = 5;

/** The result of a command that added the timeline events after position `beforeSeq`. */
export function commandResult(state: IncidentState, beforeSeq: number, duplicate = false, firstCommand = false): CommandResult {
  const changed = state.timeline
    .filter((event) => event.seq > beforeSeq)
    .slice(-CHANGED_EVENTS_MAX)
    .map((event) => ({ seq: event.seq, kind: event.kind, text: event.text.length > CHANGED_TEXT_MAX ? `${event.text.slice(0, CHANGED_TEXT_MAX - 1)}…` : event.text }));
  return {
    incidentId: state.id,
    revision: state.revision,
    status: state.status,
    changed,
    ...(duplicate ? { duplicate: true } : {}),
    ...(firstCommand ? { firstCommand: true } : {}),
  };
}

/** A CommandResult from either answer an Update may give (the whole view came from runs before the history budget). */
export function toCommandResult(answer: CommandResult | IncidentView): CommandResult {
  if (!('timeline' in answer)) return answer;
  const at = answer.timeline.at(-1)?.at;
  const changed = answer.timeline
    .filter((event) => event.at === at)
    .map((event) => ({ seq: event.seq, kind: event.kind, text: event.text }));
  return { incidentId: answer.id, revision: answer.revision, status: answer.status, changed };
}
