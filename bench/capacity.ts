/**
 * Capacity: N incidents open on ONE worker in a process of its own, then left alone. Reported: the worker's resident
 * memory (VmRSS) as they open and once they are idle, memory per open incident, the CPU the worker and the Temporal
 * server use while nothing happens (from /proc/<pid>/stat over a window), and the command p99 at that size.
 *
 * The incidents use the minimal playbook and are opened with the sandboxes at no latency (opening is not what is
 * measured); the idle window and the commands run at the latency profile. The worker's workflow cache is the SDK's
 * default for this machine unless BENCH_MAX_CACHED_WORKFLOWS (or WORKER_MAX_CACHED_WORKFLOWS) says otherwise.
 */
import { fmt, goal, sleep, table, verdict } from './lib/figures.js';
import { minimalPlaybook, openIncidents } from './lib/incidents.js';
import { CpuWindow, machine, memoryOf } from './lib/process-stats.js';
import { roundTrips, type RoundTrips } from './lib/round-trips.js';
import { latencyProfile, MEMBERSHIP_LOOK_WITH_EVENTS_MS, NO_LATENCY, startStack, SYSTEMS, type Sandboxes } from './lib/stack.js';
import type { Bench, Goal, Mode, Plot } from './lib/types.js';

/** Goals of issue 16: 10,000 open on one worker in under 2 GB, idle under 10 % of a core, p99 under 150 ms. */
const GOALS = { open: 10_000, rssMb: 2_048, idleCoreShare: 0.1, p99Ms: 150 };
const MB = 2 ** 20;

function plan(mode: Mode) {
  const n = Number(process.env.BENCH_CAPACITY_N) || (mode === 'smoke' ? 20 : mode === 'full' ? 10_000 : 1_000);
  const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS) || (mode === 'smoke' ? 3 : mode === 'full' ? 60 : 30);
  const samples = mode === 'smoke' ? 20 : mode === 'full' ? 1_000 : 400;
  const cache = Number(process.env.BENCH_MAX_CACHED_WORKFLOWS ?? process.env.WORKER_MAX_CACHED_WORKFLOWS) || undefined;
  return { n: Math.max(4, n), warm: Math.max(2, Math.min(50, Math.floor(n / 10))), idleSeconds, samples, cache };
}

interface MemorySample {
  open: number;
  rssMb: number;
  /** The main thread's; the workflows live in the SDK's workflow thread, whose heap only RSS shows. */
  heapUsedMb: number;
  cachedWorkflows: number;
  workerWarnings: number;
}

const served = (sandboxes: Sandboxes) => SYSTEMS.reduce((n, system) => n + sandboxes[system].server.requests.length, 0);

/** Until the sandboxes have served nothing for `quietMs` (the launches' follow-ups done), `maxMs` at most. */
async function quiet(sandboxes: Sandboxes, quietMs: number, maxMs: number): Promise<void> {
  const until = Date.now() + maxMs;
  let count = served(sandboxes);
  let since = Date.now();
  while (Date.now() < until && Date.now() - since < quietMs) {
    await sleep(200);
    const now = served(sandboxes);
    if (now !== count) [count, since] = [now, Date.now()];
    // The log is read for its length only: forget it so that it does not grow with thousands of launches.
    if (now > 10_000) {
      sandboxes.takeCalls();
      count = 0;
    }
  }
}

export const capacityBench: Bench = async (context) => {
  const startedAt = performance.now();
  const profile = latencyProfile(context.mode);
  const { n, warm, idleSeconds, samples, cache } = plan(context.mode);
  // Long enough for a launch's last follow-ups (the checklist redrawn a second later, the record written).
  const quietMs = context.mode === 'smoke' ? 1_500 : 3_000;
  const stack = await startStack(context.bundle);
  const memory: MemorySample[] = [];
  let result: {
    maxCachedWorkflows: number;
    openSeconds: number;
    base: MemorySample;
    idle: MemorySample & { peakRssMb: number };
    serverRssMb: number | null;
    idleWindow: { seconds: number; workerCoreShare: number | null; serverCoreShare: number | null; benchCoreShare: number | null; callsServed: number };
    commands: RoundTrips;
  };
  try {
    const taskQueue = 'bench-capacity';
    const worker = await stack.startWorker({ taskQueue, ...(cache ? { maxCachedWorkflows: cache } : {}) });
    const incidents = stack.incidents(taskQueue, { membershipCheckIntervalMs: MEMBERSHIP_LOOK_WITH_EVENTS_MS });
    const playbook = minimalPlaybook();
    const sample = async (open: number): Promise<MemorySample> => {
      const status = await worker.status();
      const rss = memoryOf(worker.pid)?.rssBytes ?? status.memory.rss;
      const point = { open, rssMb: rss / MB, heapUsedMb: status.memory.heapUsed / MB, cachedWorkflows: status.cachedWorkflows, workerWarnings: status.warnings.count };
      memory.push(point);
      return point;
    };

    stack.setLatency(NO_LATENCY);
    // A few incidents first: the workflow code loaded, every code path of a launch run and the heap grown to its
    // working size, as on a running service, so that what comes after is what more open incidents cost.
    const ids = await openIncidents(stack.sandboxes, incidents, playbook, warm, { prefix: 'Capacity warm-up' });
    await quiet(stack.sandboxes, quietMs, 15_000);
    const base = await sample(warm);
    context.log(`capacity: worker ready, RSS ${fmt(base.rssMb)} MB with ${warm} open; opening ${n}`);

    const opening = performance.now();
    const every = Math.max(1, Math.floor(n / 10));
    let next = warm + every;
    ids.push(
      ...(await openIncidents(stack.sandboxes, incidents, playbook, n - warm, {
        prefix: 'Capacity',
        onLaunched: async (launched) => {
          if (warm + launched < next) return;
          next = warm + launched + every;
          const point = await sample(warm + launched);
          context.log(`capacity: ${point.open} open, RSS ${fmt(point.rssMb)} MB, ${point.cachedWorkflows} cached`);
        },
      })),
    );
    const openSeconds = (performance.now() - opening) / 1000;
    await quiet(stack.sandboxes, quietMs, 120_000);
    stack.sandboxes.takeCalls();

    stack.setLatency(profile);
    context.log(`capacity: ${n} open in ${fmt(openSeconds)} s; idle for ${idleSeconds} s`);
    const window = new CpuWindow({ worker: worker.pid, server: stack.serverPid, bench: process.pid });
    await sleep(idleSeconds * 1000);
    const cpu = window.end();
    const callsServed = stack.sandboxes.takeCalls().length;
    const idle = await sample(n);
    const peakRssMb = (memoryOf(worker.pid)?.peakRssBytes ?? Number.NaN) / MB;
    const serverRss = memoryOf(stack.serverPid)?.rssBytes;

    const commands = await roundTrips(incidents, ids, { concurrency: 10, samples, maxSeconds: context.mode === 'smoke' ? 5 : 60, worker });
    context.log(`capacity: ${n} open, 10 concurrent: p99 ${fmt(commands.ms.p99)} ms`);
    result = {
      maxCachedWorkflows: worker.maxCachedWorkflows,
      openSeconds,
      base,
      idle: { ...idle, peakRssMb },
      serverRssMb: serverRss === undefined ? null : serverRss / MB,
      idleWindow: {
        seconds: cpu.seconds,
        workerCoreShare: cpu.processes.worker!.coreShare,
        serverCoreShare: cpu.processes.server!.coreShare,
        benchCoreShare: cpu.processes.bench!.coreShare,
        callsServed,
      },
      commands,
    };
  } finally {
    await stack.stop();
  }

  const perIncidentMb = (result.idle.rssMb - result.base.rssMb) / (n - warm);
  // Whether memory levels off once the cache is full: the growth per incident opened after it filled, if it did.
  const full = memory.find((m) => m.cachedWorkflows >= result.maxCachedWorkflows - 1);
  const pastCacheMb = full && full.open < n ? (result.idle.rssMb - full.rssMb) / (n - full.open) : null;
  // RSS grows with every incident opened (and did past a full cache where a run saw one), so the projection is linear.
  const projectedMb = result.idle.rssMb + Math.max(0, GOALS.open - n) * perIncidentMb;
  const fitsInGoal = perIncidentMb > 0 ? Math.floor(n + (GOALS.rssMb - result.idle.rssMb) / perIncidentMb) : null;
  const measuredAtGoal = n >= GOALS.open;
  const sizeNote = measuredAtGoal ? undefined : `measured with ${n.toLocaleString('en-US')} open; the goal is for ${GOALS.open.toLocaleString('en-US')} (--full)`;
  const goals: Goal[] = [
    goal(
      `capacity: worker memory with ${GOALS.open.toLocaleString('en-US')} open`,
      measuredAtGoal ? result.idle.rssMb : projectedMb,
      'MB',
      GOALS.rssMb,
      measuredAtGoal
        ? undefined
        : `projected from ${n.toLocaleString('en-US')} open: ${fmt(result.idle.rssMb)} MB + ${fmt(GOALS.open - n)} more × ${fmt(perIncidentMb * 1024)} KB`,
    ),
    goal(`capacity: worker idle CPU, ${n.toLocaleString('en-US')} open`, (result.idleWindow.workerCoreShare ?? Number.NaN) * 100, '% of a core', GOALS.idleCoreShare * 100, sizeNote),
    goal(`capacity: command p99 at 10 concurrent, ${n.toLocaleString('en-US')} open`, result.commands.ms.p99, 'ms', GOALS.p99Ms, n < 1_000 ? `measured with ${n} open; the goal is for 1,000` : undefined),
  ];
  if (result.commands.errors) goals.push(goal('capacity: commands that failed', result.commands.errors, 'errors', 0));
  const data = { n, warm, idleSeconds, cacheOverride: cache ?? null, ...result, perIncidentMb, projectedMbAtGoal: projectedMb, pastCacheMb, fitsInGoal, memory };
  return {
    name: 'capacity',
    title: 'Capacity',
    mode: context.mode,
    machine: machine(),
    durationSeconds: (performance.now() - startedAt) / 1000,
    goals,
    markdown: markdown(data, goals),
    plots: [plot(data)],
    data,
  };
};

type Data = {
  n: number;
  warm: number;
  idleSeconds: number;
  cacheOverride: number | null;
  maxCachedWorkflows: number;
  openSeconds: number;
  base: MemorySample;
  idle: MemorySample & { peakRssMb: number };
  serverRssMb: number | null;
  idleWindow: { seconds: number; workerCoreShare: number | null; serverCoreShare: number | null; benchCoreShare: number | null; callsServed: number };
  commands: RoundTrips;
  perIncidentMb: number;
  projectedMbAtGoal: number;
  pastCacheMb: number | null;
  fitsInGoal: number | null;
  memory: MemorySample[];
};

function markdown(d: Data, goals: Goal[]): string {
  const [memoryGoal, idleGoal, p99Goal] = goals;
  const pct = (share: number | null) => (share === null ? 'n/a' : `${fmt(share * 100, 2)} %`);
  const rows = [
    ['open incidents', d.n.toLocaleString('en-US'), ''],
    ['time to open them (no latency)', `${fmt(d.openSeconds)} s (${fmt(d.n / d.openSeconds)} per second)`, ''],
    ['workflow cache (maxCachedWorkflows)', `${fmt(d.maxCachedWorkflows)} (${d.cacheOverride ? 'set for this run' : "the SDK's default for this machine's heap limit"}); ${fmt(d.idle.cachedWorkflows)} cached at the end`, ''],
    [`worker RSS, ${d.warm} open (after warming up)`, `${fmt(d.base.rssMb)} MB`, ''],
    [`worker RSS, ${d.n.toLocaleString('en-US')} open and idle`, `${fmt(d.idle.rssMb)} MB (peak ${fmt(d.idle.peakRssMb)} MB; the main thread's JS heap ${fmt(d.idle.heapUsedMb)} MB)`, ''],
    ['memory per incident opened', `${fmt(d.perIncidentMb * 1024)} KB`, ''],
    [
      'after the cache filled',
      d.pastCacheMb === null
        ? `not reached (the cache holds ${fmt(d.maxCachedWorkflows)})`
        : `${fmt(d.pastCacheMb * 1024)} KB more per incident opened beyond the cache's ${fmt(d.maxCachedWorkflows)}`,
      '',
    ],
    [`open incidents that fit in ${fmt(GOALS.rssMb)} MB at that rate`, d.fitsInGoal === null ? 'n/a' : fmt(d.fitsInGoal), ''],
    [`worker memory with ${GOALS.open.toLocaleString('en-US')} open`, `${fmt(memoryGoal!.value)} MB${memoryGoal!.note ? ` (${memoryGoal!.note})` : ''}`, verdict(memoryGoal!)],
    [`worker idle CPU over ${fmt(d.idleWindow.seconds)} s`, pct(d.idleWindow.workerCoreShare), verdict(idleGoal!)],
    [`Temporal server idle CPU over the same window`, pct(d.idleWindow.serverCoreShare), ''],
    ['Temporal server RSS', d.serverRssMb === null ? 'n/a' : `${fmt(d.serverRssMb)} MB`, ''],
    ['calls to the sandboxes during the idle window', d.idleWindow.callsServed, ''],
    ['warnings the worker logged (whole run)', d.idle.workerWarnings + d.commands.workerWarnings, ''],
    [
      `command round trip, 10 concurrent (${d.commands.count} answers)`,
      `median ${fmt(d.commands.ms.median)} ms, p95 ${fmt(d.commands.ms.p95)}, p99 ${fmt(d.commands.ms.p99)}, max ${fmt(d.commands.ms.max)}; ${d.commands.errors} errors`,
      verdict(p99Goal!),
    ],
  ];
  return `### Capacity

${d.n.toLocaleString('en-US')} incidents open on one worker in a process of its own (the minimal playbook, opened with
no latency), then left alone for ${d.idleSeconds} s at the latency profile; their members are looked at every 6 h, as
the API has it with Mattermost events on (the default), so no timer fires while they rest. Then commands at 10
concurrent callers to incidents picked at random.

Memory is the worker process's VmRSS (/proc/<pid>/status) once ${d.warm} are open (the worker warmed up: workflow code
loaded, heap at its working size) and with all open; per incident is the difference over the incidents opened in
between, and the projection to ${GOALS.open.toLocaleString('en-US')} is linear in it. The workflows run in the SDK's
workflow thread, whose heap is in RSS but not in the main thread's JS heap figure. CPU is from /proc/<pid>/stat over
the idle window, as a share of one core.

${table(['figure', 'value', 'goal'], rows)}
`;
}

function plot(d: Data): Plot {
  const measured = d.memory.map((m) => ({ open: m.open, mb: Number(m.rssMb.toFixed(1)), series: 'worker RSS (measured)' }));
  const label = 'projection (linear)';
  const projection =
    d.n < GOALS.open
      ? [
          { open: d.n, mb: Number(d.idle.rssMb.toFixed(1)), series: label },
          { open: GOALS.open, mb: Number(d.projectedMbAtGoal.toFixed(1)), series: label },
        ]
      : [];
  // The measured part and the goal stay readable: a projection far above them leaves the chart at its top edge.
  const yMax = Math.ceil(Math.max(GOALS.rssMb * 1.5, ...d.memory.map((m) => m.rssMb * 1.3)) / 500) * 500;
  const projectedNote =
    d.n < GOALS.open
      ? [
          {
            data: { values: [{ open: GOALS.open, mb: yMax, text: `projected at ${GOALS.open.toLocaleString('en-US')}: ${fmt(d.projectedMbAtGoal)} MB` }] },
            mark: { type: 'text', align: 'right', baseline: 'top', dy: 4, color: '#444' },
            encoding: { x: { field: 'open', type: 'quantitative' }, y: { field: 'mb', type: 'quantitative' }, text: { field: 'text' } },
          },
        ]
      : [];
  const xMax = Math.max(GOALS.open, d.n);
  const cacheRule =
    d.maxCachedWorkflows <= xMax
      ? [
          {
            data: { values: [{ open: d.maxCachedWorkflows, text: `cache: ${fmt(d.maxCachedWorkflows)}` }] },
            layer: [
              { mark: { type: 'rule', color: '#999', strokeDash: [2, 2] }, encoding: { x: { field: 'open', type: 'quantitative' } } },
              { mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 4, dy: -4, color: '#666' }, encoding: { x: { field: 'open', type: 'quantitative' }, y: { datum: 0, type: 'quantitative' }, text: { field: 'text' } } },
            ],
          },
        ]
      : [];
  return {
    file: 'capacity.svg',
    title: 'Worker memory against open incidents, with the 2 GB goal',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: 'Worker memory (RSS, MB) by open incidents', subtitle: `goal: ${GOALS.open.toLocaleString('en-US')} open under ${fmt(GOALS.rssMb)} MB (red)` },
      width: 420,
      height: 260,
      layer: [
        {
          data: { values: [...measured, ...projection] },
          mark: { type: 'line', point: true, clip: true },
          encoding: {
            x: { field: 'open', type: 'quantitative', title: 'open incidents', scale: { domain: [0, xMax] } },
            y: { field: 'mb', type: 'quantitative', title: 'MB', scale: { domain: [0, yMax] } },
            color: { field: 'series', type: 'nominal', title: null, sort: ['worker RSS (measured)'] },
            strokeDash: { field: 'series', type: 'nominal', title: null, sort: ['worker RSS (measured)'] },
          },
        },
        { data: { values: [{ goal: GOALS.rssMb }] }, mark: { type: 'rule', color: '#d62728', strokeDash: [4, 4] }, encoding: { y: { field: 'goal', type: 'quantitative' } } },
        ...cacheRule,
        ...projectedNote,
      ],
    },
  };
}
