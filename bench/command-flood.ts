/**
 * Benchmark of one incident under a flood of commands: the soak test's mix (notes, task checks and reopens,
 * assignments, status updates; by Update over REST and by Signal) at 50,000 commands, and a flood of 10,000 notes, each
 * against a fresh incident on its own in-memory Temporal dev server, with the API's rate limit raised so the flood goes
 * as fast as the API and the worker take it. Reports throughput, how many runs the incident went through and their
 * history sizes (against Temporal's 50 MB limit), history bytes per command, the view query's latency during the
 * flood (median and tail) beside GET /incidents/:id (which the store answers when the query is slow), and checks
 * every command is in the timeline exactly once.
 *
 *   npx tsx bench/command-flood.ts                          # writes bench/results/command-flood.md
 *   TEMPORAL_ADDRESS=127.0.0.1:27300 OUT=/tmp/cluster.md npx tsx bench/command-flood.ts   # against a real cluster
 *   COMMANDS=20000 NOTES=5000 PACED_NOTES=1000 CONCURRENCY=32 OUT=/tmp/flood.md npx tsx bench/command-flood.ts
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { INCIDENT_SEARCH_ATTRIBUTES } from '../temporal/search-attributes.js';
import { ensureTemporalCli } from '../temporal/temporal-cli.js';
import { incidentWorkflowId } from '../workflows/messages.js';
import { startFloodStack } from '../test/helpers/flood-stack.js';
import { FLOOD_TASKS, floodIncident, percentile, sampleViewQuery, sampleViewRoute, storeCaughtUp, tallyTimeline } from '../test/helpers/command-flood.js';

const MB = 1024 * 1024;
const TEMPORAL_HISTORY_LIMIT = 50 * MB;

interface Scenario {
  name: string;
  commands: number;
  notesOnly: boolean;
  ratePerSecond?: number;
}

interface Outcome {
  scenario: Scenario;
  seconds: number;
  perSecond: number;
  runs: Array<{ events: number; bytes: number }>;
  query: { samples: number; turnedAway: number; median: number; p95: number; max: number };
  route: { median: number; p95: number; max: number; fromStore: number };
  missing: number;
  doubled: number;
  refused: number;
  /** HTTP status → count, for the refused ones. */
  refusedBy: Record<string, number>;
  /** What the API answered, for the first few refusals of each status: what to look into. */
  refusals: string[];
}

const commands = Number(process.env.COMMANDS ?? 50_000);
const notes = Number(process.env.NOTES ?? 10_000);
/** Notes sent at the API's default rate limit (20/s per caller), to see the incident at the pace one caller may keep. */
const pacedNotes = Number(process.env.PACED_NOTES ?? 2_000);
const concurrency = Number(process.env.CONCURRENCY ?? 16);


async function runScenario(scenario: Scenario): Promise<Outcome> {
  // A real cluster when TEMPORAL_ADDRESS is set (its namespace must have the search attributes: npm run
  // temporal:setup); otherwise an in-memory dev server of its own.
  const env = process.env.TEMPORAL_ADDRESS
    ? await TestWorkflowEnvironment.createFromExistingServer({ address: process.env.TEMPORAL_ADDRESS })
    : await TestWorkflowEnvironment.createLocal({
        server: { executable: { type: 'existing-path', path: ensureTemporalCli(() => undefined).path }, ip: '127.0.0.1', searchAttributes: [...INCIDENT_SEARCH_ATTRIBUTES] },
      });
  const stack = await startFloodStack(env, { name: 'command-flood-bench', incidentName: `Flood: ${scenario.name}` });
  const { apiUrl, records, incidentId: id } = stack;
  try {
    const sampler = sampleViewQuery(env.client, id, 250);
    // ROUTE_SAMPLES=off leaves GET /incidents/:id out (to tell its queries' load from the flood's own).
    const routeSampler = process.env.ROUTE_SAMPLES === 'off' ? undefined : sampleViewRoute(apiUrl, id, 250);
    const sent = await floodIncident({
      apiUrl: apiUrl,
      incidentId: id,
      client: env.client,
      commands: scenario.commands,
      concurrency,
      tasks: FLOOD_TASKS,
      notesOnly: scenario.notesOnly,
      ...(scenario.ratePerSecond ? { ratePerSecond: scenario.ratePerSecond } : {}),
      every: Math.max(1_000, Math.round(scenario.commands / 10)),
      onProgress: (count) => console.log(`  ${scenario.name}: ${count.toLocaleString('en-US')} sent`),
    });
    const queryTimes = await sampler.stop();
    const route = (await routeSampler?.stop()) ?? { durations: [Number.NaN], sources: new Map<string, number>() };

    const handle = env.client.workflow.getHandle(incidentWorkflowId(id));
    // The store's record as current as the incident (the worker writes it after each change), its events with the
    // state's newest (the record activity stores them every hundred).
    const { timeline } = await storeCaughtUp(handle, records, 'the record in the store', 300_000);
    const tally = tallyTimeline(timeline);
    const runs: Outcome['runs'] = [];
    for await (const execution of env.client.workflow.list({ query: `WorkflowId = '${incidentWorkflowId(id)}'` })) {
      const description = await env.client.workflow.getHandle(execution.workflowId, execution.runId).describe();
      runs.push({ events: description.historyLength, bytes: description.historySize ?? 0 });
    }
    return {
      scenario,
      seconds: sent.elapsedMs / 1000,
      perSecond: scenario.commands / (sent.elapsedMs / 1000),
      runs,
      query: { samples: queryTimes.length, turnedAway: queryTimes.turnedAway, median: percentile(queryTimes, 50), p95: percentile(queryTimes, 95), max: Math.max(...queryTimes) },
      route: {
        median: percentile(route.durations, 50),
        p95: percentile(route.durations, 95),
        max: Math.max(...route.durations),
        fromStore: (route.sources.get('store') ?? 0) / route.durations.length,
      },
      missing: [...sent.markers].filter((marker) => !tally.markers.has(marker)).length,
      doubled: [...tally.markers.values()].filter((count) => count !== 1).length,
      refused: sent.refused.length,
      refusedBy: sent.refused.reduce<Record<string, number>>((by, r) => ({ ...by, [r.status]: (by[r.status] ?? 0) + 1 }), {}),
      refusals: [...new Set(sent.refused.map((r) => `${r.status} ${r.body.slice(0, 200)}`))].slice(0, 5),
    };
  } finally {
    // A view read that the store answered may leave its query retrying until its deadline (the Temporal client backs
    // off after RESOURCE_EXHAUSTED and does not stop for an abort; a retry after the connection closed throws): let
    // those end first.
    await new Promise((resolve) => setTimeout(resolve, 11_000));
    await stack.stop();
    await env.teardown();
  }
}

function report(outcomes: Outcome[]): string {
  const lines = [
    '# Command flood',
    '',
    `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} CPUs; API, worker and flood in one process, ${process.env.TEMPORAL_ADDRESS ? `the Temporal cluster at ${process.env.TEMPORAL_ADDRESS}` : 'Temporal dev server (in memory)'} beside it; ${concurrency} commands in flight.`,
    '',
    '| scenario | commands | time | commands/s | runs | largest run | of the 50 MB limit | history per command | view query median | p95 | max | turned away | GET view median | p95 | max | from the store | missing | doubled | refused |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const o of outcomes) {
    const largest = Math.max(...o.runs.map((r) => r.bytes));
    const total = o.runs.reduce((sum, r) => sum + r.bytes, 0);
    lines.push(
      `| ${o.scenario.name} | ${o.scenario.commands.toLocaleString('en-US')} | ${o.seconds.toFixed(0)} s | ${o.perSecond.toFixed(0)} | ${o.runs.length} | ` +
        `${(largest / MB).toFixed(2)} MB | ${((largest / TEMPORAL_HISTORY_LIMIT) * 100).toFixed(1)} % | ${Math.round(total / o.scenario.commands)} B | ` +
        `${o.query.median.toFixed(0)} ms | ${o.query.p95.toFixed(0)} ms | ${o.query.max.toFixed(0)} ms | ${o.query.turnedAway} | ` +
        `${o.route.median.toFixed(0)} ms | ${o.route.p95.toFixed(0)} ms | ${o.route.max.toFixed(0)} ms | ${(o.route.fromStore * 100).toFixed(0)} % | ${o.missing} | ${o.doubled} | ` +
        `${o.refused}${o.refused ? ` (${Object.entries(o.refusedBy).map(([status, n]) => `${n}× ${status}`).join(', ')})` : ''} |`,
    );
  }
  const refusals = outcomes.flatMap((o) => o.refusals.map((text) => `- ${o.scenario.name}: ${text}`));
  if (refusals.length) lines.push('', 'Refusals (the first few of each kind):', '', ...refusals);
  lines.push(
    '',
    'History per command is the sum of every run\'s history over the commands sent (it includes the record writes, redraws',
    'and status-update posts the commands caused). The view query (Temporal\'s) and GET /incidents/:id (the query, or the',
    'store\'s record when the query takes over 100 ms) were each sampled every 250 ms during the flood. "Missing" counts',
    'commands not in the timeline; a refused command (504: not answered within the API\'s 10 s) is one of them when it',
    'never applied.',
    '',
  );
  return lines.join('\n');
}

const scenarios: Scenario[] = [
  { name: 'mixed (Update and Signal)', commands, notesOnly: false },
  { name: 'notes only', commands: notes, notesOnly: true },
  { name: 'notes at 20/s (the default rate limit)', commands: pacedNotes, notesOnly: true, ratePerSecond: 20 },
];
console.log(`command flood: ${scenarios.map((s) => `${s.name} × ${s.commands.toLocaleString('en-US')}`).join(', ')}; ${concurrency} in flight`);
const outcomes: Outcome[] = [];
for (const scenario of scenarios) outcomes.push(await runScenario(scenario));
const text = report(outcomes);
console.log(text);
// OUT writes elsewhere (a one-off run that should not replace the recorded figures).
const out = process.env.OUT ?? fileURLToPath(new URL('./results/command-flood.md', import.meta.url));
await mkdir(fileURLToPath(new URL('./results', import.meta.url)), { recursive: true });
await writeFile(out, text);
console.log(`wrote ${out}`);
