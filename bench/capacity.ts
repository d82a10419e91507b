/**
 * Capacity: N incidents open on ONE worker in a process of its own, then left alone. Reported: the worker's resident
 * memory (VmRSS) as they open and once they are idle, memory per open incident, the CPU the worker and the Temporal
 * server use while nothing happens (from /proc/<pid>/stat over a window), and the command p99 at that size.
 *
 * The incidents use the minimal playbook and are opened with the sandboxes at no latency (opening is not what is
 * measured); the idle window and the commands run at the latency profile. The worker's workflow cache is the worker's
 * default (DEFAULT_WORKER_MAX_CACHED_WORKFLOWS) unless BENCH_MAX_CACHED_WORKFLOWS (or WORKER_MAX_CACHED_WORKFLOWS) says
 * otherwise. Beside RSS as it stands, the worker's threads are collected once warmed up and at the end (at every sample
 * with BENCH_CAPACITY_GC=each) to tell live incidents from garbage; the worker runs with production's heap limit
 * (--max-old-space-size=1024) unless BENCH_WORKER_NODE_FLAGS gives other node flags (empty: none).
 */
import { figures, fmt, goal, sleep, table, verdict, type Figures } from './lib/figures.js';
import { minimalPlaybook, openIncidents } from './lib/incidents.js';
import { CpuWindow, machine, memoryOf } from './lib/process-stats.js';
import { MEASURED_COMMAND, roundTrips, type RoundTrips } from './lib/round-trips.js';
import { latencyProfile, MEMBERSHIP_LOOK_WITH_EVENTS_MS, NO_LATENCY, startStack, SYSTEMS, type Sandboxes } from './lib/stack.js';
import type { IncidentService } from '../api/incident-service.js';
import { workerNodeFlags, type WorkerProcess } from './lib/spawn-worker.js';
import type { Bench, Goal, Mode, Plot } from './lib/types.js';

/**
 * What the p99 row says besides its verdict: the goal (issue 16) is for 1,000 open; past the cache, most commands find
 * their incident evicted and replay it first (bench/README.md says what that costs).
 */
function p99Note(n: number, cache: number): string | undefined {
  if (n < 1_000) return `measured with ${n} open; the goal is for 1,000`;
  if (n <= cache) return undefined;
  return `the goal is for 1,000 open (Command round trips); here about ${Math.round((1 - cache / n) * 100)} % of the commands replay their incident first (cache ${fmt(cache)})`;
}

/** Goals of issue 16: 10,000 open on one worker in under 2 GB, idle under 10 % of a core, p99 under 150 ms. */
const GOALS = { open: 10_000, rssMb: 2_048, idleCoreShare: 0.1, p99Ms: 150 };
const MB = 2 ** 20;

function plan(mode: Mode) {
  const n = Number(process.env.BENCH_CAPACITY_N) || (mode === 'smoke' ? 20 : mode === 'full' ? 10_000 : 1_000);
  const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS) || (mode === 'smoke' ? 3 : mode === 'full' ? 60 : 30);
  const samples = mode === 'smoke' ? 20 : mode === 'full' ? 1_000 : 400;
  const cache = Number(process.env.BENCH_MAX_CACHED_WORKFLOWS ?? process.env.WORKER_MAX_CACHED_WORKFLOWS) || undefined;
  // Collections forced at every sample while opening, not only once warmed up and at the end (BENCH_CAPACITY_GC=each):
  // the live heap's curve, at the price of an RSS curve V8 would not draw by itself.
  const collectEach = process.env.BENCH_CAPACITY_GC === 'each';
  return { n: Math.max(4, n), warm: Math.max(2, Math.min(50, Math.floor(n / 10))), idleSeconds, samples, cache, collectEach };
}

interface MemorySample {
  open: number;
  rssMb: number;
  /** The main thread's; the workflows live in the SDK's workflow thread, whose heap only RSS shows. */
  heapUsedMb: number;
  /** VmRSS again right after a full collection in both threads (what is left once garbage is gone); null: none forced. */
  rssCollectedMb: number | null;
  /** The workflow thread's heap (after that collection, if any: then the cached incidents and the workflow code). */
  workflowHeapMb: number | null;
  cachedWorkflows: number;
  workerWarnings: number;
}

interface OneByOne {
  ms: Figures;
  /** The worker's CPU per command (its record write included). */
  workerCpuMs: number | null;
}

/**
 * What an incident outside the cache costs at its next command: one command at a time (nothing else running) to
 * incidents still cached, then to as many the cache evicted, which the worker first replays from their history.
 */
interface Replay {
  count: number;
  cached: OneByOne;
  evicted: OneByOne;
}

async function oneByOne(incidents: IncidentService, ids: string[], worker: WorkerProcess): Promise<OneByOne> {
  const times: number[] = [];
  const cpu = new CpuWindow({ worker: worker.pid });
  for (const id of ids) {
    const before = performance.now();
    await incidents.command(id, MEASURED_COMMAND, { text: 'Benchmark note (one by one)', actor: 'alice' });
    times.push(performance.now() - before);
  }
  // The record writes the notes start run a moment after their answers: wait for them, or their CPU is missed.
  await sleep(1_000);
  const seconds = cpu.end().processes.worker!.cpuSeconds;
  return { ms: figures(times), workerCpuMs: seconds === null ? null : (seconds * 1000) / ids.length };
}

const served = (sandboxes: Sandboxes) => SYSTEMS.reduce((n, system) => n + sandboxes[system].server.requests.length, 0);

/** Until the sandboxes have served nothing for `quietMs` (the launches' follow-ups done), `maxMs` at most. */
export async function quiet(sandboxes: Sandboxes, quietMs: number, maxMs: number): Promise<void> {
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
  const { n, warm, idleSeconds, samples, cache, collectEach } = plan(context.mode);
  // Long enough for a launch's last follow-ups (the checklist redrawn a second later, the record written).
  const quietMs = context.mode === 'smoke' ? 1_500 : 3_000;
  const stack = await startStack(context.bundle);
  const memory: MemorySample[] = [];
  // What the run measures; the rest of Data is derived from it below.
  let result: Pick<Data, 'maxCachedWorkflows' | 'openSeconds' | 'base' | 'idle' | 'serverRssMb' | 'idleWindow' | 'commands' | 'replay'>;
  try {
    const taskQueue = 'bench-capacity';
    const worker = await stack.startWorker({ taskQueue, ...(cache ? { maxCachedWorkflows: cache } : {}) });
    const incidents = stack.incidents(taskQueue, { membershipCheckIntervalMs: MEMBERSHIP_LOOK_WITH_EVENTS_MS });
    const playbook = minimalPlaybook();
    const sample = async (open: number, collect: boolean): Promise<MemorySample> => {
      // RSS as it stands first (the figure the goal is about: nobody forces collections in production), then, where
      // asked, again after a full collection, with the workflow thread's live heap: what the cached incidents hold.
      const rss = memoryOf(worker.pid)?.rssBytes;
      const status = await worker.status({ collect });
      const rssCollected = collect ? (memoryOf(worker.pid)?.rssBytes ?? status.memory.rss) : undefined;
      const point = {
        open,
        rssMb: (rss ?? status.memory.rss) / MB,
        heapUsedMb: status.memory.heapUsed / MB,
        rssCollectedMb: rssCollected === undefined ? null : rssCollected / MB,
        workflowHeapMb: status.workflowHeap ? status.workflowHeap.usedBytes / MB : null,
        cachedWorkflows: status.cachedWorkflows,
        workerWarnings: status.warnings.count,
      };
      memory.push(point);
      return point;
    };

    stack.setLatency(NO_LATENCY);
    // A few incidents first: the workflow code loaded, every code path of a launch run and the heap grown to its
    // working size, as on a running service, so that what comes after is what more open incidents cost.
    const ids = await openIncidents(stack.sandboxes, incidents, playbook, warm, { prefix: 'Capacity warm-up' });
    await quiet(stack.sandboxes, quietMs, 15_000);
    const base = await sample(warm, true);
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
          const point = await sample(warm + launched, collectEach);
          context.log(
            `capacity: ${point.open} open, RSS ${fmt(point.rssMb)} MB${point.rssCollectedMb === null ? '' : ` (${fmt(point.rssCollectedMb)} after GC)`}, workflow heap ${fmt(point.workflowHeapMb ?? Number.NaN)} MB, ${point.cachedWorkflows} cached`,
          );
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
    const idle = await sample(n, true);
    const peakRssMb = (memoryOf(worker.pid)?.peakRssBytes ?? Number.NaN) / MB;
    const serverRss = memoryOf(stack.serverPid)?.rssBytes;

    // The oldest were evicted first (the cache drops the least recently used) and the newest are still in it.
    const evictedCount = Math.min(20, n - worker.maxCachedWorkflows, Math.floor(n / 4));
    let replay: Replay | null = null;
    if (evictedCount > 0) {
      const cached = await oneByOne(incidents, ids.slice(-evictedCount), worker);
      const evicted = await oneByOne(incidents, ids.slice(0, evictedCount), worker);
      replay = { count: evictedCount, cached, evicted };
      context.log(`capacity: one at a time, cached ${fmt(cached.ms.median)} ms, evicted (replayed) ${fmt(evicted.ms.median)} ms (median)`);
    }

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
      replay,
    };
  } finally {
    await stack.stop();
  }

  const perIncidentMb = (result.idle.rssMb - result.base.rssMb) / (n - warm);
  // Whether memory levels off once the cache is full: the growth per incident opened after it filled, if it did.
  const full = memory.find((m) => m.cachedWorkflows >= result.maxCachedWorkflows - 1);
  const pastCacheMb = full && full.open < n ? (result.idle.rssMb - full.rssMb) / (n - full.open) : null;
  // Past a full cache, what more open incidents cost is the growth measured after it filled (none, if memory follows
  // the cache); a run that never filled it only knows the cost per incident opened, and projects with that.
  // Past it, RSS saws up and down (garbage from evicted incidents until V8 collects it), so the run's peak is the floor
  // of the projection, whatever point of a cycle the last sample fell on.
  const projectionSlopeMb = pastCacheMb === null ? perIncidentMb : Math.max(0, pastCacheMb);
  const linearMb = result.idle.rssMb + Math.max(0, GOALS.open - n) * projectionSlopeMb;
  const projectedMb = pastCacheMb === null ? linearMb : Math.max(linearMb, result.idle.peakRssMb);
  const fitsInGoal = projectionSlopeMb > 0.01 ? Math.floor(n + (GOALS.rssMb - result.idle.rssMb) / projectionSlopeMb) : null;
  // What one cached incident holds: the workflow thread's live heap between the warmed-up and the final collections.
  const cachedGrowth = result.idle.cachedWorkflows - result.base.cachedWorkflows;
  const perCachedKb =
    result.idle.workflowHeapMb !== null && result.base.workflowHeapMb !== null && cachedGrowth > 0
      ? ((result.idle.workflowHeapMb - result.base.workflowHeapMb) / cachedGrowth) * 1024
      : null;
  const measuredAtGoal = n >= GOALS.open;
  // Past a full cache memory grows far less than while it fills, so a run whose cache never filled projects an upper bound.
  const projectionNote =
    pastCacheMb !== null
      ? `, the growth measured past the full cache, and no less than the run's peak (${fmt(result.idle.peakRssMb)} MB)`
      : result.maxCachedWorkflows > n
        ? `; the cache (${fmt(result.maxCachedWorkflows)}) never filled, so every one counted as cached: an upper bound (more open than the cache measures past it)`
        : '';
  const sizeNote = measuredAtGoal ? undefined : `measured with ${n.toLocaleString('en-US')} open; the goal is for ${GOALS.open.toLocaleString('en-US')} (--full)`;
  const goals: Goal[] = [
    goal(
      `capacity: worker memory with ${GOALS.open.toLocaleString('en-US')} open`,
      measuredAtGoal ? result.idle.rssMb : projectedMb,
      'MB',
      GOALS.rssMb,
      measuredAtGoal
        ? undefined
        : `projected from ${n.toLocaleString('en-US')} open: ${fmt(result.idle.rssMb)} MB + ${fmt(GOALS.open - n)} more × ${fmt(projectionSlopeMb * 1024)} KB${projectionNote}`,
    ),
    goal(`capacity: worker idle CPU, ${n.toLocaleString('en-US')} open`, (result.idleWindow.workerCoreShare ?? Number.NaN) * 100, '% of a core', GOALS.idleCoreShare * 100, sizeNote),
    goal(`capacity: command p99 at 10 concurrent, ${n.toLocaleString('en-US')} open`, result.commands.ms.p99, 'ms', GOALS.p99Ms, p99Note(n, result.maxCachedWorkflows)),
  ];
  if (result.commands.errors) goals.push(goal('capacity: commands that failed', result.commands.errors, 'errors', 0));
  const data = { n, warm, idleSeconds, cacheOverride: cache ?? null, ...result, perIncidentMb, perCachedKb, projectedMbAtGoal: projectedMb, pastCacheMb, fitsInGoal, memory };
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
  replay: Replay | null;
  perIncidentMb: number;
  perCachedKb: number | null;
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
    ['workflow cache (maxCachedWorkflows)', `${fmt(d.maxCachedWorkflows)} (${d.cacheOverride ? 'set for this run' : "the worker's default"}); ${fmt(d.idle.cachedWorkflows)} cached at the end`, ''],
    ['node flags of the worker', workerNodeFlags.length ? workerNodeFlags.join(' ') : "none (V8's heap limit for this machine)", ''],
    [`worker RSS, ${d.warm} open (after warming up)`, `${fmt(d.base.rssMb)} MB (${fmt(d.base.rssCollectedMb ?? Number.NaN)} MB after a full collection)`, ''],
    [
      `worker RSS, ${d.n.toLocaleString('en-US')} open and idle`,
      `${fmt(d.idle.rssMb)} MB (peak ${fmt(d.idle.peakRssMb)} MB; ${fmt(d.idle.rssCollectedMb ?? Number.NaN)} MB after a full collection)`,
      '',
    ],
    [
      'workflow thread live heap (after a full collection)',
      `${fmt(d.base.workflowHeapMb ?? Number.NaN)} MB with ${fmt(d.base.cachedWorkflows)} cached → ${fmt(d.idle.workflowHeapMb ?? Number.NaN)} MB with ${fmt(d.idle.cachedWorkflows)} cached`,
      '',
    ],
    ['live heap per cached incident', d.perCachedKb === null ? 'n/a' : `${fmt(d.perCachedKb)} KB`, ''],
    ["the main thread's JS heap, idle (after the collection)", `${fmt(d.idle.heapUsedMb)} MB`, ''],
    ['RSS per incident opened (not collected)', `${fmt(d.perIncidentMb * 1024)} KB`, ''],
    [
      'after the cache filled',
      d.pastCacheMb === null
        ? `not reached (the cache holds ${fmt(d.maxCachedWorkflows)})`
        : `${fmt(d.pastCacheMb * 1024)} KB of RSS more per incident opened beyond the cache's ${fmt(d.maxCachedWorkflows)} (not collected; garbage V8 had not collected yet comes and goes)`,
      '',
    ],
    [`open incidents that fit in ${fmt(GOALS.rssMb)} MB at that rate`, d.fitsInGoal === null ? 'no limit (memory does not grow with them)' : fmt(d.fitsInGoal), ''],
    [`worker memory with ${GOALS.open.toLocaleString('en-US')} open`, `${fmt(memoryGoal!.value)} MB${memoryGoal!.note ? ` (${memoryGoal!.note})` : ''}`, verdict(memoryGoal!)],
    [`worker idle CPU over ${fmt(d.idleWindow.seconds)} s`, pct(d.idleWindow.workerCoreShare), verdict(idleGoal!)],
    [`Temporal server idle CPU over the same window`, pct(d.idleWindow.serverCoreShare), ''],
    ['Temporal server RSS', d.serverRssMb === null ? 'n/a' : `${fmt(d.serverRssMb)} MB`, ''],
    ['calls to the sandboxes during the idle window', d.idleWindow.callsServed, ''],
    ['warnings the worker logged (whole run)', d.idle.workerWarnings + d.commands.workerWarnings, ''],
    ...(d.replay
      ? [
          [
            `one command at a time, ${d.replay.count} incidents still cached`,
            `median ${fmt(d.replay.cached.ms.median)} ms, max ${fmt(d.replay.cached.ms.max)}; worker CPU ${fmt(d.replay.cached.workerCpuMs ?? Number.NaN)} ms per command`,
            '',
          ],
          [
            `one command at a time, ${d.replay.count} incidents evicted (replayed first)`,
            `median ${fmt(d.replay.evicted.ms.median)} ms, max ${fmt(d.replay.evicted.ms.max)}; worker CPU ${fmt(d.replay.evicted.workerCpuMs ?? Number.NaN)} ms per command`,
            '',
          ],
        ]
      : []),
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
loaded, heap at its working size) and with all open, as it stands (the goal's figure) and again right after a full
collection in both of the worker's threads (forced through the inspector, bench/lib/workflow-thread.ts), with the live
heap of the SDK's workflow thread, where the cached incidents are. Per cached incident is that live heap's growth over
the incidents the cache gained. The projection to ${GOALS.open.toLocaleString('en-US')} adds the RSS growth measured
after the cache filled, or, if it never did, the RSS per incident opened. An incident the cache dropped is replayed
from its history at its next command: the one-at-a-time rows compare commands to cached and to evicted incidents. CPU
is from /proc/<pid>/stat over the idle window, as a share of one core.

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
