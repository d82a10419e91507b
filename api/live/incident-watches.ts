/**
 * Live incident pages: who watches which incident, and one poller per watched incident however many pages show it.
 *
 * The incident writes its record to the store within moments of each change (workflows/incident-record.ts; the
 * worker's writer writes an incident's record at most once per 150 ms), so the record's revision says cheaply whether
 * anything changed: one indexed read every half second per watched incident, shared by all its watchers, and only when
 * it rises one read of the view, serialized once and sent to every watcher. That works across API replicas (the store
 * is shared) and costs the incident's workflow nothing. Without a store the poller asks the incident itself, less
 * often.
 *
 * Bounded: a process serves at most `maxStreams` watchers and a caller `maxPerCaller` (a visible tab holds one, a hidden
 * one none; a browser allows six connections per site over HTTP/1.1, so more is someone on several devices or a
 * script), and each stream ends after `maxStreamMs` (the browser reconnects, which checks the sign-in again).
 */
import type { IncidentView } from '../../domain/incident.js';
import { HttpError } from '../http-error.js';

export interface WatchSource {
  /** The store's revision of the incident's record, or undefined when the store has none (or there is no store). */
  revisionOf?(incidentId: string): Promise<number | undefined>;
  /** The incident's view, at least at this revision when one is given; `signal` gives the read up (the API stopping). */
  readView(incidentId: string, atLeastRevision?: number, signal?: AbortSignal): Promise<IncidentView>;
}

export interface WatchLimits {
  /** How often a watched incident's revision is read (store), in ms. */
  pollMs: number;
  /** How often the view itself is read when there is no store, in ms. */
  pollWithoutStoreMs: number;
  maxStreams: number;
  maxPerCaller: number;
  /** A comment line this often keeps proxies from closing a quiet stream. */
  heartbeatMs: number;
  maxStreamMs: number;
}

export const DEFAULT_WATCH_LIMITS: WatchLimits = {
  pollMs: 500,
  pollWithoutStoreMs: 1_000,
  maxStreams: 200,
  maxPerCaller: 8,
  heartbeatMs: 15_000,
  maxStreamMs: 15 * 60_000,
};

/** Where a watcher's frames go (the response of an event stream). */
export interface WatchSink {
  send(frame: string): void;
  /** Ends the stream (the limit of its life, or the API stopping). */
  end(): void;
}

interface Watcher {
  caller: string;
  sink: WatchSink;
  /** The newest revision this watcher has been sent. */
  sent: number;
  timers: NodeJS.Timeout[];
}

interface Watch {
  watchers: Set<Watcher>;
  timer?: NodeJS.Timeout;
  /** The newest revision read so far. */
  known: number;
  busy: boolean;
}

/** One server-sent event: the view, its revision as the event ID (so a reconnect says where it was). */
export function incidentFrame(view: IncidentView): string {
  return `id: ${view.revision}\nevent: incident\ndata: ${JSON.stringify(view)}\n\n`;
}

export class IncidentWatches {
  private readonly watches = new Map<string, Watch>();
  private readonly perCaller = new Map<string, number>();
  private streams = 0;
  private readonly limits: WatchLimits;
  /**
   * Aborted by endAll: a read still in flight then (a poll, or a page opening) is given up, not left to retry its query
   * against a Temporal connection the API is about to close.
   */
  private readonly ending = new AbortController();

  constructor(
    private readonly source: WatchSource,
    limits: Partial<WatchLimits> = {},
    private readonly onError: (incidentId: string, error: unknown) => void = () => undefined,
  ) {
    this.limits = { ...DEFAULT_WATCH_LIMITS, ...limits };
  }

  /** How many streams are open (the web_streams_open gauge). */
  get open(): number {
    return this.streams;
  }

  /**
   * Starts watching: the current view is sent at once unless the watcher already has it (`lastRevision`, from the
   * browser's Last-Event-ID), then each newer one. Refuses (429, 503) past the limits; the incident's absence is the
   * view read's error (404).
   */
  async watch(incidentId: string, caller: string, sink: WatchSink, lastRevision = 0): Promise<() => void> {
    if (this.streams >= this.limits.maxStreams) {
      throw new HttpError(503, 'unavailable', `this API process already serves ${this.limits.maxStreams} live pages; try again shortly`, [], 5);
    }
    if ((this.perCaller.get(caller) ?? 0) >= this.limits.maxPerCaller) {
      throw new HttpError(429, 'rate_limited', `"${caller}" already has ${this.limits.maxPerCaller} live pages open; close one`, [], 5);
    }
    const view = await this.source.readView(incidentId, undefined, this.ending.signal);
    const watcher: Watcher = { caller, sink, sent: lastRevision, timers: [] };
    if (view.revision > watcher.sent) {
      sink.send(incidentFrame(view));
      watcher.sent = view.revision;
    }
    this.streams += 1;
    this.perCaller.set(caller, (this.perCaller.get(caller) ?? 0) + 1);
    const watch: Watch = this.watches.get(incidentId) ?? { watchers: new Set<Watcher>(), known: view.revision, busy: false };
    watch.known = Math.max(watch.known, view.revision);
    watch.watchers.add(watcher);
    if (!this.watches.has(incidentId)) {
      this.watches.set(incidentId, watch);
      watch.timer = setInterval(() => void this.poll(incidentId, watch), this.source.revisionOf ? this.limits.pollMs : this.limits.pollWithoutStoreMs);
      watch.timer.unref();
    }
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      for (const timer of watcher.timers) clearTimeout(timer);
      watch.watchers.delete(watcher);
      this.streams -= 1;
      const left = (this.perCaller.get(caller) ?? 1) - 1;
      if (left > 0) this.perCaller.set(caller, left);
      else this.perCaller.delete(caller);
      if (watch.watchers.size === 0) {
        clearInterval(watch.timer);
        this.watches.delete(incidentId);
      }
    };
    const heartbeat = setInterval(() => sink.send(': ping\n\n'), this.limits.heartbeatMs);
    const lifetime = setTimeout(() => {
      close();
      sink.end();
    }, this.limits.maxStreamMs);
    heartbeat.unref();
    lifetime.unref();
    watcher.timers.push(heartbeat, lifetime);
    return close;
  }

  /** Ends every stream (the API stopping: open streams would keep the server from closing). */
  endAll(): void {
    this.ending.abort();
    for (const watch of [...this.watches.values()]) {
      clearInterval(watch.timer);
      for (const watcher of [...watch.watchers]) {
        for (const timer of watcher.timers) clearTimeout(timer);
        watcher.sink.end();
      }
    }
    this.watches.clear();
    this.perCaller.clear();
    this.streams = 0;
  }

  private async poll(incidentId: string, watch: Watch): Promise<void> {
    // A slow read (a busy store, an incident slow to answer) is not stacked up behind by the next tick.
    if (watch.busy) return;
    watch.busy = true;
    try {
      const stored = this.source.revisionOf ? await this.source.revisionOf(incidentId) : undefined;
      if (this.source.revisionOf && (stored === undefined || stored <= watch.known)) return;
      const view = await this.source.readView(incidentId, stored, this.ending.signal);
      if (view.revision <= watch.known) return;
      watch.known = view.revision;
      const frame = incidentFrame(view);
      for (const watcher of watch.watchers) {
        if (watcher.sent >= view.revision) continue;
        watcher.sink.send(frame);
        watcher.sent = view.revision;
      }
    } catch (error) {
      // Given up because the API is stopping: nothing to tell.
      if (!this.ending.signal.aborted) this.onError(incidentId, error);
    } finally {
      watch.busy = false;
    }
  }
}
