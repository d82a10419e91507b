/**
 * Alert storm: many deliveries over many alert groups, interleaved (each burst carries one delivery of every group,
 * in a new order) and bursty (a burst goes out as fast as the connections allow, then a short pause), to the real API
 * over HTTP, its alert intake worked in this process, the incidents' worker in a process of its own, against the
 * sandboxes with the latency profile. Every alert rule starts the service-outage playbook (channel, Jira, Zoom,
 * Opsgenie), as a page for a customer-facing service would.
 *
 * Reported: the HTTP answers (status counts, answer time), that the groups made exactly one incident each with all of
 * their deliveries, and delivery → channel: from a group's first 202 to its incident's channel created (the channel
 * step's result in the incident's timeline). Goals of issue 16: no errors, delivery → channel p95 under 2 s.
 */
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { temporal } from '@temporalio/proto';
import { startApi } from '../api/server.js';
import { parseAlertRules } from '../api/alert-rules-file.js';
import type { IncidentView } from '../domain/incident.js';
import { incidentWorkflowId } from '../workflows/messages.js';
import { loadPlaybookDirectory } from '../store/playbook-files.js';
import { lookupFromFiles } from '../store/playbook-lookup.js';
import { alertmanagerGroup } from '../test/helpers/alert-fixtures.js';
import { figures, goal, pool, sleep, table, fmt } from './lib/figures.js';
import { CpuWindow, machine } from './lib/process-stats.js';
import { latencyProfile, startStack } from './lib/stack.js';
import type { Bench, BenchContext, Section } from './lib/types.js';

const SIZES = {
  smoke: { deliveries: 40, groups: 4 },
  default: { deliveries: 1_000, groups: 100 },
  full: { deliveries: 5_000, groups: 500 },
} as const;
/** HTTP requests in flight at once: what a few Alertmanager replicas and a couple of other sources send. */
const CONNECTIONS = 64;
const PAUSE_BETWEEN_BURSTS_MS = 200;

interface Answer {
  group: number;
  status: number;
  ms: number;
  acceptedAt: number;
  alertGroup?: string;
}

/** Workflow tasks, activities, Updates and history events, summed over some workflows. */
interface WorkTally {
  tasks: number;
  activities: number;
  updates: number;
  events: number;
}

/** Each burst: every group once, shuffled (a fixed seed, so runs compare). */
function stormOrder(deliveries: number, groups: number): number[] {
  let seed = 16;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const order: number[] = [];
  for (let round = 0; order.length < deliveries; round++) {
    const burst = Array.from({ length: groups }, (_, g) => g);
    for (let i = burst.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [burst[i], burst[j]] = [burst[j]!, burst[i]!];
    }
    order.push(...burst.slice(0, deliveries - order.length));
  }
  return order;
}

function channelCreatedAt(view: IncidentView): number | undefined {
  const event = view.timeline.find((e) => e.kind === 'integration_succeeded' && e.data?.step === 'channel');
  return event ? Date.parse(event.at) : undefined;
}

/** Where a group's time to its channel went, from its incident's history (milliseconds). */
interface ChannelStages {
  /** The first 202 to the incident's workflow started: the group's workflow task and the intake activity. */
  toStart: number;
  /** The incident started to its first workflow task taken by a worker (waiting in the task queue). */
  firstTaskWait: number;
  /** The first workflow task taken to completed (the worker's turn: waiting for its workflow thread, then the code). */
  firstTask: number;
  /** The channel activity scheduled to started: waiting for a worker slot and the dispatch. */
  toActivity: number;
  /** The channel activity running (the Mattermost calls and the worker's own work). */
  activity: number;
  /** The activity completed to the channel recorded (the next workflow task). */
  recorded: number;
}

const STAGE_TITLES: Array<[keyof ChannelStages, string]> = [
  ['toStart', 'first 202 → incident started (group workflow, intake)'],
  ['firstTaskWait', "→ incident's first workflow task taken by the worker"],
  ['firstTask', '→ first workflow task done'],
  ['toActivity', '→ channel activity started'],
  ['activity', '→ channel activity done'],
  ['recorded', '→ channel recorded'],
];

function channelStages(events: temporal.api.history.v1.IHistoryEvent[], acceptedMs: number, createdMs: number): ChannelStages | undefined {
  const at = (event: temporal.api.history.v1.IHistoryEvent | undefined) =>
    event?.eventTime ? Number(event.eventTime.seconds ?? 0) * 1000 + (event.eventTime.nanos ?? 0) / 1e6 : undefined;
  const started = at(events[0]);
  const firstTaken = at(events.find((event) => event.workflowTaskStartedEventAttributes));
  const firstTask = at(events.find((event) => event.workflowTaskCompletedEventAttributes));
  const scheduledEvent = events.find((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'openIncidentChannel');
  const scheduledId = String(scheduledEvent?.eventId ?? '');
  const activityStarted = at(events.find((event) => String(event.activityTaskStartedEventAttributes?.scheduledEventId ?? '') === scheduledId));
  const completed = at(events.find((event) => String(event.activityTaskCompletedEventAttributes?.scheduledEventId ?? '') === scheduledId));
  const scheduled = at(scheduledEvent);
  if ([started, firstTaken, firstTask, scheduled, activityStarted, completed].some((t) => t === undefined)) return undefined;
  return {
    toStart: started! - acceptedMs,
    firstTaskWait: firstTaken! - started!,
    firstTask: firstTask! - firstTaken!,
    toActivity: activityStarted! - scheduled!,
    activity: completed! - activityStarted!,
    recorded: createdMs - completed!,
  };
}

/** What one storm measured (its own stack: Temporal dev server, sandboxes, worker, API). */
interface StormRun {
  size: { deliveries: number; groups: number };
  statusCounts: string;
  errors: number;
  answerMs: ReturnType<typeof figures>;
  stormSeconds: number;
  settledSeconds: number;
  incidents: { remembered: number; onServer: number; expected: number };
  deliveriesRecorded: number;
  failedAfterAcceptance: number;
  toChannel: number[];
  deliveryToChannelMs: ReturnType<typeof figures>;
  stages: ChannelStages[];
  work: { incidents: WorkTally; groups: WorkTally };
  cpuSeconds: Record<string, number | null>;
  workerRssBytes: number;
}

/** One storm: `size.deliveries` over `size.groups` groups, in bursts of one delivery per group. */
async function runStorm(context: BenchContext, size: { deliveries: number; groups: number }, profile: ReturnType<typeof latencyProfile>): Promise<StormRun> {
  const stack = await startStack(context.bundle);
  const taskQueue = `alert-storm-${Date.now()}`;
  try {
    const worker = await stack.startWorker({ taskQueue });
    stack.setLatency(profile);
    const api = await startApi({
      client: stack.env.client,
      taskQueue,
      playbooks: lookupFromFiles(loadPlaybookDirectory(fileURLToPath(new URL('../playbooks', import.meta.url)))),
      alertRules: parseAlertRules('default: { playbook: service-outage, team: default }'),
      logger: pino({ level: 'warn' }),
      host: '127.0.0.1',
      port: 0,
      alertIntakeWorker: { connection: stack.env.nativeConnection, namespace: 'default' },
    });
    const groupKey = (g: number) => `{}:{alertname="StormTest", shard="${g}"}`;
    const order = stormOrder(size.deliveries, size.groups);
    const answers: Answer[] = [];
    context.log(`alert storm: ${size.deliveries} deliveries over ${size.groups} groups, ${CONNECTIONS} connections`);
    const stormStart = Date.now();
    const cpu = new CpuWindow({ worker: worker.pid, server: stack.serverPid, bench: process.pid });
    for (let first = 0; first < order.length; first += size.groups) {
      const burst = order.slice(first, first + size.groups);
      answers.push(
        ...(await pool(burst.length, CONNECTIONS, async (i) => {
          const group = burst[i]!;
          const sent = Date.now();
          const response = await fetch(`${api.url}/api/v1/alerts/alertmanager`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(alertmanagerGroup('firing', groupKey(group))),
          }).catch(() => undefined);
          const body = response ? ((await response.json().catch(() => ({}))) as { alertGroup?: string }) : {};
          const now = Date.now();
          return { group, status: response?.status ?? 0, ms: now - sent, acceptedAt: now, ...(body.alertGroup ? { alertGroup: body.alertGroup } : {}) };
        })),
      );
      await sleep(PAUSE_BETWEEN_BURSTS_MS);
    }
    const stormSeconds = (Date.now() - stormStart) / 1000;
    const errors = answers.filter((a) => a.status < 200 || a.status >= 300).length;
    context.log(`alert storm: sent in ${stormSeconds.toFixed(1)} s, ${errors} not accepted; waiting for the groups to hand everything over`);

    // Every group's deliveries handed over, or the deadline: a storm that never settles is a result too.
    const alertGroups = [...new Set(answers.flatMap((a) => (a.alertGroup ? [a.alertGroup] : [])))];
    const deadline = Date.now() + (context.mode === 'full' ? 30 : 10) * 60_000;
    type GroupStatus = { incidentId?: string; delivered: number; recent: Array<{ outcome: string }> };
    let statuses: GroupStatus[] = [];
    for (;;) {
      statuses = await pool(alertGroups.length, 16, async (i) => (await (await fetch(`${api.url}/api/v1/alert-groups/${alertGroups[i]}`)).json()) as GroupStatus);
      const handed = statuses.reduce((sum, s) => sum + (s.delivered ?? 0), 0);
      if (handed >= size.deliveries - errors || Date.now() > deadline) break;
      await sleep(2_000);
    }
    const settledSeconds = (Date.now() - stormStart) / 1000;
    const cpuWindow = cpu.end();
    const incidentIds = [...new Set(statuses.flatMap((s) => (s.incidentId ? [s.incidentId] : [])))];
    const failed = statuses.reduce((sum, s) => sum + s.recent.filter((o) => o.outcome === 'failed').length, 0);
    // Incidents on the server (not just what the groups remember): exactly one per group.
    const incidentsOnServer = (await stack.env.client.workflow.count(`WorkflowType = 'incident'`)).count;

    const firstAccepted = new Map<number, number>();
    for (const answer of answers) if (answer.status === 202 && !firstAccepted.has(answer.group)) firstAccepted.set(answer.group, answer.acceptedAt);
    const incidents = stack.incidents(taskQueue);
    const views = await pool(incidentIds.length, 8, (i) => incidents.view(incidentIds[i]!).catch(() => undefined));
    const toChannel: number[] = [];
    const stages: ChannelStages[] = [];
    let deliveriesSeen = 0;
    for (const view of views) {
      if (!view) continue;
      deliveriesSeen += view.alertGroup?.deliveries ?? 0;
      const shard = /shard="(\d+)"/.exec(view.alertGroup?.groupKey ?? '')?.[1];
      const accepted = shard === undefined ? undefined : firstAccepted.get(Number(shard));
      const created = channelCreatedAt(view);
      if (accepted !== undefined && created !== undefined) toChannel.push(created - accepted);
      if (accepted === undefined || created === undefined) continue;
      const history = await stack.env.client.workflow.getHandle(incidentWorkflowId(view.id)).fetchHistory().catch(() => undefined);
      const found = history && channelStages(history.events ?? [], accepted, created);
      if (found) stages.push(found);
    }
    // What the storm cost the worker, by workflow: its tasks, activities and history events (the incidents' and the
    // groups' current runs; a storm's group stays in one run, ALERT_GROUP_DELIVERIES_PER_RUN).
    const tally = async (workflowIds: string[]): Promise<WorkTally> => {
      const counts = await pool(workflowIds.length, 8, async (i) => {
        const history = await stack.env.client.workflow.getHandle(workflowIds[i]!).fetchHistory().catch(() => undefined);
        const events = history?.events ?? [];
        return {
          tasks: events.filter((event) => event.workflowTaskCompletedEventAttributes).length,
          activities: events.filter((event) => event.activityTaskScheduledEventAttributes).length,
          updates: events.filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes).length,
          events: events.length,
        };
      });
      return counts.reduce((sum, c) => ({ tasks: sum.tasks + c.tasks, activities: sum.activities + c.activities, updates: sum.updates + c.updates, events: sum.events + c.events }), { tasks: 0, activities: 0, updates: 0, events: 0 });
    };
    const work = { incidents: await tally(incidentIds.map((id) => incidentWorkflowId(id))), groups: await tally(alertGroups) };
    await api.stop();
    const workerStats = await worker.status();

    const statusCounts = Object.entries(
      answers.reduce<Record<string, number>>((counts, a) => ({ ...counts, [a.status]: (counts[a.status] ?? 0) + 1 }), {}),
    )
      .map(([status, count]) => `${count} × ${status === '0' ? 'no answer' : status}`)
      .join(', ');
    if (incidentIds.length !== size.groups || incidentsOnServer !== size.groups || deliveriesSeen !== size.deliveries - errors) {
      context.log(`alert storm: WRONG COUNT: ${incidentIds.length} incidents known, ${incidentsOnServer} on the server, ${deliveriesSeen} deliveries recorded`);
    }
    return {
      size,
      statusCounts,
      errors,
      answerMs: figures(answers.map((a) => a.ms)),
      stormSeconds,
      settledSeconds,
      incidents: { remembered: incidentIds.length, onServer: incidentsOnServer, expected: size.groups },
      deliveriesRecorded: deliveriesSeen,
      failedAfterAcceptance: failed,
      toChannel,
      deliveryToChannelMs: figures(toChannel),
      stages,
      work,
      cpuSeconds: Object.fromEntries(Object.entries(cpuWindow.processes).map(([name, p]) => [name, p.cpuSeconds])),
      workerRssBytes: workerStats.memory.rss,
    };
  } finally {
    await stack.stop();
  }
}

export const alertStorm: Bench = async (context: BenchContext): Promise<Section> => {
  const began = Date.now();
  const size = SIZES[context.mode];
  const perGroup = size.deliveries / size.groups;
  const profile = latencyProfile(context.mode);
  const storm = await runStorm(context, size, profile);
  // The same launches without the repeats: each group's first delivery alone, on a stack of its own. What delivery →
  // channel costs before any repeat competes for the cores (a bound the storm cannot beat on this machine).
  const alone = await runStorm(context, { deliveries: size.groups, groups: size.groups }, profile);
  const runs = [storm, alone];
  const goals = [
    goal(`alert storm: deliveries not accepted (${size.deliveries} over ${size.groups} groups)`, storm.errors, 'errors', 0),
    goal(
      `alert storm: delivery → channel p95 (${size.deliveries} over ${size.groups} groups)`,
      storm.deliveryToChannelMs.p95,
      'ms',
      2_000,
      `each group's first delivery alone: p95 ${fmt(alone.deliveryToChannelMs.p95)} ms`,
    ),
  ];
  const row = (title: string, value: (run: StormRun) => string): string[] => [title, ...runs.map(value)];
  const triple = (f: ReturnType<typeof figures>) => `${fmt(f.median)} / ${fmt(f.p95)} / ${fmt(f.max)}`;
  const markdown = `### Alert storm

${size.deliveries} Alertmanager deliveries over ${size.groups} alert groups (${perGroup} each), sent in bursts of one delivery per group in a shuffled order, ${CONNECTIONS} connections, ${PAUSE_BETWEEN_BURSTS_MS} ms between bursts; every delivery starts or joins a service-outage incident (channel, Jira, Zoom, Opsgenie) with the latency profile. The API answers 202 once Temporal holds the delivery (signal-with-start to the group's workflow); the group hands its deliveries to the alert intake one batch at a time, and a batch's deliveries to an incident already started go to it as one Update (\`recordAlertBatch\`). Delivery → channel is from a group's first 202 to its incident's channel created, as the incident recorded it (from incident-v19 that is once the channel's activity has also looked up who is on call and posted the checklist: the channel ready), one figure per group: it measures ${size.groups} launches at once on this machine; the joins are not on it (they only compete for the same cores).

Beside the storm, on a stack of its own, the same ${size.groups} groups with their first delivery alone (${size.groups} deliveries, one burst): the same launches through the same path with no repeat competing for the cores. Its delivery → channel is what the storm could reach if its repeats cost nothing.

${table(
  ['figure', 'storm', 'first deliveries alone'],
  [
    row('deliveries / groups', (r) => `${r.size.deliveries} / ${r.size.groups}`),
    row('answers', (r) => r.statusCounts),
    row('answer time (ms): median / p95 / max', (r) => triple(r.answerMs)),
    row('sent in', (r) => `${fmt(r.stormSeconds)} s`),
    row('every delivery handed over after', (r) => `${fmt(r.settledSeconds)} s`),
    row('incidents (groups remember / on the server / expected)', (r) => `${r.incidents.remembered} / ${r.incidents.onServer} / ${r.incidents.expected}`),
    row('deliveries in the incidents (expected)', (r) => `${r.deliveriesRecorded} (${r.size.deliveries - r.errors})`),
    row('deliveries failed after acceptance', (r) => String(r.failedAfterAcceptance)),
    row('delivery → channel (ms): median / p95 / max', (r) => triple(r.deliveryToChannelMs)),
    ...STAGE_TITLES.map(([key, title]) =>
      row(`${title} (ms): median / p95`, (r) => {
        const f = figures(r.stages.map((stage) => stage[key]));
        return `${fmt(f.median)} / ${fmt(f.p95)}`;
      }),
    ),
    ...(['incidents', 'groups'] as const).map((kind) =>
      row(`${kind === 'incidents' ? 'incident' : "groups'"} workflows: tasks / activities / Updates / history events`, (r) => {
        const w = r.work[kind];
        return `${fmt(w.tasks)} / ${fmt(w.activities)} / ${fmt(w.updates)} / ${fmt(w.events)}`;
      }),
    ),
    row('CPU seconds until every delivery was handed over: worker / Temporal server / this process (API, intake, sandboxes, senders)', (r) =>
      (['worker', 'server', 'bench'] as const).map((name) => fmt(r.cpuSeconds[name] ?? Number.NaN)).join(' / '),
    ),
    row('worker RSS at the end', (r) => `${fmt(r.workerRssBytes / 2 ** 20)} MB`),
  ],
)}

${goals.map((g) => `- ${g.figure}: ${Number.isInteger(g.value) ? g.value : fmt(g.value)} ${g.unit}, ${g.met ? 'met' : '**missed**'} (goal ≤ ${fmt(g.target)})`).join('\n')}
- first deliveries alone (${size.groups} over ${size.groups} groups): delivery → channel p95 ${fmt(alone.deliveryToChannelMs.p95)} ms${alone.deliveryToChannelMs.p95 > 2_000 ? ', above the goal before any repeat' : ''}
`;
  const { toChannel: _storm, stages: _stages, ...stormData } = storm;
  const { toChannel: _alone, stages: _aloneStages, ...aloneData } = alone;
  return {
    name: 'alert-storm',
    title: 'Alert storm',
    mode: context.mode,
    machine: machine(),
    durationSeconds: (Date.now() - began) / 1000,
    goals,
    markdown,
    plots: [
      {
        file: 'alert-storm',
        title: 'Alert storm: delivery → channel',
        spec: {
          title: `Alert storm: ${size.deliveries} deliveries over ${size.groups} groups, delivery → channel`,
          data: { values: [...storm.toChannel.map((ms) => ({ ms, run: 'storm' })), ...alone.toChannel.map((ms) => ({ ms, run: 'first deliveries alone' }))] },
          mark: 'bar',
          encoding: {
            x: { field: 'ms', bin: { maxbins: 30 }, type: 'quantitative', title: 'first delivery accepted → channel created (ms)' },
            y: { aggregate: 'count', type: 'quantitative', title: 'incidents', stack: null },
            color: { field: 'run', type: 'nominal', title: null },
            opacity: { value: 0.7 },
          },
        },
      },
    ],
    data: {
      profile,
      connections: CONNECTIONS,
      ...stormData,
      channelStagesMs: Object.fromEntries(STAGE_TITLES.map(([key]) => [key, figures(storm.stages.map((stage) => stage[key]))])),
      firstDeliveriesAlone: { ...aloneData, channelStagesMs: Object.fromEntries(STAGE_TITLES.map(([key]) => [key, figures(alone.stages.map((stage) => stage[key]))])) },
    },
  };
};
