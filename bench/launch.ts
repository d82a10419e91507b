/**
 * Launch: how long an incident takes from the start request to its channel being ready (the checklist posted and
 * pinned) and to every launch step done, one at a time and several at once, with the service-outage playbook (channel,
 * invitations, sidebar, Jira, Zoom, Opsgenie), the real adapters against the sandboxes at the latency profile, and the
 * worker in a process of its own. Beside each figure: its floor from the run's call log (critical-path.ts) and the CPU
 * per launch of the worker and of the Temporal server, each its own.
 *
 * Times come from the incident's own timeline (the workflow's clock when each step's result was recorded); the
 * benchmark learns that a launch finished from the call log (its header's call was answered) and the worker's store
 * (every step done), so it sends the worker no queries while launches run (until 2026-12-02 it asked each incident's
 * view once its header was up: a query or two per launch, counted in the worker's and the server's CPU).
 */
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import type { IncidentView } from '../domain/incident.js';
import { loadPlaybookDirectory } from '../store/playbook-files.js';
import { lookupFromFiles } from '../store/playbook-lookup.js';
import { parseCallTag, CALL_TAG_HEADER } from './lib/call-tags.js';
import { callsByActivity, channelReadyBreakdown, launchFloors, type PathFloor, type ReadyBreakdown } from './lib/critical-path.js';
import { figures, fmt, goal, median, sleep, table, verdict, type Figures } from './lib/figures.js';
import { CpuWindow, machine, threadCpuSeconds } from './lib/process-stats.js';
import { latencyProfile, MEMBERSHIP_LOOK_WITH_EVENTS_MS, startStack, SYSTEMS, type LatencyProfile, type Sandboxes, type System } from './lib/stack.js';
import type { Bench, Goal, Mode, Plot } from './lib/types.js';

interface Scenario {
  name: string;
  concurrency: number;
  launches: number;
  /** Goals of issue 16 for this scenario: milestone time as a multiple of its floor. */
  goals: { channelReady?: number; launched?: number };
  /**
   * The service-outage playbook with no task for the on-call: its checklist need not wait for who is on call, so from
   * incident-v15 it goes up in the channel's own activity (the playbook's own checklist waits for the lookup).
   */
  noOnCallTasks?: boolean;
}

function scenarios(mode: Mode): Scenario[] {
  if (mode === 'smoke') {
    return [
      { name: 'one at a time', concurrency: 1, launches: 2, goals: { channelReady: 1.2, launched: 1.3 } },
      { name: '2 at once', concurrency: 2, launches: 2, goals: {} },
    ];
  }
  return [
    // Twenty one at a time (eight seconds each): CPU per launch over a shorter window moved by a fifth from run to run
    // on this shared machine.
    { name: 'one at a time', concurrency: 1, launches: mode === 'full' ? 30 : 20, goals: { channelReady: 1.2, launched: 1.3 } },
    { name: '10 at once', concurrency: 10, launches: mode === 'full' ? 30 : 20, goals: { channelReady: 2 } },
    { name: 'one at a time, no on-call tasks', concurrency: 1, launches: 20, goals: {}, noOnCallTasks: true },
    ...(mode === 'full' ? [{ name: '50 at once', concurrency: 50, launches: 50, goals: {} }] : []),
  ];
}

/** Goals of issue 16 for CPU per launch, in seconds. */
const CPU_GOALS = { worker: 0.1, server: 0.15 };

interface Launch {
  id: string;
  channelReadyMs: number;
  launchedMs: number;
  floors: { channelReady: PathFloor | undefined; launched: PathFloor | undefined };
  /** Where the time to the channel ready went (Temporal's and the worker's share beside the calls). */
  readyBreakdown: ReadyBreakdown | undefined;
}

interface ScenarioResult {
  scenario: string;
  concurrency: number;
  launches: Launch[];
  channelReady: Figures & { floor: number; nominalFloor: number; ratio: number };
  launched: Figures & { floor: number; nominalFloor: number; ratio: number };
  cpuSecondsPerLaunch: { worker: number | null; server: number | null; bench: number | null };
  /**
   * The same per launch of each batch (one launch at a time; a batch's CPU over its launches at once), from the batch's
   * start until its launches were done: their spread, where cpuSecondsPerLaunch is one figure over the whole window.
   * Absent from results written before it was measured.
   */
  cpuSecondsPerBatch?: { worker: Figures; server: Figures };
  windowSeconds: number;
}

/**
 * Whether an incident's launch steps are all done (or failed), as its record in the worker's store says: read by this
 * process, so watching costs the worker nothing (the record is written within moments of each change).
 */
function storedLaunches(storeUrl: string | undefined) {
  if (!storeUrl?.startsWith('sqlite:')) throw new Error('the launch benchmark reads its worker\'s SQLite store; the worker has none');
  let read: BetterSqlite3.Statement | undefined;
  return {
    launched(id: string): boolean {
      // The worker makes the file at its start; opened here once it is there.
      read ??= new BetterSqlite3(storeUrl.slice('sqlite:'.length), { readonly: true, fileMustExist: true }).prepare('select view from incident_records where id = ?');
      const row = read.get(id) as { view: string } | undefined;
      if (!row) return false;
      const view = JSON.parse(row.view) as IncidentView;
      return Object.values(view.launch).every((step) => step.status !== 'pending');
    },
  };
}

/** From the timeline: when the checklist was pinned, and when the last launch step's result was recorded. */
function launchTimes(view: IncidentView): { channelReadyMs: number; channelReadyAtMs: number; launchedMs: number; launchedAtMs: number } {
  const reported = Date.parse(view.reportedAt);
  const steps = view.timeline.filter((event) => (event.kind === 'integration_succeeded' || event.kind === 'integration_failed') && typeof event.data?.step === 'string');
  const checklist = steps.find((event) => event.data?.step === 'checklistPost');
  const last = Math.max(...steps.map((event) => Date.parse(event.at)));
  const readyAt = checklist ? Date.parse(checklist.at) : Number.NaN;
  return { channelReadyMs: readyAt - reported, channelReadyAtMs: readyAt, launchedMs: last - reported, launchedAtMs: last };
}

const served = (sandboxes: Sandboxes) => SYSTEMS.reduce((n, system) => n + sandboxes[system].server.requests.length, 0);

/** Waits until the sandboxes have served nothing for `quietMs` (the launch's follow-ups done), `maxMs` at most. */
async function settle(sandboxes: Sandboxes, quietMs: number, maxMs = 20_000): Promise<void> {
  const until = Date.now() + maxMs;
  let count = served(sandboxes);
  let since = Date.now();
  while (Date.now() < until && Date.now() - since < quietMs) {
    await sleep(100);
    const now = served(sandboxes);
    if (now !== count) [count, since] = [now, Date.now()];
  }
}

/**
 * Workflows whose `setChannelHeader` call (the last launch step) has been answered, from the log as it grows; `rescan`
 * after the log was taken.
 */
function headerWatcher(sandboxes: Sandboxes) {
  const done = new Set<string>();
  const requests = sandboxes.mattermost.server.requests;
  let scanned = 0;
  const pending: typeof requests = [];
  return {
    done(): Set<string> {
      pending.push(...requests.slice(scanned));
      scanned = requests.length;
      for (let i = pending.length - 1; i >= 0; i--) {
        const call = pending[i]!;
        if (call.durationMs === undefined) continue;
        const tag = parseCallTag(call.headers[CALL_TAG_HEADER]);
        if (tag?.activityType === 'setChannelHeader') done.add(tag.workflowId);
        pending.splice(i, 1);
      }
      return done;
    },
    rescan() {
      scanned = 0;
    },
  };
}

export const launchBench: Bench = async (context) => {
  const startedAt = performance.now();
  const profile = latencyProfile(context.mode);
  // Long enough for a launch's follow-ups (the record written; runs before incident-launch-lean-v10 also redrew the checklist).
  const quietMs = context.mode === 'smoke' ? 1_200 : 2_000;
  const stack = await startStack(context.bundle);
  const results: ScenarioResult[] = [];
  let warnings: { count: number; examples: string[] } | undefined;
  try {
    stack.setLatency(profile);
    const taskQueue = 'bench-launch';
    const worker = await stack.startWorker({ taskQueue, tagCalls: true });
    // Members are looked at as the API has it by default (MATTERMOST_EVENTS on): not again during the benchmark.
    const incidents = stack.incidents(taskQueue, { membershipCheckIntervalMs: MEMBERSHIP_LOOK_WITH_EVENTS_MS });
    const playbook = (await lookupFromFiles(loadPlaybookDirectory(fileURLToPath(new URL('../playbooks', import.meta.url)))).get('service-outage'))!;
    const headers = headerWatcher(stack.sandboxes);

    const withoutOnCallTasks: typeof playbook = {
      ...playbook,
      checklists: playbook.checklists.map((checklist) => ({
        ...checklist,
        tasks: checklist.tasks.map(({ assigneeRole, ...task }) => (assigneeRole === 'oncall' ? task : { ...task, ...(assigneeRole ? { assigneeRole } : {}) })),
      })),
    };

    // Watched through the Mattermost sandbox's log (the header is the last launch step's call) and the worker's store
    // (every step done), not by querying the incident: a query costs the worker and the server several milliseconds
    // each (scripts/profile-launch.ts, POLL=query), which the launch's CPU figures would count. The views are read
    // once the CPU window has closed (finished, below).
    const stored = storedLaunches(worker.storeUrl);
    const launchOne = async (name: string, noOnCallTasks = false) => {
      const { id, workflowId } = await incidents.start({ name, team: 'default', reporter: 'alice', playbook: noOnCallTasks ? withoutOnCallTasks : playbook });
      const deadline = Date.now() + 120_000;
      while (!headers.done().has(workflowId) || !stored.launched(id)) {
        if (Date.now() > deadline) throw new Error(`launch of ${id} did not finish in 2 minutes`);
        await sleep(20);
      }
      return { id, workflowId };
    };
    /** The launch's times from its view, once every launch step is done (or failed). */
    const finished = async (id: string) => {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const view = await incidents.view(id);
        if (Object.values(view.launch).every((step) => step.status !== 'pending')) return launchTimes(view);
        if (Date.now() > deadline) throw new Error(`launch of ${id} did not finish in 2 minutes`);
        await sleep(50);
      }
    };

    // A launch before measuring: the workflow code loaded in the worker and Zoom's token fetched, as on a running service.
    await finished((await launchOne('Warm-up')).id);
    for (const scenario of scenarios(context.mode)) {
      await settle(stack.sandboxes, quietMs);
      stack.sandboxes.takeCalls();
      headers.rescan();
      const cpu = new CpuWindow({ worker: worker.pid, server: stack.serverPid, bench: process.pid });
      const launched: Array<Awaited<ReturnType<typeof launchOne>>> = [];
      const perBatch = { worker: [] as number[], server: [] as number[] };
      for (let done = 0; done < scenario.launches; done += scenario.concurrency) {
        const batch = Math.min(scenario.concurrency, scenario.launches - done);
        const before = { worker: threadCpuSeconds(worker.pid), server: threadCpuSeconds(stack.serverPid) };
        launched.push(...(await Promise.all(Array.from({ length: batch }, (_, i) => launchOne(`Bench ${scenario.name} ${done + i}`, scenario.noOnCallTasks)))));
        const after = { worker: threadCpuSeconds(worker.pid), server: threadCpuSeconds(stack.serverPid) };
        for (const name of ['worker', 'server'] as const) {
          const [from, to] = [before[name], after[name]];
          if (from !== undefined && to !== undefined) perBatch[name].push((to - from) / batch);
        }
      }
      // The launches' follow-ups (records written) are part of what a launch costs.
      await settle(stack.sandboxes, quietMs);
      const window = cpu.end();
      const calls = callsByActivity(stack.sandboxes.takeCalls());
      headers.rescan();
      const launches: Launch[] = [];
      for (const { id, workflowId } of launched) {
        const times = await finished(id);
        const history = await stack.env.client.workflow.getHandle(workflowId).fetchHistory();
        launches.push({
          id,
          channelReadyMs: times.channelReadyMs,
          launchedMs: times.launchedMs,
          floors: launchFloors(history.events ?? [], calls.get(workflowId), profile, times.launchedAtMs),
          readyBreakdown: channelReadyBreakdown(history.events ?? [], calls.get(workflowId), times.channelReadyAtMs),
        });
      }
      const perLaunch = (seconds: number | null) => (seconds === null ? null : seconds / scenario.launches);
      const summary = (what: 'channelReady' | 'launched') => {
        const f = figures(launches.map((l) => (what === 'channelReady' ? l.channelReadyMs : l.launchedMs)));
        const floor = median(launches.map((l) => l.floors[what]?.servedMs ?? Number.NaN));
        return { ...f, floor, nominalFloor: median(launches.map((l) => l.floors[what]?.nominalMs ?? Number.NaN)), ratio: f.median / Math.max(1, floor) };
      };
      const result: ScenarioResult = {
        scenario: scenario.name,
        concurrency: scenario.concurrency,
        launches,
        channelReady: summary('channelReady'),
        launched: summary('launched'),
        cpuSecondsPerLaunch: {
          worker: perLaunch(window.processes.worker!.cpuSeconds),
          server: perLaunch(window.processes.server!.cpuSeconds),
          bench: perLaunch(window.processes.bench!.cpuSeconds),
        },
        cpuSecondsPerBatch: { worker: figures(perBatch.worker), server: figures(perBatch.server) },
        windowSeconds: window.seconds,
      };
      results.push(result);
      context.log(
        `launch, ${scenario.name}: channel ready p50 ${fmt(result.channelReady.median)} ms (floor ${fmt(result.channelReady.floor)}), ` +
          `launched p50 ${fmt(result.launched.median)} ms (floor ${fmt(result.launched.floor)}), worker CPU ${fmt(result.cpuSecondsPerLaunch.worker)} s/launch`,
      );
    }
    warnings = (await worker.status()).warnings;
  } finally {
    await stack.stop();
  }

  const goals: Goal[] = [];
  for (const [i, scenario] of scenarios(context.mode).entries()) {
    const r = results[i]!;
    if (scenario.goals.channelReady) goals.push(goal(`launch, ${r.scenario}: channel ready median / floor`, r.channelReady.ratio, 'x', scenario.goals.channelReady));
    if (scenario.goals.launched) goals.push(goal(`launch, ${r.scenario}: fully launched median / floor`, r.launched.ratio, 'x', scenario.goals.launched));
    goals.push(goal(`launch, ${r.scenario}: worker CPU per launch`, r.cpuSecondsPerLaunch.worker ?? Number.NaN, 's', CPU_GOALS.worker));
    goals.push(goal(`launch, ${r.scenario}: Temporal server CPU per launch`, r.cpuSecondsPerLaunch.server ?? Number.NaN, 's', CPU_GOALS.server));
  }
  return {
    name: 'launch',
    title: 'Launch',
    mode: context.mode,
    machine: machine(),
    durationSeconds: (performance.now() - startedAt) / 1000,
    goals,
    markdown: markdown(profile, results, goals, warnings ?? { count: 0, examples: [] }),
    plots: [plot(results)],
    data: {
      profile,
      workerWarnings: warnings,
      scenarios: results.map(({ launches, ...rest }) => ({
        ...rest,
        launches: launches.map((l) => ({ id: l.id, channelReadyMs: l.channelReadyMs, launchedMs: l.launchedMs, floors: l.floors, readyBreakdown: l.readyBreakdown })),
      })),
    },
  };
};

/** Calls on the path per system, e.g. "Mattermost 12 × 21.4 ms, Opsgenie 1 × 151 ms". */
function pathCalls(floors: Array<PathFloor | undefined>): string {
  const known = floors.filter((f): f is PathFloor => f !== undefined);
  const parts = SYSTEMS.flatMap((system) => {
    const counts = known.map((f) => f.calls[system] ?? 0);
    const count = median(counts);
    if (!count) return [];
    const perCall = median(known.filter((f) => f.calls[system]).map((f) => f.servedBySystem[system]! / f.calls[system]!));
    return [`${system[0]!.toUpperCase()}${system.slice(1)} ${fmt(count)} × ${fmt(perCall)} ms`];
  });
  return parts.join(' + ') || 'n/a';
}

/** The path of the launch whose floor is the median: which activities, with their calls on the path. */
function typicalPath(floors: Array<PathFloor | undefined>): string {
  const known = floors.filter((f): f is PathFloor => f !== undefined).sort((a, b) => a.servedMs - b.servedMs);
  return known[Math.floor((known.length - 1) / 2)]?.path.join(' → ') ?? 'n/a';
}

function markdown(profile: LatencyProfile, results: ScenarioResult[], goals: Goal[], warnings: { count: number; examples: string[] }): string {
  const goalFor = (name: string) => goals.find((g) => g.figure === name);
  const cell = (g: Goal | undefined) => (g ? verdict(g) : '');
  const rows = results.flatMap((r) =>
    (['channelReady', 'launched'] as const).map((what) => {
      const f = r[what];
      const label = what === 'channelReady' ? 'channel ready' : 'fully launched';
      return [r.scenario, label, f.count, f.min, f.median, f.p95, `${fmt(f.floor)} (${fmt(f.nominalFloor)})`, `${fmt(f.ratio, 2)} x`, cell(goalFor(`launch, ${r.scenario}: ${label} median / floor`))];
    }),
  );
  const spread = (f: Figures | undefined) => (f && f.count > 0 ? `${fmt(f.min, 3)} / ${fmt(f.median, 3)} / ${fmt(f.p95, 3)} (${f.count})` : 'n/a');
  const cpuRows = results.map((r) => [
    r.scenario,
    r.cpuSecondsPerLaunch.worker ?? Number.NaN,
    cell(goalFor(`launch, ${r.scenario}: worker CPU per launch`)),
    spread(r.cpuSecondsPerBatch?.worker),
    r.cpuSecondsPerLaunch.server ?? Number.NaN,
    cell(goalFor(`launch, ${r.scenario}: Temporal server CPU per launch`)),
    spread(r.cpuSecondsPerBatch?.server),
    r.cpuSecondsPerLaunch.bench ?? Number.NaN,
  ]);
  const pathRows = results.flatMap((r) =>
    (['channelReady', 'launched'] as const).map((what) => {
      const floors = r.launches.map((l) => l.floors[what]);
      return [r.scenario, what === 'channelReady' ? 'channel ready' : 'fully launched', pathCalls(floors), r[what].floor, r[what].nominalFloor, typicalPath(floors)];
    }),
  );
  const breakdownRows = results.map((r) => {
    const known = r.launches.flatMap((l) => (l.readyBreakdown ? [l.readyBreakdown] : []));
    const part = (key: keyof ReadyBreakdown) => median(known.map((b) => b[key]));
    const ours = known.map((b) => b.firstTask + b.awaitingTasks + b.dispatch + b.inActivity + b.recorded);
    return [r.scenario, part('firstTask'), part('awaitingTasks'), part('dispatch'), part('calls'), part('inActivity'), part('recorded'), median(ours), `${fmt(part('workflowTasks'))} / ${fmt(part('activities'))}`];
  });
  const p = (system: System) => profile[system];
  return `### Launch

From the start request to the channel ready (the checklist posted and pinned) and to every launch step done, with the
service-outage playbook (channel, invitations, sidebar category, Jira issue, Zoom meeting, Opsgenie lookup and page,
checklist, header), read from each incident's timeline; its checklist gives the on-call tasks, so it waits for who is
on call: the channel's activity looks them up while it makes the channel, and posts the checklist drawn with them
(incident-v19). The last scenario takes the same playbook without those tasks: its checklist goes up in the channel's
activity without waiting (incident-v15), and who is on call comes from an activity of its own. The invitations'
activity also looks up the playbook's user group and places the sidebars (incident-v18 and v17), and the header's
activity posts the bridge's link (incident-v20): a launch of the playbook as shipped is 6 activities (11 before these
four). Latency profile per call: Mattermost ${p('mattermost')} ms, Jira
${p('jira')}, Zoom ${p('zoom')}, Opsgenie ${p('opsgenie')}. The worker runs in a process of its own. Times in
milliseconds; the floor is from this run's call log (served, and in brackets at the profile's nominal latency; see
[how floors are computed](#how-floors-are-computed)).

${table(['scenario', 'figure', 'launches', 'min', 'median', 'p95', 'floor (nominal)', 'median / floor', 'goal'], rows)}

CPU seconds per launch, each process its own (from /proc, over the launches and their follow-ups until the sandboxes
fell quiet; the goals are read on these): the worker, the Temporal dev server, and the benchmark's own process (the
sandboxes and the client), for scale. Beside them, how it spread: the CPU of each launch one at a time (of each batch
per launch, at once) from its start until it was done, to the nanosecond from each thread's schedstat, with min /
median / p95 and how many; a launch's follow-ups (its record written a moment later) fall in the next one's, and a
collection of garbage in whichever it came, so the spread shows the noise the one figure averages out.

${table(['scenario', 'worker', 'goal', 'worker, each launch: min / median / p95', 'Temporal server', 'goal', 'server, each launch: min / median / p95', 'sandboxes + client'], cpuRows)}

The critical path each floor is made of (medians over the launches: calls on the path per system × the median time
the sandbox took per call), and the activities on it for the median launch (calls on the path in brackets):

${table(['scenario', 'milestone', 'calls on the path', 'floor served', 'nominal', 'path'], pathRows)}

Where the time to the channel ready goes, along the same path (medians over the launches, milliseconds; each column's
median on its own, so the columns need not add up to the median above): the first workflow task (from when it
started, which is when the incident counts as reported: the workflow built from its start input, its handlers set up,
the first activities scheduled); waiting for the workflow tasks that scheduled the next activity (the completion
delivered to the worker, the task run, its commands back on the server; longer when a task for another activity was
running first); each activity's dispatch to the worker; the calls on the path, as Mattermost answered them (the
floor); the rest of those activities (the worker's HTTP, the \`checklistPost\` query, heartbeats); and the workflow task
that recorded the checklist. All but the calls is Temporal's and the worker's share: the goal of 1.2 × the floor leaves
it a fifth of the calls' time, while each workflow task and each activity on the path costs a few milliseconds here.

${table(['scenario', 'first workflow task', 'awaiting workflow tasks', 'dispatch', 'calls (floor)', 'rest of the activities', 'recorded', 'all but the calls', 'workflow tasks / activities on the path'], breakdownRows)}

The worker logged ${warnings.count} warnings${warnings.examples.length ? `, such as: ${warnings.examples.map((w) => `"${w}"`).join('; ')}` : ''}.
`;
}

function plot(results: ScenarioResult[]): Plot {
  const values = results.flatMap((r) =>
    (['channelReady', 'launched'] as const).map((what) => ({
      scenario: r.scenario,
      milestone: what === 'channelReady' ? 'channel ready' : 'fully launched',
      median: r[what].median,
      p95: r[what].p95,
      floor: Math.round(r[what].floor),
    })),
  );
  const x = { field: 'scenario', type: 'nominal', title: null, sort: null };
  const xOffset = { field: 'milestone', type: 'nominal' };
  return {
    file: 'launch.svg',
    title: 'Launch latency by scenario (median bar, p95 grey tick, floor black tick)',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: 'Launch latency (ms)', subtitle: 'median (bar), p95 (grey tick), floor from the call log (black tick)' },
      width: 420,
      height: 260,
      data: { values },
      encoding: { x, xOffset },
      layer: [
        { mark: 'bar', encoding: { y: { field: 'median', type: 'quantitative', title: 'milliseconds' }, color: { field: 'milestone', type: 'nominal', title: null } } },
        { mark: { type: 'tick', color: '#888', thickness: 2 }, encoding: { y: { field: 'p95', type: 'quantitative' } } },
        { mark: { type: 'tick', color: 'black', thickness: 3 }, encoding: { y: { field: 'floor', type: 'quantitative' } } },
      ],
    },
  };
}
