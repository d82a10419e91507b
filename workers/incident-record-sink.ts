/**
 * The worker's side of the incident record sink (from incident-v14, workflows/incident-record.ts): after each change an
 * incident hands its record (the view, with the timeline events not in the store's timeline table yet) to the worker
 * it runs on, and this writes it to the store at once, outside the workflow: no command, no history, no activity,
 * query or workflow task per change.
 *
 * What it promises is "soon", not "surely": a write in memory here is lost if the process dies, and one the store
 * keeps refusing is given up after a few minutes; the record activity's confirmations (every
 * RECORD_CONFIRM_EVERY_EVENTS timeline events, and when the incident closes) and the next change write it then.
 * Timeline events reach the timeline table through the activity only, every hundred: those in a record are part of it
 * and replaced with it. (A sink is called before the workflow task's completion reaches Temporal, which may refuse
 * it; an event written from such a task could hold a position the incident then gives another event, and the table
 * keeps the first event written at a position.)
 *
 * Writes are versioned by the record's revision, so the sink, the activity and two workers never move the store
 * backwards. Per incident one write at a time, with the newest record: a flood of commands makes few writes, not one
 * per command. An incident's writes start at most once per RECORD_WRITE_LINGER_MS: a change after a quiet spell is
 * written at once, and the changes that follow within that time together, once it is over. So a launch (six workflow
 * tasks within half a second) or a burst of commands is two or three writes, not one per task (each a transaction of
 * five statements and a commit), and the store's lists and live pages are at most that much behind.
 */
import { Runtime, type InjectedSinks } from '@temporalio/worker';
import type { Logger, MetricCounter } from '@temporalio/common';
import type { RecordStorePort } from '../activities/ports/record-store.js';
import type { IncidentView } from '../domain/incident.js';
import type { IncidentRecordSinks } from '../workflows/incident-record.js';
import { messageOf } from '../domain/errors.js';

export interface RecordWriterOptions {
  /** Writes under way at once, over all incidents (a Postgres pool is about this size). */
  concurrency?: number;
  /** Waits between tries of a write the store refused; after the last, the write is left to the workflow. */
  retryDelaysMs?: readonly number[];
  /** The runtime's logger unless given. */
  logger?: Logger;
  /** Counts the writes by outcome; the runtime's metric meter (the worker's Prometheus endpoint) unless given. */
  writes?: Pick<MetricCounter, 'add'>;
  /** The least time between the starts of an incident's writes (RECORD_WRITE_LINGER_MS; 0: every change at once). */
  lingerMs?: number;
  /** Incidents whose last write start is remembered before the ones past the linger are forgotten (WRITE_TIMES_KEPT). */
  writeTimesKept?: number;
}

/**
 * The least time between the starts of one incident's writes; the changes meanwhile go together in the next. A
 * launch's workflow tasks come 20-300 ms apart (the channel, the invitations, the meeting, the ticket, the header): six
 * writes without it, two or three with it. The first change is written at once rather than after a wait: ten incidents
 * launched together would otherwise all write at the same moment, while their channels are being made, and hold the
 * worker's main thread up then (the channel ready of ten at once 30-50 ms later in three alternating rounds). Short
 * beside the live pages' poll of the store (every 500 ms).
 */
export const RECORD_WRITE_LINGER_MS = 150;

/** Incidents whose last write start is remembered, beyond which the ones older than the linger are forgotten. */
const WRITE_TIMES_KEPT = 4_096;

/** What became of a record write: `written`, `refused` (to be tried again), `given_up` (left to the incident). */
type WriteOutcome = 'written' | 'refused' | 'given_up';

/** About five minutes of tries: a store restart or a failover, not an outage (the workflow's confirmation covers that). */
const DEFAULT_RETRY_DELAYS_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000, 60_000, 60_000, 60_000, 60_000];
interface Waiting {
  view: IncidentView;
  /** Tries so far of what is waiting (0 until the store refuses it). */
  failures: number;
}

export class IncidentRecordWriter {
  private readonly waiting = new Map<string, Waiting>();
  /** Incidents ready to write, in order (a Set keeps it); each at most once, and never while its write is under way. */
  private readonly ready = new Set<string>();
  private readonly writing = new Set<string>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  /** Incidents whose change waits out the linger since their last write, by timer. */
  private readonly lingering = new Map<string, NodeJS.Timeout>();
  /** When each incident's last write started (ms), while it may still hold the next one back. */
  private readonly lastWriteAt = new Map<string, number>();
  private readonly idleWaiters: Array<() => void> = [];
  private readonly concurrency: number;
  private readonly retryDelaysMs: readonly number[];
  private readonly lingerMs: number;
  private readonly writeTimesKept: number;
  private readonly explicitLogger: Logger | undefined;
  private readonly explicitWrites: Pick<MetricCounter, 'add'> | undefined;
  private runtimeWrites: MetricCounter | undefined;
  private draining = false;
  private pumpScheduled = false;

  constructor(
    private readonly store: RecordStorePort,
    options: RecordWriterOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 8;
    this.retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.lingerMs = options.lingerMs ?? RECORD_WRITE_LINGER_MS;
    this.writeTimesKept = options.writeTimesKept ?? WRITE_TIMES_KEPT;
    this.explicitLogger = options.logger;
    this.explicitWrites = options.writes;
  }

  /** Incidents whose last write start is remembered now: a worker's memory of them stays bounded (writeTimesKept). */
  get writeTimesRemembered(): number {
    return this.lastWriteAt.size;
  }

  /** Takes a change from an incident: returns at once (the sink's caller, the workflow task's completion, waits for it). */
  accept(view: IncidentView): void {
    const id = view.id;
    const waiting = this.waiting.get(id);
    // Out of order (a late hand-over from a worker that replayed, say): the newer record stays.
    if (!waiting) this.waiting.set(id, { view, failures: 0 });
    else if (view.revision > waiting.view.revision) waiting.view = view;
    this.schedule(id);
  }

  /**
   * When the incident's waiting record is written: with the next try of a refused write, after the write under way,
   * with the one already lingering or ready; else at once, unless its last write started less than lingerMs ago
   * (then once that time is over). A stopping worker (draining) writes what comes at once.
   */
  private schedule(id: string): void {
    if (this.retryTimers.has(id) || this.writing.has(id) || this.lingering.has(id) || this.ready.has(id)) return;
    const last = this.lastWriteAt.get(id);
    const wait = this.draining || last === undefined ? 0 : last + this.lingerMs - Date.now();
    if (wait <= 0) {
      this.markReady(id);
      this.pumpSoon();
      return;
    }
    this.readyLater(this.lingering, id, wait);
  }

  /**
   * Makes the incident's write ready after `delayMs`, its timer kept in `timers` meanwhile (drain clears them). A
   * timer alone does not keep a stopping process alive: drain writes what waits.
   */
  private readyLater(timers: Map<string, NodeJS.Timeout>, id: string, delayMs: number): void {
    const timer = setTimeout(() => {
      timers.delete(id);
      this.markReady(id);
      this.pump();
    }, delayMs);
    timer.unref();
    timers.set(id, timer);
  }

  /** Remembers when the incident's write started: its next one waits out the linger from then. */
  private wroteAt(id: string, now: number): void {
    if (this.lingerMs <= 0) return;
    this.lastWriteAt.delete(id);
    this.lastWriteAt.set(id, now);
    if (this.lastWriteAt.size <= this.writeTimesKept) return;
    // Oldest first (a Map keeps insertion order): those past the linger hold nothing back any more.
    for (const [known, at] of this.lastWriteAt) {
      if (at + this.lingerMs > now) break;
      this.lastWriteAt.delete(known);
    }
  }

  /**
   * Starts the writes after the sink's caller is done: the sink is called between the workflow's activation and its
   * completion, and a write begun at once (SQLite's are synchronous under their promises) ran in front of the
   * completion, about a millisecond more on every workflow task. Changes handed over in the same turn go together.
   */
  private pumpSoon(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Whether nothing is waiting or being written. */
  get idle(): boolean {
    return this.waiting.size === 0 && this.writing.size === 0;
  }

  /**
   * Writes what is waiting now, without waiting out retry delays or lingering, and resolves when done (a worker
   * stopping), or after `timeoutMs` with a store that does not answer. A write the store refuses then is left to the
   * incident.
   */
  async drain(timeoutMs = 10_000): Promise<void> {
    this.draining = true;
    for (const timers of [this.retryTimers, this.lingering]) {
      for (const [id, timer] of timers) {
        clearTimeout(timer);
        timers.delete(id);
        this.markReady(id);
      }
    }
    this.pump();
    let timer: NodeJS.Timeout | undefined;
    if (!this.idle) {
      const done = new Promise<boolean>((resolve) => this.idleWaiters.push(() => resolve(true)));
      const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
      if (!(await Promise.race([done, late]))) {
        this.logger.error('the store did not take the incident records this worker held before it stopped; their incidents write them with their next change or timeline write', {
          waiting: this.waiting.size,
          writing: this.writing.size,
        });
      }
      clearTimeout(timer);
    }
    this.draining = false;
  }

  private get logger(): Logger {
    return this.explicitLogger ?? Runtime.instance().logger;
  }

  private count(outcome: WriteOutcome): void {
    const writes =
      this.explicitWrites ??
      (this.runtimeWrites ??= Runtime.instance().metricMeter.createCounter(
        'incident_record_writes',
        'writes',
        "Incident records the worker wrote to the store after a change, by outcome (written, refused: tried again, given_up: left to the incident's next change or timeline write)",
      ));
    writes.add(1, { outcome });
  }

  private markReady(id: string): void {
    if (!this.writing.has(id)) this.ready.add(id);
  }

  private pump(): void {
    while (this.writing.size < this.concurrency && this.ready.size > 0) {
      const id = this.ready.values().next().value!;
      this.ready.delete(id);
      const entry = this.waiting.get(id);
      if (!entry) continue;
      this.waiting.delete(id);
      this.writing.add(id);
      this.wroteAt(id, Date.now());
      void this.write(id, entry).finally(() => {
        this.writing.delete(id);
        // Changes that came during the write go once the linger since its start is over (unless the write failed and
        // waits for its retry).
        if (this.waiting.has(id)) this.schedule(id);
        this.pump();
        if (this.idle) for (const resolve of this.idleWaiters.splice(0)) resolve();
      });
    }
  }

  private async write(id: string, entry: Waiting): Promise<void> {
    try {
      await this.store.upsertView(entry.view);
      this.count('written');
      if (entry.failures > 0) this.logger.info('incident record written after the store refused it', { incidentId: id, tries: entry.failures + 1 });
    } catch (error) {
      this.refused(id, entry, error);
    }
  }

  /** Puts a refused write back (unless a newer record came meanwhile), and tries again after a while, or gives up. */
  private refused(id: string, entry: Waiting, error: unknown): void {
    const failures = entry.failures + 1;
    const message = messageOf(error);
    const delay = this.retryDelaysMs[failures - 1];
    const givenUp = delay === undefined || this.draining;
    this.count(givenUp ? 'given_up' : 'refused');
    if (givenUp) {
      this.logger.error('incident record not written; its next change or record confirmation writes it', { incidentId: id, tries: failures, error: message });
      this.waiting.delete(id);
      return;
    }
    if (failures === 1) this.logger.warn('the store refused an incident record write; trying again', { incidentId: id, error: message });
    const newer = this.waiting.get(id);
    this.waiting.set(id, { view: newer && newer.view.revision > entry.view.revision ? newer.view : entry.view, failures });
    this.readyLater(this.retryTimers, id, delay);
  }
}

/**
 * The sink the incident workflow calls (registered on every incident worker, so that none logs an unknown sink);
 * without a store there is nothing to write.
 */
export function incidentRecordSinks(writer: IncidentRecordWriter | undefined): InjectedSinks<IncidentRecordSinks> {
  return {
    incidentRecords: {
      changed: {
        fn: (_info, view) => writer?.accept(view),
        // Replaying, the change was handed over when it happened.
        callDuringReplay: false,
      },
    },
  };
}
