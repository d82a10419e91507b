/**
 * The incident's view as the store last recorded it: the record the projection wrote (the view without its timeline)
 * with the newest stored timeline events. It answers reads when the incident itself is slow to (Temporal holds a query
 * while the incident's workflow task runs, which under a flood of commands can take seconds) or gone (past Temporal's
 * retention). It may lag the incident by the last few changes; its revision says how far it goes.
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
    const events = await records.timeline.list(id, { limit: STORED_VIEW_EVENTS, newest: true });
    // Events are stored before their record, so the newest may run a change ahead of the record: the view stops where
    // the record's revision does only approximately, and says nothing it does not have.
    const timelineDropped = events.length > 0 ? events[0]!.seq - 1 : view.timelineDropped;
    return { ...view, timeline: events, timelineDropped };
  };
}
