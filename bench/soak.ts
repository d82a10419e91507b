/**
 * Soak: one incident under a flood of mixed commands (notes, task checks and reopens, assignments, status updates; by
 * Update over REST and by Signal), the durable core's test of the history budget: every run of the incident stays far
 * under Temporal's 50 MB history limit (continue-as-new happens under load), history per command stays small, and every
 * command is in the timeline exactly once. 50,000 commands with --full, 5,000 by default, 200 in a smoke run.
 * bench/command-flood.ts is the longer form (three scenarios, view-query latency during the flood).
 */
import { readFile } from 'node:fs/promises';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { INCIDENT_SEARCH_ATTRIBUTES } from '../temporal/search-attributes.js';
import { ensureTemporalCli } from '../temporal/temporal-cli.js';
import { FLOOD_TASKS, floodIncident, storeCaughtUp, tallyTimeline } from '../test/helpers/command-flood.js';
import { incidentWorkflowId } from '../workflows/messages.js';
import { fmt, goal, table } from './lib/figures.js';
import { machine } from './lib/process-stats.js';
import { startFloodStack } from '../test/helpers/flood-stack.js';
import type { Bench, BenchContext, Section } from './lib/types.js';

const COMMANDS = { smoke: 200, default: 5_000, full: 50_000 } as const;
const CONCURRENCY = 16;
const MB = 1024 * 1024;
const TEMPORAL_HISTORY_LIMIT = 50 * MB;

export const soakBench: Bench = async (context: BenchContext): Promise<Section> => {
  const began = Date.now();
  const commands = COMMANDS[context.mode];
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: ensureTemporalCli(() => undefined).path }, ip: '127.0.0.1', searchAttributes: [...INCIDENT_SEARCH_ATTRIBUTES] },
  });
  // The run's bundle (zod preloaded, as production's): no second bundling here.
  const stack = await startFloodStack(env, { name: 'soak-bench', incidentName: 'Soak', workflowBundle: { code: await readFile(context.bundle.path, 'utf8') } });
  const { apiUrl, records, incidentId: id } = stack;
  try {
    context.log(`soak: ${commands.toLocaleString('en-US')} mixed commands, ${CONCURRENCY} in flight`);
    const sent = await floodIncident({
      apiUrl: apiUrl,
      incidentId: id,
      client: env.client,
      commands,
      concurrency: CONCURRENCY,
      tasks: FLOOD_TASKS,
      notesOnly: false,
      every: Math.max(100, Math.round(commands / 5)),
      onProgress: (count) => context.log(`soak: ${count.toLocaleString('en-US')} sent`),
    });
    const handle = env.client.workflow.getHandle(incidentWorkflowId(id));
    // The store's record as current as the incident (the worker writes it after each change), its events with the
    // state's newest (the record activity stores them every hundred).
    const { timeline } = await storeCaughtUp(handle, records, 'the record in the store', 300_000);
    const tally = tallyTimeline(timeline);
    const runs: Array<{ events: number; bytes: number }> = [];
    for await (const execution of env.client.workflow.list({ query: `WorkflowId = '${incidentWorkflowId(id)}'` })) {
      const description = await env.client.workflow.getHandle(execution.workflowId, execution.runId).describe();
      runs.push({ events: description.historyLength, bytes: description.historySize ?? 0 });
    }
    const missing = [...sent.markers].filter((marker) => !tally.markers.has(marker)).length;
    const doubled = [...tally.markers.values()].filter((count) => count !== 1).length;
    const largest = Math.max(...runs.map((r) => r.bytes));
    const total = runs.reduce((sum, r) => sum + r.bytes, 0);
    const perSecond = commands / (sent.elapsedMs / 1000);
    const goals = [
      goal(`soak: commands missing or doubled (${commands.toLocaleString('en-US')})`, missing + doubled, 'commands', 0),
      goal(`soak: largest run's history (${commands.toLocaleString('en-US')} commands)`, largest / MB, 'MB', 5, 'a tenth of Temporal\'s 50 MB limit'),
    ];
    const markdown = `### Soak: one incident under a flood of commands

${commands.toLocaleString('en-US')} mixed commands (notes, task checks and reopens, assignments, status updates; Updates over REST and Signals) to one incident, ${CONCURRENCY} in flight, the API's rate limit raised; worker in this process with the in-memory integrations (the figures are history sizes and counts). The longer form, with the view query's latency during the flood, is \`npx tsx bench/command-flood.ts\` ([its last results](../bench/results/command-flood.md)).

${table(
  ['figure', 'value'],
  [
    ['commands per second', fmt(perSecond)],
    ['runs (continue-as-new)', String(runs.length)],
    ['largest run', `${fmt(largest / MB)} MB (${fmt((largest / TEMPORAL_HISTORY_LIMIT) * 100)} % of the 50 MB limit), ${Math.max(...runs.map((r) => r.events)).toLocaleString('en-US')} events at most`],
    ['history per command (all runs)', `${Math.round(total / commands)} B`],
    ['refused (answered 4xx/5xx)', String(sent.refused.length)],
    ['missing from the timeline / doubled', `${missing} / ${doubled}`],
  ],
)}

${goals.map((g) => `- ${g.figure}: ${fmt(g.value)} ${g.unit}, ${g.met ? 'met' : '**missed**'} (goal ≤ ${fmt(g.target)})`).join('\n')}
`;
    return {
      name: 'soak',
      title: 'Soak',
      mode: context.mode,
      machine: machine(),
      durationSeconds: (Date.now() - began) / 1000,
      goals,
      markdown,
      plots: [],
      data: { commands, concurrency: CONCURRENCY, perSecond, runs, historyBytesPerCommand: total / commands, refused: sent.refused.length, missing, doubled },
    };
  } finally {
    await stack.stop();
    await env.teardown();
  }
};
