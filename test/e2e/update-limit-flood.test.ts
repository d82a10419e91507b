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
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { INCIDENT_SEARCH_ATTRIBUTES } from '../../temporal/search-attributes.js';
import { incidentViewQuery, incidentWorkflowId } from '../../workflows/messages.js';
import { FLOOD_TASKS, floodIncident, floodLogger, tallyTimeline } from '../helpers/command-flood.js';
import { startFloodStack, type FloodStack } from '../helpers/flood-stack.js';
import { storeCaughtUp, workflowBundle } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait-for.js';

const UPDATES_PER_RUN_LIMIT = 500;
const UPDATES_PER_RUN = 200;
const COMMANDS = 1_500;

let env: TestWorkflowEnvironment;
let stack: FloodStack;
const apiLog = floodLogger();

beforeAll(async () => {
  env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: inject('temporalCliPath') },
      ip: '127.0.0.1',
      searchAttributes: [...INCIDENT_SEARCH_ATTRIBUTES],
      extraArgs: ['--dynamic-config-value', `history.maxTotalUpdates=${UPDATES_PER_RUN_LIMIT}`],
    },
  });
  stack = await startFloodStack(env, {
    name: 'update-limit',
    incidentName: 'Limited',
    workflowBundle: await workflowBundle(),
    logger: apiLog.logger,
    workflowOptions: { continueAsNewAfterUpdates: UPDATES_PER_RUN },
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
});

it(`answers every command of a flood on a server that takes ${UPDATES_PER_RUN_LIMIT} Updates per run: several runs under the limit, none refused, each applied once`, async () => {
  const { apiUrl, records, incidentId: id } = stack;
  // The flood begins once the launch is over: the loop does not look at continue-as-new while it launches, so Updates
  // that came during the launch would count against the first run's drain.
  const handle = env.client.workflow.getHandle(incidentWorkflowId(id));
  await waitFor(() => handle.query(incidentViewQuery), (v) => Object.values(v.launch).every((step) => step.status !== 'pending'), { what: 'the launch over' });

  const sent = await floodIncident({ apiUrl, incidentId: id, client: env.client, commands: COMMANDS, concurrency: 16, tasks: FLOOD_TASKS });
  if (sent.refused.length) console.log(`refused ${sent.refused.length}; the API's first errors:\n${apiLog.errors.slice(0, 3).join('')}`);
  expect({ refused: sent.refused.length, first: sent.refused.slice(0, 3) }).toEqual({ refused: 0, first: [] });
  // Never a 500 (what Temporal's refusal at its limit used to become); a 504 on a machine busy with other work is
  // allowed: the caller sends it again under the same key, and it is applied once (counted below).
  expect(apiLog.errors.filter((line) => /"status":500/.test(line))).toEqual([]);

  // Every command once, in the store and the incident together.
  // The store's events and the state's newest together (the sink writes the record after each change, incident-v14).
  const { timeline } = await storeCaughtUp(handle, records);
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
