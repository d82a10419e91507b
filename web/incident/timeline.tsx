/**
 * The incident's timeline, newest first, from GET /api/v1/incidents/:id/timeline: filtered by a group of kinds (the
 * route's `kind`, the same words as `/incident timeline <kind>` in chat), read again whenever the live view moves on,
 * and paged back with "Load older events" (`before` = the oldest shown event's position).
 */
import { useEffect, useState } from 'preact/hooks';
import type { TimelineEvent } from '../../domain/timeline.js';
import { request } from '../api.js';
import { SelectField } from '../components/field.js';
import { Failure } from '../components/states.js';
import { when } from '../incident-summary.js';
import { incidentApiPath } from './live.js';

interface TimelineAnswer {
  dropped: number;
  items: TimelineEvent[];
}

const PAGE = 50;

/** The groups the route accepts (domain/timeline-filter.ts TIMELINE_GROUPS), as a person reads them. */
const KINDS = [
  { value: '', label: 'Everything' },
  { value: 'status', label: 'Status, severity, commander' },
  { value: 'updates', label: 'Status updates' },
  { value: 'tasks', label: 'Tasks' },
  { value: 'notes', label: 'Notes' },
  { value: 'commands', label: 'Commands' },
  { value: 'members', label: 'Members' },
  { value: 'integrations', label: 'Integrations' },
  { value: 'reminders', label: 'Reminders' },
  { value: 'retro', label: 'Retrospective' },
  { value: 'alerts', label: 'Alerts' },
];

const load = (id: string, kind: string, before: number | undefined, signal?: AbortSignal) => {
  const query = new URLSearchParams({ limit: String(PAGE) });
  if (kind) query.set('kind', kind);
  if (before !== undefined) query.set('before', String(before));
  return request<TimelineAnswer>('GET', `${incidentApiPath(id)}/timeline?${query}`, signal ? { signal } : {});
};

/** Newest first, each event once (a page read again overlaps what is shown). */
function merged(...lists: TimelineEvent[][]): TimelineEvent[] {
  const bySeq = new Map<number, TimelineEvent>();
  for (const list of lists) for (const event of list) bySeq.set(event.seq, event);
  return [...bySeq.values()].sort((a, b) => b.seq - a.seq);
}

export function Timeline({ id, revision }: { id: string; revision: number }) {
  const [kind, setKind] = useState('');
  const [recent, setRecent] = useState<TimelineAnswer | undefined>();
  const [older, setOlder] = useState<TimelineEvent[]>([]);
  const [more, setMore] = useState(false);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [error, setError] = useState<Error | undefined>();

  useEffect(() => {
    setOlder([]);
    setRecent(undefined);
    setMore(false);
  }, [id, kind]);

  // The newest page, read again on each change; what is shown stays until the new answer replaces it.
  useEffect(() => {
    const controller = new AbortController();
    load(id, kind, undefined, controller.signal).then(
      (answer) => {
        if (controller.signal.aborted) return;
        setRecent(answer);
        setError(undefined);
        setMore((had) => had || answer.items.length === PAGE);
      },
      (failure: Error) => {
        if (!controller.signal.aborted) setError(failure);
      },
    );
    return () => controller.abort();
  }, [id, kind, revision]);

  const events = merged(older, recent?.items ?? []);
  const loadOlder = () => {
    const oldest = events.at(-1);
    if (!oldest) return;
    setLoadingOlder(true);
    load(id, kind, oldest.seq)
      .then((answer) => {
        setOlder((shown) => merged(shown, answer.items));
        const full = answer.items.length === PAGE;
        setMore(full);
        setError(undefined);
        // The button goes with the last page: focus moves to the section rather than falling to the page's start.
        if (!full) requestAnimationFrame(() => document.getElementById('timeline-title')?.focus());
      }, setError)
      .finally(() => setLoadingOlder(false));
  };

  return (
    <section class="panel" aria-labelledby="timeline-title">
      <h2 id="timeline-title" tabIndex={-1}>
        Timeline
      </h2>
      <p class="hint">Newest first.</p>
      <div class="timeline-filter">
        <SelectField id="timeline-kind" label="Show" value={kind} choices={KINDS} onChange={setKind} />
      </div>
      {error ? <Failure error={error} /> : null}
      {!recent && !error ? <p class="note">Loading the timeline…</p> : null}
      {recent && !events.length ? <p class="note">No events of this kind yet.</p> : null}
      {events.length ? (
        <ol class="timeline">
          {events.map((event) => (
            <li key={event.seq}>
              <time dateTime={event.at}>{when(event.at)}</time>
              <span class="kind">{event.kind.replaceAll('_', ' ')}</span>
              <p>{event.text}</p>
            </li>
          ))}
        </ol>
      ) : null}
      {more ? (
        <button type="button" class="secondary" disabled={loadingOlder} aria-busy={loadingOlder} onClick={loadOlder}>
          {loadingOlder ? 'Loading older events…' : 'Load older events'}
        </button>
      ) : null}
      {recent && recent.dropped > 0 && !more ? <p class="note">{recent.dropped} older events are no longer kept.</p> : null}
    </section>
  );
}
