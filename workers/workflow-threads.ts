/**
 * Workflow stack traces, on or off (WORKER_WORKFLOW_STACK_TRACES). Off by default: the Temporal SDK's promise hook that
 * records them costs about half of the workflow thread's CPU in a replay (workflow-thread-setup.cjs says why), and
 * they serve one thing, the `__stack_trace` query behind the Web UI's "Stack Trace" tab, which an operator can turn
 * back on for a worker while looking into a stuck incident.
 *
 * The SDK has no option for it and starts its workflow threads itself, inside Worker.create, with
 * `new worker_threads.Worker(<its thread file>)`. So, while a worker is created, that constructor is wrapped to start
 * those threads (and only those) with `--require workflow-thread-setup.cjs` added to the process's own node flags.
 * test/workflow/workflow-stack-traces.test.ts checks both settings against the SDK in use.
 */
import { existsSync } from 'node:fs';
import workerThreads from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

/** Beside this module: workers/ from source, dist/workers/ once built (`npm run build` copies it). */
export const WORKFLOW_THREAD_SETUP = fileURLToPath(new URL('./workflow-thread-setup.cjs', import.meta.url));

/** The SDK's workflow thread file, as its ThreadedVMWorkflowCreator names it. */
const SDK_THREAD_FILE = /[\\/]@temporalio[\\/]worker[\\/]lib[\\/]workflow[\\/]workflow-worker-thread\.js$/;

const OriginalWorker = workerThreads.Worker;
let creating = 0;

/**
 * Starts the SDK's workflow threads with the setup, other threads as asked. The thread keeps the process's own node
 * flags where a thread may take them; where one is not for threads (V8's, like --max-old-space-size, which apply to
 * every thread anyway), it gets the setup alone.
 */
function workflowThreadWithSetup(filename: string | URL, options: workerThreads.WorkerOptions = {}): workerThreads.Worker {
  const file = filename instanceof URL ? fileURLToPath(filename) : filename;
  if (!SDK_THREAD_FILE.test(file)) return new OriginalWorker(filename, options);
  const setup = ['--require', WORKFLOW_THREAD_SETUP];
  try {
    return new OriginalWorker(filename, { ...options, execArgv: [...(options.execArgv ?? process.execArgv), ...setup] });
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw error;
    return new OriginalWorker(filename, { ...options, execArgv: setup });
  }
}

/**
 * Runs `create` (which makes a Temporal Worker) so that its workflow threads keep stack traces or not. Workers created
 * at the same time share one wrapping (the constructor is put back when the last of them is made). `onMissing` hears
 * when the setup file is not there (a build that left it out): the worker then runs with stack traces.
 */
export async function withWorkflowThreads<T>(stackTraces: boolean, create: () => Promise<T>, onMissing?: (path: string) => void): Promise<T> {
  if (stackTraces) return create();
  if (!existsSync(WORKFLOW_THREAD_SETUP)) {
    onMissing?.(WORKFLOW_THREAD_SETUP);
    return create();
  }
  // Called with `new` by the SDK: a constructor function that returns an object gives that object.
  if (creating++ === 0) workerThreads.Worker = workflowThreadWithSetup as unknown as typeof OriginalWorker;
  try {
    return await create();
  } finally {
    if (--creating === 0) workerThreads.Worker = OriginalWorker;
  }
}
