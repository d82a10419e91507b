/** Starts bench/worker-process.ts as a process of its own and talks to it over IPC. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromWorker, ToWorker, WorkerReport } from '../worker-process.js';

const entry = fileURLToPath(new URL('../worker-process.ts', import.meta.url));

export interface WorkerProcessOptions {
  temporalAddress: string;
  taskQueue: string;
  sandboxUrls: unknown;
  bundlePath: string;
  /** `sqlite:<file>`: the worker writes incident records there, as a production worker does. */
  storeUrl?: string;
  /** The worker's sticky cache size; the SDK's default (from the heap limit) when absent. */
  maxCachedWorkflows?: number;
  /** Tag each HTTP call with the activity that made it (for the floors from the call log). */
  tagCalls?: boolean;
}

/**
 * Node flags for the worker: the heap limit production workers run with (docker-compose.yml, docs/deployment.md),
 * unless BENCH_WORKER_NODE_FLAGS says otherwise (an empty value: V8's own limit, from the machine's memory).
 */
export const workerNodeFlags = (process.env.BENCH_WORKER_NODE_FLAGS ?? '--max-old-space-size=1024').split(/\s+/).filter(Boolean);

export interface WorkerProcess {
  pid: number;
  maxCachedWorkflows: number;
  /** Where it writes incident records, if anywhere. */
  storeUrl: string | undefined;
  /** With `collect`, the workflow thread's heap is measured after a full garbage collection (the main thread's too). */
  status(options?: { collect?: boolean }): Promise<WorkerReport>;
  /** Writes a heap snapshot of the workflow thread to `path` (bench/cached-heap.ts); false if there was none. */
  snapshot(path: string): Promise<boolean>;
  stop(): Promise<void>;
}

export async function spawnWorker(options: WorkerProcessOptions): Promise<WorkerProcess> {
  const child: ChildProcess = fork(entry, [], {
    execArgv: ['--import', 'tsx', ...workerNodeFlags],
    env: {
      ...process.env,
      BENCH_TEMPORAL_ADDRESS: options.temporalAddress,
      BENCH_TASK_QUEUE: options.taskQueue,
      BENCH_SANDBOX_URLS: JSON.stringify(options.sandboxUrls),
      BENCH_BUNDLE_PATH: options.bundlePath,
      BENCH_STORE_URL: options.storeUrl ?? '',
      BENCH_MAX_CACHED_WORKFLOWS: options.maxCachedWorkflows === undefined ? '' : String(options.maxCachedWorkflows),
      BENCH_TAG_CALLS: options.tagCalls ? '1' : '',
    },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8_000);
    process.stderr.write(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = await new Promise<Extract<FromWorker, { type: 'ready' }>>((resolve, reject) => {
    child.on('message', (message: FromWorker) => {
      if (message.type === 'ready') resolve(message);
    });
    void exited.then((code) => reject(new Error(`the benchmark worker exited before it was ready (${code}): ${stderr.slice(-2_000)}`)));
  });
  child.on('message', (message: FromWorker) => {
    if (message.type === 'error') process.stderr.write(`benchmark worker failed: ${message.message}\n`);
  });
  /** Sends `message` and resolves with the worker's next answer of type `type`. */
  const ask = <T extends FromWorker['type']>(message: ToWorker, type: T): Promise<Extract<FromWorker, { type: T }>> =>
    new Promise((resolve, reject) => {
      const onMessage = (answer: FromWorker) => {
        if (answer.type !== type) return;
        child.off('message', onMessage);
        resolve(answer as Extract<FromWorker, { type: T }>);
      };
      child.on('message', onMessage);
      if (!child.connected || !child.send(message)) {
        child.off('message', onMessage);
        reject(new Error('the benchmark worker is gone'));
      }
    });
  const status = async (options: { collect?: boolean } = {}): Promise<WorkerReport> => {
    const { type: _type, ...report } = await ask({ type: 'status', ...(options.collect ? { collect: true } : {}) }, 'status');
    return report;
  };
  const snapshot = async (path: string): Promise<boolean> => (await ask({ type: 'snapshot', path }, 'snapshot')).written;
  return {
    pid: child.pid!,
    maxCachedWorkflows: ready.maxCachedWorkflows,
    storeUrl: options.storeUrl,
    status,
    snapshot,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const asked = performance.now();
      // A record write still in flight asks its incident for the record by query, which a worker that stopped polling
      // would never answer: it would hold the drain for the whole grace time. Let them finish first.
      for (let tries = 0; tries < 50; tries++) {
        const report = await status().catch(() => undefined);
        if (!report || report.inFlightActivities === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      child.send({ type: 'stop' } satisfies ToWorker);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      if (process.env.BENCH_DEBUG) console.log(`worker ${child.pid} stopped in ${(performance.now() - asked).toFixed(0)} ms (${code ?? child.signalCode})`);
    },
  };
}
