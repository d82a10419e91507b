/**
 * Who answers a read of the incident's view: the incident itself when it answers within the patience, else the store's
 * record when it is recent enough (and when Temporal no longer knows the incident). Temporal is faked here (a query
 * that answers when the test says so); the whole path runs for real in the soak test.
 */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import type { IncidentView } from '../../domain/incident.js';
import { HttpError } from '../../api/http-error.js';
import { IncidentService } from '../../api/incident-service.js';
import { storedIncidentViews } from '../../api/stored-incident-view.js';
import type { IncidentRecordsPort } from '../../api/ports/incident-records.js';
import type { TimelineEvent } from '../../domain/timeline.js';

function view(revision: number, note: string): IncidentView {
  return { id: 'inc-1', revision, name: note } as unknown as IncidentView;
}

/** A client whose view query answers (or fails) only when `settle` is called. */
function slowClient() {
  let settle!: (answer: { view: IncidentView } | { error: Error }) => void;
  const aborted: boolean[] = [];
  const answer = new Promise<IncidentView>((resolve, reject) => {
    settle = (a) => ('view' in a ? resolve(a.view) : reject(a.error));
  });
  const client = {
    withDeadline: <T>(_deadline: number, call: () => Promise<T>) => call(),
    withAbortSignal: <T>(signal: AbortSignal, call: () => Promise<T>) => {
      signal.addEventListener('abort', () => aborted.push(true));
      return call();
    },
    workflow: { getHandle: () => ({ query: () => answer }) },
  } as unknown as Client;
  return { client, settle, aborted };
}

function service(client: Client, stored: IncidentView | undefined) {
  const reads: string[] = [];
  const incidents = new IncidentService(client, 'q', 10_000, undefined, undefined, undefined, {
    read: async (id) => {
      reads.push(id);
      return stored;
    },
    patienceMs: 20,
  });
  return { incidents, reads };
}

describe('reading an incident view', () => {
  it('takes the incident’s own answer when it comes within the patience, without reading the store', async () => {
    const { client, settle } = slowClient();
    settle({ view: view(7, 'live') });
    const { incidents, reads } = service(client, view(5, 'stored'));
    expect(await incidents.readView('inc-1')).toEqual({ view: view(7, 'live'), source: 'incident' });
    expect(reads).toEqual([]);
  });

  it('waits longer for the incident when the reader asks for more patience (a chat read after its own command)', async () => {
    const { client, settle } = slowClient();
    const { incidents, reads } = service(client, view(5, 'stored'));
    // Slower than the service's 20 ms patience, well within the reader's.
    setTimeout(() => settle({ view: view(7, 'live') }), 80);
    expect(await incidents.readView('inc-1', { patienceMs: 2_000 })).toEqual({ view: view(7, 'live'), source: 'incident' });
    expect(reads).toEqual([]);
  });

  it('answers from the store’s record when the incident is slow, and gives up the query', async () => {
    const { client, settle, aborted } = slowClient();
    const { incidents, reads } = service(client, view(5, 'stored'));
    expect(await incidents.readView('inc-1')).toEqual({ view: view(5, 'stored'), source: 'store' });
    expect(reads).toEqual(['inc-1']);
    expect(aborted).toEqual([true]);
    settle({ error: new Error('late failure, nobody listens') });
  });

  it('gives the query up when the caller gives the read up (the API stopping), and leaves the caller\'s signal as it was', async () => {
    const { client, settle, aborted } = slowClient();
    const { incidents } = service(client, undefined);
    const stopping = new AbortController();
    const read = incidents.readView('inc-1', { signal: stopping.signal, atLeastRevision: 9 });
    expect(aborted).toEqual([]);
    stopping.abort();
    expect(aborted).toEqual([true]);
    settle({ error: new Error('cancelled') });
    await expect(read).rejects.toThrow();
    // A read that ended takes its listener off the caller's signal (a live page's poller reuses one for every read).
    const again = new AbortController();
    const done = incidents.readView('inc-1', { signal: again.signal });
    await done.catch(() => undefined);
    again.abort();
    expect(aborted).toEqual([true]);
  });

  it('waits for the incident when the record is older than the revision the caller needs', async () => {
    const { client, settle } = slowClient();
    const { incidents } = service(client, view(5, 'stored'));
    const read = incidents.readView('inc-1', { atLeastRevision: 6 });
    setTimeout(() => settle({ view: view(6, 'live') }), 60);
    expect(await read).toEqual({ view: view(6, 'live'), source: 'incident' });
  });

  it('answers from the store when Temporal no longer knows the incident, and 404 when the store does not either', async () => {
    const gone = slowClient();
    gone.settle({ error: new WorkflowNotFoundError('gone', 'incident-inc-1', undefined) });
    expect((await service(gone.client, view(9, 'stored')).incidents.readView('inc-1')).source).toBe('store');
    const unknown = slowClient();
    unknown.settle({ error: new WorkflowNotFoundError('gone', 'incident-inc-1', undefined) });
    const error = await service(unknown.client, undefined).incidents.readView('inc-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(404);
  });

  it('answers from the store when Temporal turns the query away (its query buffer is full)', async () => {
    const { client, settle } = slowClient();
    settle({ error: Object.assign(new Error('8 RESOURCE_EXHAUSTED: consistent query buffer is full'), { code: 8, details: 'consistent query buffer is full', metadata: {} }) });
    expect((await service(client, view(5, 'stored')).incidents.readView('inc-1')).source).toBe('store');
  });

  it('passes the incident’s failure on when the store has nothing recent enough', async () => {
    const { client, settle } = slowClient();
    settle({ error: new Error('boom') });
    const { incidents, reads } = service(client, view(5, 'stored'));
    const error = await incidents.readView('inc-1', { atLeastRevision: 6 }).catch((e: unknown) => e);
    expect((error as HttpError).status).toBe(500);
    expect(reads).toEqual(['inc-1']);
  });

  it('without a store, waits for the incident however long it takes', async () => {
    const { client, settle } = slowClient();
    const incidents = new IncidentService(client, 'q');
    const read = incidents.readView('inc-1');
    setTimeout(() => settle({ view: view(3, 'live') }), 200);
    expect(await read).toEqual({ view: view(3, 'live'), source: 'incident' });
  });
});

describe("the store's view of an incident", () => {
  const event = (seq: number) => ({ seq, at: '2026-12-01T00:00:00.000Z', kind: 'note', text: `note ${seq}`, actor: 'bob' }) as TimelineEvent;
  const records = (recordTimeline: TimelineEvent[] | undefined, table: TimelineEvent[]) =>
    ({
      get: async () => ({ view: { id: 'inc-1', revision: 9, timelineDropped: 0, ...(recordTimeline ? { timeline: recordTimeline } : {}) } }),
      timeline: { list: async () => table },
    }) as unknown as IncidentRecordsPort;

  it('puts the events the record carries (not in the timeline table yet) after the stored ones', async () => {
    // The table has 1-6 (7 and 8 were written once by a task Temporal refused: the record's own take the place).
    const read = storedIncidentViews(records([event(7), event(8), event(9)], [1, 2, 3, 4, 5, 6, 7, 8].map(event)));
    const view = await read('inc-1');
    expect(view?.timeline.map((e) => [e.seq, e.text])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map((seq) => [seq, `note ${seq}`]));
    expect(view?.timelineDropped).toBe(0);
  });

  it('reads the table alone for a record that carries no events (written by the activity, or before incident-v14)', async () => {
    for (const carried of [undefined, []]) {
      const view = await storedIncidentViews(records(carried, [3, 4].map(event)))('inc-1');
      expect(view?.timeline.map((e) => e.seq)).toEqual([3, 4]);
      expect(view?.timelineDropped).toBe(2);
    }
  });
});
