/**
 * Temporal takes at most `history.maxTotalUpdates` Updates in one run (2,000 by default) and refuses the rest with
 * FAILED_PRECONDITION until the run continues as new; near that limit a run can also stall for a workflow task
 * timeout (the server refuses the completion of a task that accepted Updates past it). A flood of commands on a busy
 * machine once met the limit while the incident drained before continuing as new at Temporal's suggestion (90 % of
 * the limit), and the API answered each refused command with a 500. The incident now continues as new after its own
 * count of Updates, half the limit (UPDATES_PER_RUN, 1,000), and the API sends a refused Update again.
 *
 * The same ratio, scaled down: a Temporal dev server of its own takes 500 Updates per run and the incident continues
 * after 200, so a flood of 1,500 commands goes through several runs: every command answered and applied once, no run
 * near the limit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startApi, type RunningApi } from '../../api/server.js';
import { mergeTimelines } from '../../domain/timeline-filter.js';
import { openDatabase, type OpenedDatabase } from '../../store/database.js';
import { IncidentRecordRepository } from '../../store/incident-records.js';
import { loadPlaybookDirectory } from '../../store/playbook-files.js';
import { lookupFromFiles } from '../../store/playbook-lookup.js';
import { INCIDENT_SEARCH_ATTRIBUTES } from '../../temporal/search-attributes.js';
import { incidentViewQuery, incidentWorkflowId } from '../../workflows/messages.js';
import { InMemoryWorkspace } from '../fakes/in-memory-workspace.js';
import { FLOOD_TASKS, floodIncident, floodLogger, floodPlaybook, tallyTimeline } from '../helpers/command-flood.js';
import { runTestWorker, uniqueTaskQueue } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait-for.js';

const UPDATES_PER_RUN_LIMIT = 500;
const UPDATES_PER_RUN = 200;
const COMMANDS = 1_500;

let env: TestWorkflowEnvironment;
let worker: Awaited<ReturnType<typeof runTestWorker>>;
let api: RunningApi;
let database: OpenedDatabase;
let records: IncidentRecordRepository;
let directory: string;
const apiLog = floodLogger();

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'update-limit-'));
  database = await openDatabase({ url: `sqlite:${join(directory, 'store.sqlite')}` });
  records = new IncidentRecordRepository(database.db);
  env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: inject('temporalCliPath') },
      ip: '127.0.0.1',
      searchAttributes: [...INCIDENT_SEARCH_ATTRIBUTES],
      extraArgs: ['--dynamic-config-value', `history.maxTotalUpdates=${UPDATES_PER_RUN_LIMIT}`],
    },
  });
  const taskQueue = uniqueTaskQueue('update-limit');
  worker = await runTestWorker(env, taskQueue, { integrations: new InMemoryWorkspace(), records });
  api = await startApi({
    client: env.client,
    taskQueue,
    playbooks: lookupFromFiles(loadPlaybookDirectory(new URL('../../playbooks', import.meta.url).pathname)),
    records,
    logger: apiLog.logger,
    host: '127.0.0.1',
    port: 0,
    rateLimit: { count: 100_000, unit: 's' },
    incidentWorkflowOptions: { membershipCheckIntervalMs: 3_600_000, continueAsNewAfterUpdates: UPDATES_PER_RUN },
  });
}, 120_000);

afterAll(async () => {
  await api?.stop();
  await worker?.stop();
  await env?.teardown();
  await database?.close();
  rmSync(directory, { recursive: true, force: true });
});

it(`answers every command of a flood on a server that takes ${UPDATES_PER_RUN_LIMIT} Updates per run: several runs under the limit, none refused, each applied once`, async () => {
  const started = await fetch(`${api.url}/api/v1/incidents`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Limited', reporter: 'alice', playbook: floodPlaybook }),
  });
  expect(started.status).toBe(201);
  const { id } = (await started.json()) as { id: string };
  // The flood begins once the launch is over: the loop does not look at continue-as-new while it launches, so Updates
  // that came during the launch would count against the first run's drain.
  const handle = env.client.workflow.getHandle(incidentWorkflowId(id));
  await waitFor(() => handle.query(incidentViewQuery), (v) => Object.values(v.launch).every((step) => step.status !== 'pending'), { what: 'the launch over' });

  const sent = await floodIncident({ apiUrl: api.url, incidentId: id, client: env.client, commands: COMMANDS, concurrency: 16, tasks: FLOOD_TASKS });
  if (sent.refused.length) console.log(`refused ${sent.refused.length}; the API's first errors:\n${apiLog.errors.slice(0, 3).join('')}`);
  expect({ refused: sent.refused.length, first: sent.refused.slice(0, 3) }).toEqual({ refused: 0, first: [] });
  expect(apiLog.errors).toEqual([]);

  // Every command once, in the store and the incident together.
  const atRest = await waitFor(
    () => handle.query(incidentViewQuery),
    (v) => v.projectedTimelineSeq !== undefined && v.projectedTimelineSeq >= v.timelineDropped + v.timeline.length,
    { what: 'the whole timeline in the store', timeoutMs: 60_000 },
  );
  const { timeline } = mergeTimelines(await records.timeline.list(id), atRest.timeline, atRest.timelineDropped);
  const tally = tallyTimeline(timeline);
  expect([...sent.markers].filter((marker) => !tally.markers.has(marker))).toEqual([]);
  expect([...tally.markers].filter(([, count]) => count !== 1)).toEqual([]);
  expect(Object.fromEntries(tally.taskChanges)).toEqual(Object.fromEntries(sent.taskChanges));

  // Several runs, each near its own count (the Updates of its last workflow tasks come on top), far from the limit.
  const runs: Array<{ runId: string; updates: number }> = [];
  for await (const execution of env.client.workflow.list({ query: `WorkflowId = '${incidentWorkflowId(id)}'` })) {
    const history = await env.client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    runs.push({ runId: execution.runId, updates: (history.events ?? []).filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes).length });
  }
  expect(runs.length).toBeGreaterThanOrEqual(3);
  // (Waiting out a redraw's burst before continuing let some 200 more in, unloaded; now it is a few workflow tasks'
  // worth: up to 15 here, about 80 with the machine's cores busy with other work.)
  for (const run of runs) expect(run.updates, JSON.stringify(runs)).toBeLessThanOrEqual(UPDATES_PER_RUN + 200);
  console.log(`update limit: ${COMMANDS} commands in ${(sent.elapsedMs / 1000).toFixed(1)} s, ${sent.retriedAfterTimeout} sent again after a 503/504, runs took ${runs.map((r) => r.updates).join(', ')} Updates`);
}, 300_000);
