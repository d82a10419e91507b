/**
 * The stack every command flood runs on (the flood tests in test/e2e, bench/soak.ts and bench/command-flood.ts): an
 * incident worker with the in-memory integrations and a SQLite store, an API with its rate limit raised so the flood
 * goes as fast as the API and the worker take it, and one acknowledged incident on the flood's playbook. The figures of
 * a flood are history sizes and counts, so the worker runs in this process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { pino, type Logger } from 'pino';
import { startApi } from '../../api/server.js';
import { InMemoryWorkspace } from '../fakes/in-memory-workspace.js';
import { openDatabase } from '../../store/database.js';
import { IncidentRecordRepository } from '../../store/incident-records.js';
import { loadPlaybookDirectory } from '../../store/playbook-files.js';
import { lookupFromFiles } from '../../store/playbook-lookup.js';
import type { IncidentWorkflowOptions } from '../../workflows/incident.js';
import { createIncidentWorker } from '../../workers/incident-worker.js';
import { floodPlaybook } from './command-flood.js';

export interface FloodStack {
  apiUrl: string;
  records: IncidentRecordRepository;
  /** The flood's incident, started and acknowledged. */
  incidentId: string;
  /** Stops the API and the worker and removes the store (not the Temporal environment: the caller made it). */
  stop(): Promise<void>;
}

export async function startFloodStack(
  env: TestWorkflowEnvironment,
  options: {
    name: string;
    incidentName: string;
    workflowBundle?: { code: string };
    /** The API's logger (silent by default). */
    logger?: Logger;
    /** On top of hourly member looks (a test lowers continue-as-new's count). */
    workflowOptions?: IncidentWorkflowOptions;
  },
): Promise<FloodStack> {
  const directory = await mkdtemp(join(tmpdir(), `${options.name}-`));
  const database = await openDatabase({ url: `sqlite:${join(directory, 'store.sqlite')}` });
  const records = new IncidentRecordRepository(database.db);
  const taskQueue = `${options.name}-${Date.now()}`;
  const worker = await createIncidentWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : {}),
    dependencies: { integrations: new InMemoryWorkspace(), records },
  });
  const running = worker.run();
  const api = await startApi({
    client: env.client,
    taskQueue,
    playbooks: lookupFromFiles(loadPlaybookDirectory(fileURLToPath(new URL('../../playbooks', import.meta.url)))),
    records,
    logger: options.logger ?? pino({ level: 'silent' }),
    host: '127.0.0.1',
    port: 0,
    rateLimit: { count: 1_000_000, unit: 's' },
    incidentWorkflowOptions: { membershipCheckIntervalMs: 3_600_000, ...options.workflowOptions },
  });
  const stop = async (): Promise<void> => {
    await api.stop();
    worker.shutdown();
    await running;
    await database.close();
    await rm(directory, { recursive: true, force: true });
  };
  try {
    const started = await fetch(`${api.url}/api/v1/incidents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: options.incidentName, reporter: 'alice', playbook: floodPlaybook }),
    });
    if (!started.ok) throw new Error(`the flood's incident did not start: ${started.status} ${await started.text()}`);
    const { id } = (await started.json()) as { id: string };
    await fetch(`${api.url}/api/v1/incidents/${id}/acknowledge`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    return { apiUrl: api.url, records, incidentId: id, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
