/**
 * Drives a flood of commands into one incident, the way a busy channel, a script and monitoring would at once: notes,
 * task checks and reopens, assignments and status updates over the REST API (Updates), and notes as Signals. Each
 * command is marked so that afterwards it can be found in the timeline exactly once. Shared by the soak test and the
 * flood benchmark (bench/command-flood.ts).
 */
import type { Client } from '@temporalio/client';
import { pino, type Logger } from 'pino';
import type { WorkflowHandle } from '@temporalio/client';
import type { RecordStorePort } from '../../activities/ports/record-store.js';
import type { TimelineEvent } from '../../domain/timeline.js';
import { mergeTimelines } from '../../domain/timeline-filter.js';
import { commandSignals, incidentViewQuery, incidentWorkflowId } from '../../workflows/messages.js';
import { waitFor } from './wait-for.js';

/** The playbook a flooded incident runs: five tasks to check, reopen and assign, nothing else to do outside. */
export const floodPlaybook = {
  id: 'flood',
  title: 'Flood',
  checklists: [
    { id: 'one', title: 'One', tasks: [{ id: 'a', title: 'A' }, { id: 'b', title: 'B' }, { id: 'c', title: 'C' }] },
    { id: 'two', title: 'Two', tasks: [{ id: 'd', title: 'D' }, { id: 'e', title: 'E' }] },
  ],
};
export const FLOOD_TASKS = ['a', 'b', 'c', 'd', 'e'];

export interface FloodOptions {
  /** The API's base URL and the incident's ID. */
  apiUrl: string;
  incidentId: string;
  client: Client;
  /** How many commands in all. */
  commands: number;
  /** Commands in flight at once. */
  concurrency: number;
  /** Task IDs to check, reopen and assign (one lane each, so a task's commands stay in order). */
  tasks: string[];
  /** Notes only (the "10,000 notes" flood), or the full mix. */
  notesOnly?: boolean;
  /** Commands per second at most (paced evenly); as fast as they are answered when unset. */
  ratePerSecond?: number;
  headers?: Record<string, string>;
  /** Called every `every` commands with the number sent. */
  onProgress?: (sent: number) => void;
  every?: number;
}

export interface FloodExpectation {
  /** Marker text → how many times it must appear in note / status-update events. */
  markers: Set<string>;
  /** Task ID → how many task_state_changed and task_assigned events its commands make. */
  taskChanges: Map<string, number>;
  assignments: Map<string, number>;
  sentByUpdate: number;
  sentBySignal: number;
  /** Commands the API refused in the end (should be none): status and body. */
  refused: Array<{ status: number; body: string }>;
  /** Commands sent again after a 504 or a 503 (same Idempotency-Key). */
  retriedAfterTimeout: number;
  elapsedMs: number;
}

/** One command of the mix, chosen by its number so that a run is reproducible. */
type Step =
  | { via: 'update'; kind: 'note' | 'statusUpdate'; marker: string }
  | { via: 'signal'; kind: 'note'; marker: string }
  | { via: 'update'; kind: 'task'; task: string };

export async function floodIncident(options: FloodOptions): Promise<FloodExpectation> {
  const { apiUrl, incidentId, client, commands, concurrency, tasks } = options;
  const handle = client.workflow.getHandle(incidentWorkflowId(incidentId));
  const expectation: FloodExpectation = {
    markers: new Set(),
    taskChanges: new Map(tasks.map((t) => [t, 0])),
    assignments: new Map(tasks.map((t) => [t, 0])),
    sentByUpdate: 0,
    sentBySignal: 0,
    refused: [],
    retriedAfterTimeout: 0,
    elapsedMs: 0,
  };
  // Per task: the next command cycles complete → assign → reopen → unassign, so each is always allowed.
  const taskCycle = new Map(tasks.map((t) => [t, 0]));
  const taskLanes = new Map<string, Promise<void>>(tasks.map((t) => [t, Promise.resolve()]));
  const stepOf = (n: number): Step => {
    const marker = `flood-${n}`;
    if (options.notesOnly) return n % 5 === 4 ? { via: 'signal', kind: 'note', marker } : { via: 'update', kind: 'note', marker };
    const slot = n % 20;
    if (slot < 8) return { via: 'update', kind: 'note', marker };
    if (slot < 12) return { via: 'signal', kind: 'note', marker };
    if (slot < 13) return { via: 'update', kind: 'statusUpdate', marker };
    return { via: 'update', kind: 'task', task: tasks[n % tasks.length]! };
  };

  /** Sends command `n` as a careful client does: with an Idempotency-Key, sent again after a 429 or a 504. */
  const post = async (n: number, path: string, body: unknown): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(`${apiUrl}/api/v1/incidents/${incidentId}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', prefer: 'return=minimal', 'idempotency-key': `flood-${incidentId}-${n}`, ...options.headers },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      // Over the rate limit: wait as told and send again (the command was not applied).
      if (response.status === 429) {
        await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get('retry-after') ?? 1) * 1000));
        continue;
      }
      // Not answered in time (it may still apply), or not taken at all (503): it goes again under the same key, which
      // applies it once.
      if ((response.status === 504 || response.status === 503) && attempt < 3) {
        if (response.status === 503) await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get('retry-after') ?? 1) * 1000));
        expectation.retriedAfterTimeout++;
        continue;
      }
      if (response.status !== 200) expectation.refused.push({ status: response.status, body: text.slice(0, 300) });
      return;
    }
  };

  const runStep = async (n: number): Promise<void> => {
    const step = stepOf(n);
    if (step.kind === 'task') {
      // Chained on the task's lane: the cycle position is taken when its turn comes.
      const lane = taskLanes.get(step.task)!.then(async () => {
        const position = taskCycle.get(step.task)!;
        taskCycle.set(step.task, position + 1);
        expectation.sentByUpdate++;
        if (position % 4 === 0 || position % 4 === 2) {
          expectation.taskChanges.set(step.task, expectation.taskChanges.get(step.task)! + 1);
          await post(n, `/tasks/${step.task}/${position % 4 === 0 ? 'complete' : 'reopen'}`, { actor: 'bob' });
        } else {
          expectation.assignments.set(step.task, expectation.assignments.get(step.task)! + 1);
          await post(n, `/tasks/${step.task}/assign`, { assignee: position % 4 === 1 ? 'dave' : null, actor: 'bob' });
        }
      });
      taskLanes.set(step.task, lane);
      return lane;
    }
    expectation.markers.add(step.marker);
    if (step.via === 'signal') {
      expectation.sentBySignal++;
      await handle.signal(commandSignals.addNote, { text: step.marker, actor: 'carol' });
      return;
    }
    expectation.sentByUpdate++;
    if (step.kind === 'note') await post(n, '/notes', { text: step.marker, actor: 'alice' });
    else await post(n, '/status-updates', { message: step.marker, actor: 'alice' });
  };

  const started = performance.now();
  let next = 0;
  const every = options.every ?? 500;
  const worker = async (): Promise<void> => {
    while (next < commands) {
      const n = next++;
      if (options.ratePerSecond) {
        const due = started + (n * 1000) / options.ratePerSecond;
        if (due > performance.now()) await new Promise((resolve) => setTimeout(resolve, due - performance.now()));
      }
      await runStep(n);
      if (options.onProgress && (n + 1) % every === 0) options.onProgress(n + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await Promise.all(taskLanes.values());
  expectation.elapsedMs = performance.now() - started;
  return expectation;
}

/** What the timeline shows of the flood: which markers appear how often, and the task events per task. */
export function tallyTimeline(events: readonly TimelineEvent[]) {
  const markers = new Map<string, number>();
  const taskChanges = new Map<string, number>();
  const assignments = new Map<string, number>();
  for (const event of events) {
    if (event.kind === 'note' && /^flood-\d+$/.test(event.text)) markers.set(event.text, (markers.get(event.text) ?? 0) + 1);
    if (event.kind === 'status_update_posted') {
      const marker = /flood-\d+/.exec(event.text)?.[0];
      if (marker) markers.set(marker, (markers.get(marker) ?? 0) + 1);
    }
    const taskId = typeof event.data?.taskId === 'string' ? event.data.taskId : undefined;
    if (taskId && event.kind === 'task_state_changed') taskChanges.set(taskId, (taskChanges.get(taskId) ?? 0) + 1);
    if (taskId && event.kind === 'task_assigned') assignments.set(taskId, (assignments.get(taskId) ?? 0) + 1);
  }
  return { markers, taskChanges, assignments };
}

/**
 * Times the view query now and then while something runs; returns the durations in milliseconds. A query Temporal
 * turns away (RESOURCE_EXHAUSTED: it buffers one query while the workflow task runs; or a buffered query dropped when
 * the run continues as new) is counted in `turnedAway`.
 */
export function sampleViewQuery(client: Client, incidentId: string, intervalMs = 200) {
  const handle = client.workflow.getHandle(incidentWorkflowId(incidentId));
  const counts = { turnedAway: 0 };
  const sampler = sampleEvery(intervalMs, async () => {
    try {
      await handle.query(incidentViewQuery);
    } catch (error) {
      // Turned away: the buffer is full, the buffered query was dropped at a continue-as-new ("please retry"), or it
      // waited past its deadline on a machine busy with other tests.
      if (!/RESOURCE_EXHAUSTED|query buffer is full|buffered query cleared|query timed out before a worker could process it/.test(String((error as { cause?: unknown }).cause ?? error))) throw error;
      counts.turnedAway++;
    }
  });
  return { stop: async () => Object.assign(await sampler.stop(), counts) };
}

/** Times `GET /incidents/:id` now and then while something runs, and counts who answered (incident or store). */
export function sampleViewRoute(apiUrl: string, incidentId: string, intervalMs = 200) {
  const sources = new Map<string, number>();
  const answers: Array<{ at: number; source: string; ms: number }> = [];
  const sampler = sampleEvery(intervalMs, async () => {
    const started = performance.now();
    const response = await fetch(`${apiUrl}/api/v1/incidents/${incidentId}`);
    if (response.status !== 200) throw new Error(`GET /incidents/${incidentId} answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
    const source = response.headers.get('x-incident-view-source') ?? 'none';
    sources.set(source, (sources.get(source) ?? 0) + 1);
    answers.push({ at: started, source, ms: performance.now() - started });
  });
  return { stop: async () => ({ durations: await sampler.stop(), sources, answers }) };
}

function sampleEvery(intervalMs: number, read: () => Promise<void>) {
  const durations: number[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const started = performance.now();
      await read();
      durations.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop(): Promise<number[]> {
      stopped = true;
      await loop;
      return durations;
    },
  };
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/**
 * The API's logger for a flood: its error lines (a 5xx names its cause there) are kept, so a test that finds a command
 * refused can say why; FLOOD_LOG=<level> writes the log to stdout instead.
 */
export function floodLogger(): { logger: Logger; errors: string[] } {
  const errors: string[] = [];
  if (process.env.FLOOD_LOG) return { logger: pino({ level: process.env.FLOOD_LOG }), errors };
  return { logger: pino({ level: 'error' }, { write: (line: string) => void errors.push(line.slice(0, 2_000)) }), errors };
}

/**
 * Waits until the store holds the incident's record as the workflow has it now (from incident-v14 the worker's sink
 * writes it a moment after each change) and returns the view and the whole timeline as readers see it: the store's
 * events, then the ones the state holds that the store has not been given yet (the record activity stores them every
 * 100).
 */
export async function storeCaughtUp(
  handle: WorkflowHandle,
  store: Pick<RecordStorePort, 'timeline'> & { revisionOf(id: string): Promise<number | undefined> },
  what = "the store to hold the incident's record as it is",
  timeoutMs = 30_000,
) {
  const { view } = await waitFor(
    async () => {
      const view = await handle.query(incidentViewQuery);
      return { view, stored: await store.revisionOf(view.id) };
    },
    (probe) => probe.stored === probe.view.revision,
    { what, timeoutMs },
  );
  return { view, ...mergeTimelines(await store.timeline.list(view.id), view.timeline, view.timelineDropped) };
}
