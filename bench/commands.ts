/**
 * Command round trips: from IncidentService.command (what every REST command does: a Temporal Update) to its answer,
 * at 1, 10 and 50 concurrent callers, with a few open incidents and with many. The incidents use a minimal playbook
 * (lib/incidents.ts) and are opened with the sandboxes at no latency; the round trips are measured at the latency
 * profile, though a note calls nothing outside.
 */
import { fmt, goal, table, verdict } from './lib/figures.js';
import { minimalPlaybook, openIncidents } from './lib/incidents.js';
import { machine } from './lib/process-stats.js';
import { MEASURED_COMMAND, roundTrips, type RoundTrips } from './lib/round-trips.js';
import { recordsBehind } from './lib/records-behind.js';
import { latencyProfile, MEMBERSHIP_LOOK_WITH_EVENTS_MS, NO_LATENCY, startStack } from './lib/stack.js';
import type { Bench, Goal, Mode, Plot } from './lib/types.js';

/** Goal of issue 16: p99 at 10 concurrent callers with 1,000 open incidents. */
const P99_GOAL_MS = 150;
const GOAL_OPEN = 1_000;

function plan(mode: Mode) {
  const override = process.env.BENCH_COMMANDS_OPEN?.split(',').map(Number).filter((n) => n > 0);
  const open = override?.length ? override : mode === 'smoke' ? [3] : mode === 'full' ? [20, 1_000] : [20, 200];
  const concurrency = mode === 'smoke' ? [1, 4] : [1, 10, 50];
  // Enough answers that p99 is a measured value (the 99th of 100 at least), capped in time on a slow day.
  const samples = (c: number) => (mode === 'smoke' ? 12 : mode === 'full' ? Math.max(1_000, c * 40) : c === 1 ? 200 : c <= 10 ? 500 : 600);
  const maxSeconds = mode === 'smoke' ? 5 : mode === 'full' ? 60 : 12;
  return { open: [...open].sort((a, b) => a - b), concurrency, samples, maxSeconds };
}

export const commandsBench: Bench = async (context) => {
  const startedAt = performance.now();
  const profile = latencyProfile(context.mode);
  const { open, concurrency, samples, maxSeconds } = plan(context.mode);
  const stack = await startStack(context.bundle);
  const cells: RoundTrips[] = [];
  let maxCachedWorkflows: number | undefined;
  let behind: number | undefined;
  let recorded = 0;
  try {
    const taskQueue = 'bench-commands';
    const worker = await stack.startWorker({ taskQueue });
    maxCachedWorkflows = worker.maxCachedWorkflows;
    const incidents = stack.incidents(taskQueue, { membershipCheckIntervalMs: MEMBERSHIP_LOOK_WITH_EVENTS_MS });
    const playbook = minimalPlaybook();
    const ids: string[] = [];
    for (const size of open) {
      stack.setLatency(NO_LATENCY);
      const opening = performance.now();
      ids.push(...(await openIncidents(stack.sandboxes, incidents, playbook, size - ids.length, { prefix: `Commands ${size}` })));
      context.log(`commands: ${ids.length} open (${((performance.now() - opening) / 1000).toFixed(0)} s to open)`);
      stack.setLatency(profile);
      // The first commands after the opening meet the launches' last follow-ups; they are not measured.
      await roundTrips(incidents, ids, { concurrency: 10, samples: 50, maxSeconds: 10 });
      for (const c of concurrency) {
        const cell = await roundTrips(incidents, ids, { concurrency: c, samples: samples(c), maxSeconds, worker });
        cells.push(cell);
        context.log(`commands: ${ids.length} open, ${c} concurrent: p50 ${fmt(cell.ms.median)} ms, p99 ${fmt(cell.ms.p99)} ms, ${fmt(cell.perSecond)}/s, ${cell.errors} errors, ${cell.workerWarnings} worker warnings`);
      }
      stack.sandboxes.takeCalls();
    }
    // The commands' records in the store, as current as their incidents (written by the worker after each change).
    if (worker.storeUrl) {
      behind = await recordsBehind(worker.storeUrl, incidents, ids);
      recorded = ids.length;
      context.log(`commands: ${behind} of ${recorded} records in the store behind their incident`);
    }
  } finally {
    await stack.stop();
  }

  const largest = Math.max(...open);
  const atGoal = cells.find((cell) => cell.open === largest && cell.concurrency === 10);
  const goals: Goal[] = atGoal
    ? [
        goal(
          `commands: p99 at 10 concurrent, ${largest.toLocaleString('en-US')} open`,
          atGoal.ms.p99,
          'ms',
          P99_GOAL_MS,
          largest < GOAL_OPEN ? `the goal is for ${GOAL_OPEN.toLocaleString('en-US')} open: --full here, and Capacity measures it at its size` : undefined,
        ),
      ]
    : [];
  const errors = cells.reduce((n, cell) => n + cell.errors, 0);
  if (errors) goals.push(goal('commands: commands that failed', errors, 'errors', 0));
  if (behind) goals.push(goal('commands: records in the store behind their incident', behind, 'records', 0));
  return {
    name: 'commands',
    title: 'Command round trips',
    mode: context.mode,
    machine: machine(),
    durationSeconds: (performance.now() - startedAt) / 1000,
    goals,
    markdown: markdown(cells, goals, maxCachedWorkflows ?? Number.NaN, profile.mattermost, { behind, recorded }),
    plots: [plot(cells)],
    data: { command: MEASURED_COMMAND, profile, maxCachedWorkflows, cells, recordsBehind: behind ?? null, records: recorded },
  };
};

function markdown(cells: RoundTrips[], goals: Goal[], maxCachedWorkflows: number, mattermostMs: number, store: { behind: number | undefined; recorded: number }): string {
  const rows = cells.map((cell) => {
    const g = cell.concurrency === 10 ? goals.find((x) => x.figure.startsWith(`commands: p99 at 10 concurrent, ${cell.open.toLocaleString('en-US')} open`)) : undefined;
    return [
      cell.open.toLocaleString('en-US'),
      cell.concurrency,
      cell.count,
      cell.ms.min,
      cell.ms.median,
      cell.ms.p95,
      cell.ms.p99,
      cell.ms.max,
      fmt(cell.perSecond, 0),
      cell.workerCpuPerCommand === null ? 'n/a' : `${fmt(cell.workerCpuPerCommand * 1000)} ms`,
      cell.errors,
      cell.workerWarnings,
      g ? verdict(g) : '',
    ];
  });
  const errors = cells.flatMap((cell) => cell.errorMessages.map((m) => `- ${cell.open} open, ${cell.concurrency} concurrent: ${m}`));
  const warnings = cells.flatMap((cell) => cell.workerWarningExamples.map((m) => `- ${cell.open} open, ${cell.concurrency} concurrent: ${m}`));
  return `### Command round trips

\`${MEASURED_COMMAND}\` through IncidentService.command (a Temporal Update, as every REST command), from the call to
its answer, by callers that each send the next command when the last is answered, to open incidents picked at random
(several callers may wait on one incident). The incidents use a minimal playbook (a channel and its checklist; no Jira,
Zoom or Opsgenie) and sit idle between commands (members looked at every 6 h, as with Mattermost events on). Mattermost
answers in ${mattermostMs} ms, though a note calls nothing outside; after every note the worker writes the incident's
record to its store (SQLite here) a moment later, outside the workflow's history (incident-v14; its CPU per command
includes that), and the record activity stores the timeline every hundred events. One worker, in a process of its
own, cache of ${fmt(maxCachedWorkflows)} workflows (the SDK's default here). Times in milliseconds; the floor is 0
(nothing outside is called).${
    store.behind === undefined
      ? ''
      : ` After the run, ${fmt(store.behind, 0)} of the ${fmt(store.recorded, 0)} incidents' records in the store were behind their incident.`
  }

${table(['open', 'concurrent', 'answers', 'min', 'median', 'p95', 'p99', 'max', 'per second', 'worker CPU per command', 'errors', 'worker warnings', 'goal (p99)'], rows)}
${errors.length ? `\nErrors:\n\n${errors.join('\n')}\n` : ''}${warnings.length ? `\nWhat the worker warned about:\n\n${warnings.join('\n')}\n` : ''}`;
}

function plot(cells: RoundTrips[]): Plot {
  const values = cells.flatMap((cell) =>
    (['median', 'p99'] as const).map((statistic) => ({
      open: `${cell.open.toLocaleString('en-US')} open`,
      concurrency: cell.concurrency,
      statistic,
      ms: Number(cell.ms[statistic].toFixed(1)),
    })),
  );
  return {
    file: 'commands.svg',
    title: 'Command round trip p99 and median by concurrent callers and open incidents',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: `Command round trip (${MEASURED_COMMAND}), ms`, subtitle: `p99 (solid) and median (dashed); goal: p99 ≤ ${P99_GOAL_MS} ms at 10 callers, 1,000 open (red)` },
      width: 420,
      height: 260,
      layer: [
        {
          data: { values },
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'concurrency', type: 'ordinal', title: 'concurrent callers' },
            y: { field: 'ms', type: 'quantitative', title: 'milliseconds' },
            color: { field: 'open', type: 'nominal', title: null, sort: null },
            strokeDash: { field: 'statistic', type: 'nominal', title: null, sort: ['p99', 'median'], legend: null },
          },
        },
        { data: { values: [{ goal: P99_GOAL_MS }] }, mark: { type: 'rule', color: '#d62728', strokeDash: [4, 4] }, encoding: { y: { field: 'goal', type: 'quantitative' } } },
      ],
    },
  };
}
