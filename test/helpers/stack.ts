/** Runs a worker and the API against the test server, the way `npm start` wires them, on random loopback ports. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { AppOptions } from '../../api/app.js';
import { startApi, type RunningApi } from '../../api/server.js';
import { InMemoryWorkspace } from '../fakes/in-memory-workspace.js';
import { openDatabase } from '../../store/database.js';
import type { Playbook } from '../../domain/playbook/schema.js';
import { PlaybookRepository } from '../../store/playbook-repository.js';
import { IncidentRecordRepository } from '../../store/incident-records.js';
import { loadPlaybookDirectory } from '../../store/playbook-files.js';
import { lookupFromFiles } from '../../store/playbook-lookup.js';
import { runTestWorker, uniqueTaskQueue } from './temporal.js';

export interface TestStack {
  api: RunningApi;
  workspace: InMemoryWorkspace;
  taskQueue: string;
  /** Stops the worker only: the incidents stop answering, the API and the store stay. */
  stopWorker(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestStack(
  env: TestWorkflowEnvironment,
  options: { withWorker?: boolean; commandTimeoutMs?: number; bodyLimit?: string; liveLimits?: AppOptions['liveLimits'] } = {},
): Promise<TestStack> {
  const taskQueue = uniqueTaskQueue('stack');
  const workspace = new InMemoryWorkspace({ onCall: { default: ['oscar@example.com'] } });
  // The store, as in production: incident records (lists) and the whole timeline.
  const storeDirectory = mkdtempSync(join(tmpdir(), 'stack-'));
  const database = await openDatabase({ url: `sqlite:${join(storeDirectory, 'store.sqlite')}` });
  const records = new IncidentRecordRepository(database.db);
  const worker = (options.withWorker ?? true) ? await runTestWorker(env, taskQueue, { integrations: workspace, records }) : undefined;
  const api = await startApi({
    client: env.client,
    records,
    // The playbooks API on the same store (its routes: import, versions, YAML).
    playbookStore: new PlaybookRepository<Playbook>(database.db),
    taskQueue,
    playbooks: lookupFromFiles(loadPlaybookDirectory(new URL('../../playbooks', import.meta.url).pathname)),
    logger: pino({ level: 'silent' }),
    host: '127.0.0.1',
    port: 0,
    ...(options.commandTimeoutMs ? { commandTimeoutMs: options.commandTimeoutMs } : {}),
    ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
    ...(options.liveLimits ? { liveLimits: options.liveLimits } : {}),
    // The API works its alert intake's queue, as every API process does in production.
    alertIntakeWorker: { connection: env.nativeConnection, namespace: env.namespace ?? 'default' },
  });
  let workerRunning = true;
  return {
    api,
    workspace,
    taskQueue,
    async stopWorker() {
      if (workerRunning) await worker?.stop();
      workerRunning = false;
    },
    async stop() {
      await api.stop();
      if (workerRunning) await worker?.stop();
      await database.close();
      rmSync(storeDirectory, { recursive: true, force: true });
    },
  };
}

/** A small JSON client for the API: returns status and parsed body. */
export function apiClient(baseUrl: string) {
  return async function call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: any }> {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // leave as text; tests assert on it
    }
    return { status: response.status, body: parsed };
  };
}
