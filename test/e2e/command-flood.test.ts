/**
 * The soak test: 5,000 commands driven into one incident as fast as the API takes them (its rate limit raised), by
 * Update over REST and by Signal, from sixteen callers at once. Afterwards the incident is alive and takes commands, it
 * went through several runs (continue-as-new under a steady stream), every run's history stayed under 5 MB, and every
 * command is in the timeline exactly once. The view query is timed throughout. A longer flood with its figures is
 * bench/command-flood.ts.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { incidentWorkflowId } from '../../workflows/messages.js';
import { FLOOD_TASKS, floodIncident, floodLogger, percentile, sampleViewQuery, sampleViewRoute, tallyTimeline } from '../helpers/command-flood.js';
import { startFloodStack, type FloodStack } from '../helpers/flood-stack.js';
import { connectToTestServer, storeCaughtUp, workflowBundle } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait-for.js';

const COMMANDS = 5_000;
const FIVE_MB = 5 * 1024 * 1024;

let env: TestWorkflowEnvironment;
let stack: FloodStack;
// The API's error lines: why a command was refused with a 5xx (FLOOD_LOG=<level> prints the whole log instead).
const apiLog = floodLogger();

beforeAll(async () => {
  env = await connectToTestServer();
  stack = await startFloodStack(env, { name: 'command-flood', incidentName: 'Flooded', workflowBundle: await workflowBundle(), logger: apiLog.logger });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
});

it(`takes ${COMMANDS.toLocaleString('en-US')} commands by Update and Signal: alive after, several runs of bounded history, each command in the timeline once`, async () => {
  const { apiUrl, records, incidentId: id } = stack;
  // Its record is stored a moment after the start: from then on the store can answer a read the incident is slow to.
  await waitFor(() => records.get(id), (record) => record !== undefined, { what: 'the incident record' });
  const sampler = sampleViewQuery(env.client, id);
  const routeSampler = sampleViewRoute(apiUrl, id);
  const sent = await floodIncident({ apiUrl, incidentId: id, client: env.client, commands: COMMANDS, concurrency: 16, tasks: FLOOD_TASKS });
  const queryTimes = await sampler.stop();
  const route = await routeSampler.stop();
  if (sent.refused.length) console.log(`refused ${sent.refused.length}; the API's first errors:\n${apiLog.errors.slice(0, 3).join('')}`);
  expect({ refused: sent.refused.length, first: sent.refused.slice(0, 3) }).toEqual({ refused: 0, first: [] });
  expect(sent.sentBySignal).toBeGreaterThan(0);

  // Alive: it takes a command now, and every signal and update reached the timeline (state or store).
  const alive = await fetch(`${apiUrl}/api/v1/incidents/${id}/notes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', prefer: 'return=minimal' },
    body: JSON.stringify({ text: 'still here', actor: 'alice' }),
  });
  expect(alive.status).toBe(200);
  const handle = env.client.workflow.getHandle(incidentWorkflowId(id));
  // The store's events and the state's newest together (the sink writes the record after each change, incident-v14).
  const { timeline, timelineDropped } = await storeCaughtUp(handle, records);
  expect(timelineDropped).toBe(0);
  expect(timeline.map((e) => e.seq)).toEqual(Array.from({ length: timeline.length }, (_, i) => i + 1));

  // The API pages back through all of it (the incident's newest events, the store's older ones).
  const paged: Array<{ seq: number }> = [];
  for (let before: number | undefined; ; ) {
    const page = await fetch(`${apiUrl}/api/v1/incidents/${id}/timeline?limit=500${before ? `&before=${before}` : ''}`);
    const body = (await page.json()) as { dropped: number; items: Array<{ seq: number }> };
    expect(body.dropped).toBe(0);
    if (body.items.length === 0) break;
    paged.unshift(...body.items);
    before = body.items[0]!.seq;
  }
  expect(paged.map((e) => e.seq)).toEqual(timeline.map((e) => e.seq));

  // Each command exactly once: no marker missing or doubled, each task's changes all there.
  const tally = tallyTimeline(timeline);
  const missing = [...sent.markers].filter((marker) => !tally.markers.has(marker));
  const doubled = [...tally.markers].filter(([, count]) => count !== 1);
  expect(missing).toEqual([]);
  expect(doubled).toEqual([]);
  expect(tally.markers.size).toBe(sent.markers.size);
  expect(Object.fromEntries(tally.taskChanges)).toEqual(Object.fromEntries(sent.taskChanges));
  expect(Object.fromEntries(tally.assignments)).toEqual(Object.fromEntries(sent.assignments));

  // Several runs, each under 5 MB of history.
  const runs: Array<{ runId: string; size: number; events: number }> = [];
  for await (const execution of env.client.workflow.list({ query: `WorkflowId = '${incidentWorkflowId(id)}'` })) {
    const run = env.client.workflow.getHandle(execution.workflowId, execution.runId);
    const description = await run.describe();
    runs.push({ runId: execution.runId, size: description.historySize ?? 0, events: description.historyLength });
    // Every run replays against the code: the flood's interleavings of updates, signals and activities included.
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, await run.fetchHistory(), `flood-${execution.runId}`);
  }
  expect(runs.length).toBeGreaterThanOrEqual(3);
  for (const run of runs) expect(run.size, `run ${run.runId}: ${run.events} events`).toBeLessThan(FIVE_MB);

  // Temporal's own view query while the flood runs: the server holds a query while the workflow task runs, and under a
  // steady stream one nearly always is, so single queries wait seconds (on the real server as on the dev server). Alone
  // its median is some 50 ms, but beside another test file on two cores it was once 1.9 s: how fast is the benchmarks'
  // to say (bench/, the commands section), not this test's. The bound below only catches one that hangs; readers get
  // the view through GET /incidents/:id, below, which does not wait for it.
  expect(queryTimes.length).toBeGreaterThan(10);
  expect(Math.max(...queryTimes)).toBeLessThan(30_000);
  // What a reader gets: GET /incidents/:id answers from the incident, or from the store's record when the incident is
  // slow to (100 ms), so the view is there throughout.
  expect(route.durations.length).toBeGreaterThan(10);
  expect(percentile(route.durations, 95)).toBeLessThan(200);
  // A bound for the odd garbage collection or busy moment of the one process that runs API, worker and flood here.
  expect(Math.max(...route.durations)).toBeLessThan(500);
  console.log(
    `view route: median ${percentile(route.durations, 50).toFixed(0)} ms, p95 ${percentile(route.durations, 95).toFixed(0)} ms, ` +
      `p99 ${percentile(route.durations, 99).toFixed(0)} ms, max ${Math.max(...route.durations).toFixed(0)} ms; ` +
      `answered by ${JSON.stringify(Object.fromEntries(route.sources))}; slowest ${JSON.stringify([...route.answers].sort((a, b) => b.ms - a.ms).slice(0, 3).map((a) => ({ ...a, at: Math.round(a.at - route.answers[0]!.at), ms: Math.round(a.ms) })))}`,
  );
  console.log(
    `flood: ${COMMANDS} commands in ${(sent.elapsedMs / 1000).toFixed(1)} s (${Math.round(COMMANDS / (sent.elapsedMs / 1000))}/s), ` +
      `${sent.retriedAfterTimeout} sent again after a 504, ${runs.length} runs (largest ${(Math.max(...runs.map((r) => r.size)) / 1024 / 1024).toFixed(2)} MB), ` +
      `view query median ${percentile(queryTimes, 50).toFixed(0)} ms, p95 ${percentile(queryTimes, 95).toFixed(0)} ms, max ${Math.max(...queryTimes).toFixed(0)} ms, ` +
      `${queryTimes.turnedAway} turned away (query buffer full)`,
  );
}, 600_000);
