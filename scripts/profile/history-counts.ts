/**
 * What the launches wrote into history, counted from the fetched histories: events by type, activities, payload bytes
 * by event and by activity, search-attribute upserts; and per-launch averages of such counts.
 */
import proto from '@temporalio/proto';

const { temporal } = proto;

export interface HistoryCounts {
  events: number;
  byType: Record<string, number>;
  activities: Record<string, number>;
  historyBytes: number;
  payloadBytes: number;
  /** Payload bytes by the event type that carries them. */
  payloadBytesByType: Record<string, number>;
  /** Payload bytes of each activity type's input and result (scheduled and completed events). */
  payloadBytesByActivity: Record<string, number>;
  /** Which search attributes each upsert set, by their names joined. */
  upserts: Record<string, number>;
}

const EVENT_TYPE_NAMES = temporal.api.enums.v1.EventType as unknown as Record<number, string>;

function payloadBytes(value: unknown): number {
  if (!value || typeof value !== 'object') return 0;
  if (value instanceof Uint8Array) return 0;
  const record = value as Record<string, unknown>;
  // A Payload: metadata (encoding and the like) and data.
  if (record.data instanceof Uint8Array && 'metadata' in record) {
    let bytes = record.data.length;
    for (const meta of Object.values((record.metadata ?? {}) as Record<string, Uint8Array>)) bytes += meta?.length ?? 0;
    return bytes;
  }
  let bytes = 0;
  for (const child of Object.values(record)) bytes += payloadBytes(child);
  return bytes;
}

export function countHistory(history: proto.temporal.api.history.v1.IHistory, into: HistoryCounts): void {
  into.historyBytes += temporal.api.history.v1.History.encode(history).finish().length;
  const activityOf = new Map<string, string>();
  for (const event of history.events ?? []) {
    const type = (EVENT_TYPE_NAMES[event.eventType ?? 0] ?? String(event.eventType)).replace(/^EVENT_TYPE_/, '');
    into.events++;
    into.byType[type] = (into.byType[type] ?? 0) + 1;
    const activity = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (activity) {
      into.activities[activity] = (into.activities[activity] ?? 0) + 1;
      activityOf.set(String(event.eventId), activity);
    }
    const bytes = payloadBytes(event);
    into.payloadBytes += bytes;
    into.payloadBytesByType[type] = (into.payloadBytesByType[type] ?? 0) + bytes;
    const completed = event.activityTaskCompletedEventAttributes?.scheduledEventId;
    const carrier = activity ?? (completed !== undefined && completed !== null ? activityOf.get(String(completed)) : undefined);
    if (carrier) into.payloadBytesByActivity[`${carrier} ${activity ? 'input' : 'result'}`] = (into.payloadBytesByActivity[`${carrier} ${activity ? 'input' : 'result'}`] ?? 0) + bytes;
    const upserted = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
    if (upserted) {
      const names = Object.keys(upserted).sort().join('+');
      into.upserts[names] = (into.upserts[names] ?? 0) + 1;
    }
  }
}

export function perLaunch(record: Record<string, number>, launches: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(record)
      .sort(([, a], [, b]) => b - a)
      .map(([key, value]) => [key, Number((value / launches).toFixed(2))]),
  );
}
