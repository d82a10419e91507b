/**
 * The worker's record writer (incident-v14): the records incidents hand over through the sink reach the store soon,
 * in few writes under a flood, never backwards; a store that refuses is tried again, and given up to the workflow's
 * next change or confirmation after the last try.
 */
import type { Logger } from '@temporalio/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RecordStorePort } from '../../activities/ports/record-store.js';
import type { IncidentView } from '../../domain/incident.js';
import { IncidentRecordWriter, incidentRecordSinks, RECORD_WRITE_LINGER_MS } from '../../workers/incident-record-sink.js';

const view = (id: string, revision: number) => ({ id, revision, status: 'reported' }) as IncidentView;

/** A store that records each write; `hold` makes writes wait for a gate, `refuse` makes the next ones throw. */
function recordingStore() {
  const writes: string[] = [];
  let gate: Promise<void> | undefined;
  let refusals = 0;
  let inFlight = 0;
  let mostInFlight = 0;
  const written: Array<() => void> = [];
  const store: RecordStorePort = {
    timeline: {
      append: () => Promise.reject(new Error('the sink writes no timeline events')),
      list: async () => [],
    },
    async upsertView(v) {
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      try {
        if (gate) await gate;
        if (refusals > 0) {
          refusals--;
          throw new Error('connection refused');
        }
        writes.push(`${v.id}@${v.revision}`);
        written.splice(0).forEach((notify) => notify());
        return { applied: true };
      } finally {
        inFlight--;
      }
    },
  };
  return {
    store,
    writes,
    hold() {
      let open!: () => void;
      gate = new Promise<void>((resolve) => (open = resolve));
      return () => {
        gate = undefined;
        open();
      };
    },
    refuse(times: number) {
      refusals = times;
    },
    /** Resolves after the next record is written. */
    nextWrite: () => new Promise<void>((resolve) => written.push(resolve)),
    mostInFlight: () => mostInFlight,
  };
}

/** The event loop's next turn: the writer starts the writes handed over before it. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A writer counting its writes in `counts` (by outcome), not in the runtime's meter; its changes do not linger unless
 * `lingerMs` is given (the tests of lingering).
 */
function writerFor(store: RecordStorePort, options: ConstructorParameters<typeof IncidentRecordWriter>[1] = {}) {
  const counts: Record<string, number> = {};
  const writes = { add: (n: number, tags?: Record<string, string | number | boolean>) => void (counts[String(tags?.outcome)] = (counts[String(tags?.outcome)] ?? 0) + n) };
  return { writer: new IncidentRecordWriter(store, { writes, lingerMs: 0, ...options }), counts };
}

function capturingLogger() {
  const lines: Array<{ level: string; message: string; meta?: Record<string, unknown> }> = [];
  const waiters: Array<{ level: string; resolve: () => void }> = [];
  const at = (level: string) => (message: string, meta?: Record<string, unknown>) => {
    lines.push({ level, message, ...(meta ? { meta } : {}) });
    for (const waiter of waiters.filter((w) => w.level === level)) waiter.resolve();
  };
  const logger = { log: (level: string, message: string) => at(level.toLowerCase())(message), trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } as Logger;
  return { logger, lines, next: (level: string) => new Promise<void>((resolve) => waiters.push({ level, resolve })) };
}

describe('the incident record writer', () => {
  it('writes a record at once', async () => {
    const s = recordingStore();
    const { writer } = writerFor(s.store);
    writer.accept(view('a', 3));
    expect(writer.idle).toBe(false);
    await writer.drain();
    expect(s.writes).toEqual(['a@3']);
    expect(writer.idle).toBe(true);
  });

  it('starts writing in the next turn of the event loop, not in front of the workflow task it came from', async () => {
    const s = recordingStore();
    const { writer } = writerFor(s.store);
    writer.accept(view('a', 1));
    // Two handed over in the same turn: one write, of the newer.
    writer.accept(view('a', 2));
    expect(s.mostInFlight()).toBe(0);
    expect(writer.idle).toBe(false);
    await nextTurn();
    expect(s.mostInFlight()).toBe(1);
    await writer.drain();
    expect(s.writes).toEqual(['a@2']);
  });

  it('writes one incident one write at a time: of what comes meanwhile, the newest record only', async () => {
    const s = recordingStore();
    const { writer, counts } = writerFor(s.store);
    const release = s.hold();
    writer.accept(view('a', 1));
    await nextTurn();
    writer.accept(view('a', 2));
    writer.accept(view('a', 4));
    // Out of order (a late hand-over from a worker that replayed, say): the newer record stays.
    writer.accept(view('a', 3));
    release();
    await writer.drain();
    expect(s.writes).toEqual(['a@1', 'a@4']);
    expect(counts).toEqual({ written: 2 });
  });

  it('writes at most `concurrency` incidents at once, and all of them in the end', async () => {
    const s = recordingStore();
    const { writer } = writerFor(s.store, { concurrency: 2 });
    const release = s.hold();
    for (const id of ['a', 'b', 'c', 'd', 'e']) writer.accept(view(id, 1));
    await nextTurn();
    release();
    await writer.drain();
    expect(s.mostInFlight()).toBe(2);
    expect([...s.writes].sort()).toEqual(['a@1', 'b@1', 'c@1', 'd@1', 'e@1']);
  });

  it('tries a refused write again, with the newest record by then', async () => {
    const s = recordingStore();
    const log = capturingLogger();
    const { writer, counts } = writerFor(s.store, { retryDelaysMs: [5, 5, 5], logger: log.logger });
    s.refuse(2);
    const warned = log.next('warn');
    writer.accept(view('a', 1));
    await warned;
    writer.accept(view('a', 2));
    await s.nextWrite();
    await writer.drain();
    expect(s.writes).toEqual(['a@2']);
    expect(counts).toEqual({ refused: 2, written: 1 });
    expect(log.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(log.lines.find((l) => l.level === 'info')?.meta).toMatchObject({ incidentId: 'a', tries: 3 });
  });

  it('gives a write up after its last try, saying what writes it then', async () => {
    const s = recordingStore();
    const log = capturingLogger();
    const { writer, counts } = writerFor(s.store, { retryDelaysMs: [5, 5], logger: log.logger });
    s.refuse(Infinity);
    const gaveUp = log.next('error');
    writer.accept(view('a', 1));
    await gaveUp;
    await writer.drain();
    expect(s.writes).toEqual([]);
    expect(counts).toEqual({ refused: 2, given_up: 1 });
    expect(log.lines.filter((l) => l.level === 'error')).toEqual([
      { level: 'error', message: expect.stringMatching(/next change or record confirmation/), meta: { incidentId: 'a', tries: 3, error: 'connection refused' } },
    ]);
    expect(writer.idle).toBe(true);
  });

  it('drains at once what waits out a retry delay (a worker stopping)', async () => {
    const s = recordingStore();
    const log = capturingLogger();
    const { writer } = writerFor(s.store, { retryDelaysMs: [3_600_000], logger: log.logger });
    s.refuse(1);
    const warned = log.next('warn');
    writer.accept(view('a', 4));
    await warned;
    expect(writer.idle).toBe(false);
    await writer.drain();
    expect(s.writes).toEqual(['a@4']);
  });

  it('stops waiting for a store that does not answer when the worker stops, and says so', async () => {
    const s = recordingStore();
    const log = capturingLogger();
    const { writer } = writerFor(s.store, { logger: log.logger });
    const release = s.hold();
    writer.accept(view('a', 1));
    writer.accept(view('b', 1));
    await writer.drain(20);
    expect(log.lines.filter((l) => l.level === 'error')).toEqual([{ level: 'error', message: expect.stringMatching(/did not take/), meta: { waiting: 0, writing: 2 } }]);
    release();
    await writer.drain();
    expect([...s.writes].sort()).toEqual(['a@1', 'b@1']);
  });

  describe('lingering', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it("writes a change after a quiet spell at once, and the incident's next changes together once the linger is over", async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
      const s = recordingStore();
      const { writer, counts } = writerFor(s.store, { lingerMs: RECORD_WRITE_LINGER_MS });
      expect(RECORD_WRITE_LINGER_MS).toBeGreaterThan(0);
      writer.accept(view('a', 1));
      await nextTurn();
      expect(s.writes).toEqual(['a@1']);
      writer.accept(view('a', 2));
      writer.accept(view('a', 3));
      // Another incident's first change is not held back by this one's.
      writer.accept(view('b', 1));
      await nextTurn();
      vi.advanceTimersByTime(RECORD_WRITE_LINGER_MS - 1);
      await nextTurn();
      expect(s.writes).toEqual(['a@1', 'b@1']);
      // The linger since a's write started is over: its newest record goes, without a drain.
      vi.advanceTimersByTime(1);
      expect(s.writes).toEqual(['a@1', 'b@1', 'a@3']);
      await writer.drain();
      expect(counts).toEqual({ written: 3 });
    });

    it('writes a change that came during a write once the linger since that write started is over', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
      const s = recordingStore();
      const { writer } = writerFor(s.store, { lingerMs: 1_000 });
      const release = s.hold();
      writer.accept(view('a', 1));
      await nextTurn();
      expect(s.mostInFlight()).toBe(1);
      vi.advanceTimersByTime(400);
      writer.accept(view('a', 2));
      const first = s.nextWrite();
      release();
      await first;
      await nextTurn();
      vi.advanceTimersByTime(599);
      await nextTurn();
      expect(s.writes).toEqual(['a@1']);
      vi.advanceTimersByTime(1);
      expect(s.writes).toEqual(['a@1', 'a@2']);
    });

    it('forgets the write times past the linger once it remembers more than it keeps, and still holds back the recent', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
      const s = recordingStore();
      const { writer } = writerFor(s.store, { lingerMs: 1_000, writeTimesKept: 3 });
      for (const id of ['a', 'b', 'c', 'd']) writer.accept(view(id, 1));
      await nextTurn();
      // Four written within the linger: none may be forgotten yet, though that is more than three.
      expect(writer.writeTimesRemembered).toBe(4);
      vi.advanceTimersByTime(1_000);
      writer.accept(view('e', 1));
      await nextTurn();
      // e's write is one too many: a to d are past the linger and forgotten.
      expect(writer.writeTimesRemembered).toBe(1);
      // e's next change still waits out the linger; a's (forgotten, long past it) is written at once.
      writer.accept(view('e', 2));
      writer.accept(view('a', 2));
      await nextTurn();
      expect(s.writes).toEqual(['a@1', 'b@1', 'c@1', 'd@1', 'e@1', 'a@2']);
      vi.advanceTimersByTime(1_000);
      expect(s.writes.at(-1)).toBe('e@2');
    });

    it('writes what lingers at once when the worker stops, and what comes while it stops', async () => {
      const s = recordingStore();
      const { writer } = writerFor(s.store, { lingerMs: 3_600_000 });
      writer.accept(view('a', 1));
      await nextTurn();
      writer.accept(view('a', 2));
      await nextTurn();
      expect(s.writes).toEqual(['a@1']);
      const release = s.hold();
      writer.accept(view('b', 1));
      await nextTurn();
      const stopping = writer.drain();
      // A workflow task completing while the worker drains: written in the same drain, not an hour later.
      writer.accept(view('b', 2));
      release();
      await stopping;
      expect([...s.writes].sort()).toEqual(['a@1', 'a@2', 'b@1', 'b@2']);
      expect(writer.idle).toBe(true);
    });
  });

  it('is the sink the workflow calls, never on replay, and a no-op without a store', async () => {
    const s = recordingStore();
    const { writer } = writerFor(s.store);
    const sink = incidentRecordSinks(writer).incidentRecords.changed;
    expect(sink.callDuringReplay).toBe(false);
    sink.fn({} as never, view('a', 1));
    await writer.drain();
    expect(s.writes).toEqual(['a@1']);
    expect(() => incidentRecordSinks(undefined).incidentRecords.changed.fn({} as never, view('a', 2))).not.toThrow();
  });
});
