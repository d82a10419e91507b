/**
 * The incident worker the benchmarks measure, in a process of its own (started by bench/lib/spawn-worker.ts as plain
 * node with tsx's loader): its CPU and memory in /proc are the worker's alone, not the benchmark's, the sandboxes' or
 * the Temporal server's. Like a production worker it loads a prebuilt workflow bundle (no webpack in the process) and
 * writes incident records to a store; its integrations are the real adapters against the benchmark's sandboxes.
 *
 * Configured by the environment (BENCH_*), it talks to its parent over the IPC channel: `ready` once polling, and
 * answers `status` (memory, cache), `snapshot` (the workflow thread's heap to a file) and `stop` (drain, then exit).
 */
import { readFileSync } from 'node:fs';
import { DefaultLogger, NativeConnection, Runtime, type LogEntry } from '@temporalio/worker';
import { openDatabase } from '../store/database.js';
import { IncidentRecordRepository } from '../store/incident-records.js';
import { StoreSharedLocks } from '../store/shared-locks.js';
import { sandboxPorts } from '../test/helpers/sandboxes.js';
import { createIncidentWorker } from '../workers/incident-worker.js';
import { installCallTags } from './lib/call-tags.js';
import { watchWorkflowThread, type ThreadHeap } from './lib/workflow-thread.js';
import { messageOf } from '../domain/errors.js';

export interface WorkerReport {
  /** The main thread's (workflows run in a thread of their own, whose heap is not in these figures; RSS has it). */
  memory: NodeJS.MemoryUsage;
  cachedWorkflows: number;
  maxCachedWorkflows: number;
  inFlightActivities: number;
  /**
   * The workflow thread's V8 heap (where cached incidents live), after a full collection when the status asked for
   * one: what the cache holds, without the garbage and free pages RSS also counts.
   */
  workflowHeap?: ThreadHeap;
  /** The SDK's warnings so far (its core's too), counted rather than printed over the benchmark's output. */
  warnings: { count: number; examples: string[] };
}

export type ToWorker = { type: 'status'; collect?: boolean } | { type: 'snapshot'; path: string } | { type: 'stop' };
export type FromWorker =
  | { type: 'ready'; maxCachedWorkflows: number }
  | ({ type: 'status' } & WorkerReport)
  | { type: 'snapshot'; written: boolean }
  | { type: 'error'; message: string };

const { BENCH_TEMPORAL_ADDRESS, BENCH_TASK_QUEUE, BENCH_SANDBOX_URLS, BENCH_BUNDLE_PATH, BENCH_STORE_URL, BENCH_MAX_CACHED_WORKFLOWS, BENCH_TAG_CALLS } = process.env;
if (!BENCH_TEMPORAL_ADDRESS || !BENCH_TASK_QUEUE || !BENCH_SANDBOX_URLS || !BENCH_BUNDLE_PATH || !process.send) {
  throw new Error('bench worker: missing environment or IPC channel (start it with bench/lib/spawn-worker.ts)');
}
const send = (message: FromWorker) => process.send!(message);
const debug = (line: string) => {
  if (process.env.BENCH_DEBUG) process.stderr.write(`bench worker ${process.pid} ${performance.now().toFixed(0)} ms: ${line}\n`);
};

if (BENCH_TAG_CALLS === '1') installCallTags();
const warnings = { count: 0, examples: [] as string[] };
const onLog = ({ level, message }: LogEntry) => {
  if (level === 'ERROR') {
    process.stderr.write(`benchmark worker: ${message}\n`);
    return;
  }
  warnings.count++;
  if (warnings.examples.length < 5 && !warnings.examples.includes(message)) warnings.examples.push(message);
};
Runtime.install({ logger: new DefaultLogger('WARN', onLog), telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } } });
const connection = await NativeConnection.connect({ address: BENCH_TEMPORAL_ADDRESS });
const database = BENCH_STORE_URL ? await openDatabase({ url: BENCH_STORE_URL }) : undefined;
const worker = await createIncidentWorker({
  connection,
  namespace: 'default',
  taskQueue: BENCH_TASK_QUEUE,
  workflowBundle: { code: readFileSync(BENCH_BUNDLE_PATH, 'utf8') },
  dependencies: {
    // As a production worker: sidebar writes under the store's shared lock.
    integrations: sandboxPorts(JSON.parse(BENCH_SANDBOX_URLS), 10_000, 'opsgenie', database ? new StoreSharedLocks(database.db) : undefined),
    ...(database ? { records: new IncidentRecordRepository(database.db) } : {}),
  },
  tuning: {
    identity: `bench-worker-${process.pid}`,
    ...(BENCH_MAX_CACHED_WORKFLOWS ? { maxCachedWorkflows: Number(BENCH_MAX_CACHED_WORKFLOWS) } : {}),
  },
});
const maxCachedWorkflows = worker.options.maxCachedWorkflows;
const workflowThread = await watchWorkflowThread();
// A CPU profile of the workflow thread, written when the worker is asked to stop (where an activation's time goes).
const cpuProfilePath = process.env.BENCH_WORKFLOW_CPU_PROFILE;
const cpuProfile = cpuProfilePath ? await workflowThread.startCpuProfile() : undefined;

process.on('message', (message: ToWorker) => {
  if (message.type === 'status') {
    void (async () => {
      // Absent rather than failing the status: the figure is extra, the status is what the benchmark waits for.
      const workflowHeap = await workflowThread.heap({ collect: message.collect === true }).catch(() => undefined);
      const status = worker.getStatus();
      send({
        type: 'status',
        memory: process.memoryUsage(),
        cachedWorkflows: status.numCachedWorkflows,
        maxCachedWorkflows,
        inFlightActivities: status.numInFlightActivities,
        ...(workflowHeap ? { workflowHeap } : {}),
        warnings,
      });
    })();
  } else if (message.type === 'snapshot') {
    void workflowThread.snapshot(message.path).then(
      (written) => send({ type: 'snapshot', written }),
      () => send({ type: 'snapshot', written: false }),
    );
  } else if (message.type === 'stop') {
    debug('stop asked');
    void (cpuProfile && cpuProfilePath ? cpuProfile.stop(cpuProfilePath).catch((error: unknown) => debug(`no CPU profile: ${String(error)}`)) : Promise.resolve()).finally(() =>
      worker.shutdown(),
    );
  }
});
// The parent going away must not leave a worker polling on its own.
process.on('disconnect', () => {
  if (worker.getState() === 'RUNNING') worker.shutdown();
});

const running = worker.run();
send({ type: 'ready', maxCachedWorkflows });
try {
  await running;
  debug('drained');
} catch (error) {
  send({ type: 'error', message: messageOf(error) });
  process.exitCode = 1;
} finally {
  await connection.close();
  await database?.close();
  debug('closed');
  process.disconnect?.();
}
// Nothing is left to do; whatever native handle might still hold the event loop must not keep the process around.
process.exit();
