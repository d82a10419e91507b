/**
 * The incident's view as the store last recorded it: the record (the view, carrying the timeline events the timeline
 * table does not have yet) with the newest stored timeline events. It answers reads when the incident itself is slow
 * to (Temporal holds a query while the incident's workflow task runs, which under a flood of commands can take
 * seconds) or gone (past Temporal's retention). It may lag the incident by the last few changes; its revision says how
 * far it goes.
 */
import type { IncidentView } from '../domain/incident.js';
import type { IncidentRecordsPort } from './ports/incident-records.js';

/** As many events as the incident's own state keeps at most, so both answers look alike. */
const STORED_VIEW_EVENTS = 500;

export type StoredIncidentViews = (id: string) => Promise<IncidentView | undefined>;

export function storedIncidentViews(records: IncidentRecordsPort): StoredIncidentViews {
  return async (id) => {
    const record = await records.get(id);
    if (!record) return undefined;
    const view = record.view as IncidentView;
    const stored = await records.timeline.list(id, { limit: STORED_VIEW_EVENTS, newest: true });
    // From incident-v14 the record the worker writes after each change carries the events the incident has not
    // stored in the timeline table yet (it does every hundred); older records carry none. Events are stored before
    // their record, so the table's newest may run a change ahead of the record: the view stops where the record's
    // revision does only approximately, and says nothing it does not have.
    const pending = Array.isArray(view.timeline) ? view.timeline : [];
    const firstPending = pending[0]?.seq ?? Number.POSITIVE_INFINITY;
    const events = [...stored.filter((event) => event.seq < firstPending), ...pending].slice(-STORED_VIEW_EVENTS);
    const timelineDropped = events.length > 0 ? events[0]!.seq - 1 : view.timelineDropped;
    return { ...view, timeline: events, timelineDropped };
  };
}
