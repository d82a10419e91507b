/**
 * The SDK's workflow thread seen from the worker's main thread, through the inspector's NodeWorker domain: the heap
 * the cached incidents live in, before and after a full collection. process.memoryUsage() covers the main thread
 * only, and RSS mixes live objects with garbage V8 has not collected yet and pages it has not given back, so neither
 * says whether memory follows the workflow cache; the workflow thread's heap after a forced collection does.
 *
 * Used by the benchmark's worker process only (bench/worker-process.ts): an inspector session costs nothing while no
 * message goes through it, but a production worker has no use for one.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector';

export interface ThreadHeap {
  usedBytes: number;
  totalBytes: number;
}

export interface WorkflowThreadProbe {
  /**
   * The workflow thread's V8 heap; when `collect` is set, after a full collection there and in this thread (so that
   * RSS and the main thread's figures are also free of garbage). Undefined: no workflow thread.
   */
  heap(options?: { collect?: boolean }): Promise<ThreadHeap | undefined>;
  /**
   * A heap snapshot of the workflow thread (after a full collection), written to `path` for Chrome DevTools or
   * bench/lib/heap-snapshot.ts (bench/cached-heap.ts): what a cached incident is made of. False: no workflow thread.
   */
  snapshot(path: string): Promise<boolean>;
  /**
   * Starts V8's CPU profiler in the workflow thread (BENCH_WORKFLOW_CPU_PROFILE, bench/worker-process.ts): `stop` writes
   * the profile (a .cpuprofile for Chrome DevTools) to `path`. `--cpu-prof` covers the main thread only: the SDK ends
   * its workflow thread without the exit that would write one.
   */
  startCpuProfile(): Promise<{ stop(path: string): Promise<void> } | undefined>;
}

interface WorkerMessage {
  id?: number;
  result?: unknown;
  error?: { message: string };
  method?: string;
  params?: { chunk?: string };
}

export async function watchWorkflowThread(): Promise<WorkflowThreadProbe> {
  const session = new Session();
  session.connect();
  // The SDK starts its workflow thread(s) when the worker is created; with reuseV8Context (the default) there is one.
  const threads: string[] = [];
  session.on('NodeWorker.attachedToWorker', ({ params }) => threads.push(params.sessionId));
  session.on('NodeWorker.detachedFromWorker', ({ params }) => threads.splice(threads.indexOf(params.sessionId) >>> 0, 1));
  const pending = new Map<number, (message: WorkerMessage) => void>();
  // A snapshot arrives as notifications (no id) before the answer to its request; only one is taken at a time.
  let chunks: string[] | undefined;
  session.on('NodeWorker.receivedMessageFromWorker', ({ params }) => {
    const message = JSON.parse(params.message) as WorkerMessage;
    if (message.method === 'HeapProfiler.addHeapSnapshotChunk') chunks?.push(message.params?.chunk ?? '');
    if (message.id === undefined) return;
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  });
  await new Promise<void>((resolve, reject) => session.post('NodeWorker.enable', { waitForDebuggerOnStart: false }, (error) => (error ? reject(error) : resolve())));
  let ids = 0;
  const call = (sessionId: string, method: string, params?: Record<string, unknown>): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = ++ids;
      pending.set(id, (message) => (message.error ? reject(new Error(`${method}: ${message.error.message}`)) : resolve(message.result)));
      session.post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id, method, ...(params ? { params } : {}) }) }, (error) => {
        if (!error) return;
        pending.delete(id);
        reject(error);
      });
    });
  return {
    async heap(options = {}) {
      const thread = threads[0];
      if (thread === undefined) return undefined;
      if (options.collect) {
        await call(thread, 'HeapProfiler.collectGarbage');
        await new Promise<void>((resolve, reject) => session.post('HeapProfiler.collectGarbage', (error) => (error ? reject(error) : resolve())));
      }
      const usage = (await call(thread, 'Runtime.getHeapUsage')) as { usedSize: number; totalSize: number };
      return { usedBytes: usage.usedSize, totalBytes: usage.totalSize };
    },
    async startCpuProfile() {
      const thread = threads[0];
      if (thread === undefined) return undefined;
      await call(thread, 'Profiler.enable');
      // Every 100 µs: workflow activations take a few milliseconds each.
      await call(thread, 'Profiler.setSamplingInterval', { interval: 100 });
      await call(thread, 'Profiler.start');
      return {
        async stop(path) {
          const { profile } = (await call(thread, 'Profiler.stop')) as { profile: unknown };
          await writeFile(path, JSON.stringify(profile));
        },
      };
    },
    async snapshot(path) {
      const thread = threads[0];
      if (thread === undefined || chunks) return false;
      chunks = [];
      try {
        await call(thread, 'HeapProfiler.collectGarbage');
        await call(thread, 'HeapProfiler.takeHeapSnapshot');
        await writeFile(path, chunks.join(''));
        return true;
      } finally {
        chunks = undefined;
      }
    },
  };
}
