/**
 * Live incident pages' watches, on a stand-in source and fake timers: one poller per incident however many watch it,
 * the view read only when the store's revision rises and sent once per revision, Last-Event-ID honoured, the limits
 * (per process, per caller) refusing with the right status, heartbeats, the stream's end of life, and endAll (which
 * gives up the reads in flight).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IncidentView } from '../../domain/incident.js';
import { HttpError } from '../../api/http-error.js';
import { IncidentWatches, type WatchSink, type WatchSource } from '../../api/live/incident-watches.js';

class FakeSource implements WatchSource {
  revision = 3;
  revisionReads = 0;
  viewReads = 0;
  async revisionOf(): Promise<number> {
    this.revisionReads += 1;
    return this.revision;
  }
  async readView(id: string): Promise<IncidentView> {
    this.viewReads += 1;
    if (id === 'missing') throw new HttpError(404, 'not_found', 'no such incident');
    return { id, revision: this.revision } as unknown as IncidentView;
  }
}

class Sink implements WatchSink {
  frames: string[] = [];
  ended = false;
  send(frame: string) {
    this.frames.push(frame);
  }
  end() {
    this.ended = true;
  }
  get revisions(): number[] {
    return this.frames.filter((frame) => frame.startsWith('id: ')).map((frame) => Number(/^id: (\d+)/.exec(frame)![1]));
  }
}

let source: FakeSource;

beforeEach(() => {
  vi.useFakeTimers();
  source = new FakeSource();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('incident watches', () => {
  it('sends the current view, then each newer one once, from one poller shared by every watcher', async () => {
    const watches = new IncidentWatches(source, { pollMs: 500 });
    const [a, b] = [new Sink(), new Sink()];
    await watches.watch('inc-1', 'alice', a);
    await watches.watch('inc-1', 'bob', b);
    expect(a.revisions).toEqual([3]);
    expect(b.revisions).toEqual([3]);
    const viewsBefore = source.viewReads;
    await vi.advanceTimersByTimeAsync(2_000);
    // Nothing changed: four ticks read the revision (once per tick, not per watcher) and never the view.
    expect(source.revisionReads).toBe(4);
    expect(source.viewReads).toBe(viewsBefore);
    source.revision = 5;
    await vi.advanceTimersByTimeAsync(500);
    expect(a.revisions).toEqual([3, 5]);
    expect(b.revisions).toEqual([3, 5]);
    expect(source.viewReads).toBe(viewsBefore + 1);
    expect(a.frames[1]).toBe(`id: 5\nevent: incident\ndata: ${JSON.stringify({ id: 'inc-1', revision: 5 })}\n\n`);
    expect(watches.open).toBe(2);
  });

  it('skips the first view when Last-Event-ID says the page has it', async () => {
    const watches = new IncidentWatches(source);
    const sink = new Sink();
    await watches.watch('inc-1', 'alice', sink, 3);
    expect(sink.frames).toEqual([]);
    source.revision = 4;
    await vi.advanceTimersByTimeAsync(500);
    expect(sink.revisions).toEqual([4]);
  });

  it('stops polling when the last watcher leaves', async () => {
    const watches = new IncidentWatches(source);
    const close = await watches.watch('inc-1', 'alice', new Sink());
    close();
    close();
    const reads = source.revisionReads;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(source.revisionReads).toBe(reads);
    expect(watches.open).toBe(0);
  });

  it('refuses past the limits: 429 per caller, 503 per process; an unknown incident is the read\'s 404', async () => {
    const watches = new IncidentWatches(source, { maxPerCaller: 2, maxStreams: 3 });
    await watches.watch('inc-1', 'alice', new Sink());
    await watches.watch('inc-2', 'alice', new Sink());
    await expect(watches.watch('inc-3', 'alice', new Sink())).rejects.toMatchObject({ status: 429 });
    await watches.watch('inc-3', 'bob', new Sink());
    await expect(watches.watch('inc-4', 'carol', new Sink())).rejects.toMatchObject({ status: 503, retryAfterSeconds: 5 });
    await expect(new IncidentWatches(source).watch('missing', 'alice', new Sink())).rejects.toMatchObject({ status: 404 });
  });

  it('keeps a quiet stream alive with comments, ends it after its lifetime, and ends all on stop', async () => {
    const watches = new IncidentWatches(source, { heartbeatMs: 1_000, maxStreamMs: 3_500 });
    const sink = new Sink();
    await watches.watch('inc-1', 'alice', sink);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(sink.frames.filter((frame) => frame === ': ping\n\n')).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(600);
    expect(sink.ended).toBe(true);
    expect(watches.open).toBe(0);
    const other = new Sink();
    await watches.watch('inc-2', 'bob', other);
    watches.endAll();
    expect(other.ended).toBe(true);
    expect(watches.open).toBe(0);
  });

  it('gives up a read in flight when all end (the API stopping), without reporting it', async () => {
    let signalOfPoll: AbortSignal | undefined;
    const errors: string[] = [];
    const stalled: WatchSource = {
      revisionOf: async () => source.revision,
      readView: (id, _atLeast, signal) => {
        // The first read answers; the poll's read hangs until it is given up.
        if (source.viewReads++ === 0) return Promise.resolve({ id, revision: 3 } as unknown as IncidentView);
        signalOfPoll = signal;
        return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new Error('given up')), { once: true }));
      },
    };
    const watches = new IncidentWatches(stalled, { pollMs: 500 }, (_id, error) => errors.push(String(error)));
    await watches.watch('inc-1', 'alice', new Sink());
    source.revision = 4;
    await vi.advanceTimersByTimeAsync(600);
    expect(signalOfPoll?.aborted).toBe(false);
    watches.endAll();
    await vi.advanceTimersByTimeAsync(0);
    expect(signalOfPoll?.aborted).toBe(true);
    expect(errors).toEqual([]);
  });

  it('without a store, reads the view itself and sends it only when its revision rose', async () => {
    const withoutStore: WatchSource = { readView: (id) => source.readView(id) };
    const watches = new IncidentWatches(withoutStore, { pollWithoutStoreMs: 1_000 });
    const sink = new Sink();
    await watches.watch('inc-1', 'alice', sink);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(sink.revisions).toEqual([3]);
    source.revision = 9;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sink.revisions).toEqual([3, 9]);
  });
});
