/**
 * A worker in a process of its own (test/fixtures/crash-worker.ts: plain node with tsx's loader, so SIGKILL really
 * kills the worker), on the real adapters against the sandboxes; resolves once it polls.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('../fixtures/crash-worker.ts', import.meta.url));

export async function startWorkerProcess(options: { temporalAddress: string; taskQueue: string; sandboxUrls: unknown }): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: options.temporalAddress,
      CRASH_TASK_QUEUE: options.taskQueue,
      CRASH_SANDBOX_URLS: JSON.stringify(options.sandboxUrls),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker process exited early (${code}): ${stderr}`)));
  });
  return child;
}

/** Kills the processes still running (after a test that may have failed half-way). */
export function killAll(children: ChildProcess[]): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
