/**
 * Where an incident launch's CPU goes (issue 16). Runs the production worker entry (workers/main.ts) in a process of its
 * own, on the real adapters pointed at the four sandboxes (which run here, with bench/launch.ts's latency profile), and a
 * Temporal dev server of its own; launches LAUNCHES incidents, CONCURRENCY at a time, after WARMUP launches (2); then
 * reports, per launch:
 *
 *   - CPU of the worker process, of the Temporal server and of this process (sandboxes and client), from /proc, with
 *     each process's idle rate (measured first) taken off;
 *   - where the worker's time went: its --cpu-prof profiles (main thread and workflow thread), cut to the measured
 *     window. These sample the JavaScript threads by the clock, so a native call that blocks (a thread started, a lock
 *     awaited) counts as that call's self time; PERF_WORKER=on gives CPU time, every thread included;
 *   - what the worker asked of the server and what the server did (both Prometheus endpoints, differences);
 *   - what the launches wrote: history events by type, workflow tasks, activities by type, timers, search-attribute
 *     upserts, history and payload bytes;
 *   - with PERF_SERVER=on, where the server's CPU went (`perf record` on its process, symbolised with `go tool
 *     addr2line`: the binary is stripped but keeps Go's own symbol table).
 *
 * Launches are watched through the Mattermost sandbox (the channel header is the last launch step), not by querying the
 * incident, so the measurement costs neither process anything; POLL=query polls the view every 250 ms instead, as
 * bench/launch.ts did until it read its call log, to see what that polling costs.
 *
 *   npx tsx scripts/profile-launch.ts                                  # 30 launches one at a time, ~1.5 minutes
 *   LAUNCHES=40 CONCURRENCY=10 npx tsx scripts/profile-launch.ts
 *   POLL=query npx tsx scripts/profile-launch.ts                       # the benchmark's polling on top
 *   PERF_SERVER=on npx tsx scripts/profile-launch.ts                   # the server's hot functions too (needs perf, go)
 *   PERF_WORKER=on CPU_PROF=off npx tsx scripts/profile-launch.ts      # the worker's CPU by thread, V8, SDK core (perf)
 *   CPU_PROF=off WORKER_ENV='LOG_LEVEL=warn' npx tsx scripts/profile-launch.ts   # extra worker environment
 *   WORKER_NODE_FLAGS='--trace-deopt' npx tsx scripts/profile-launch.ts  # extra node flags (the window's output: OUT)
 *   METRICS=off npx tsx scripts/profile-launch.ts                      # no Prometheus endpoint (as bench/launch.ts)
 *   WARMUP=30 npx tsx scripts/profile-launch.ts                        # a worker that has run a while (V8 has optimised)
 *
 * Everything goes to OUT (a new temporary folder by default): report.json, report.txt, the .cpuprofile files (open them
 * in Chrome DevTools or speedscope), one launch's history (sample-history.json), the worker's log and perf's data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// CommonJS: under Node's ESM loader only its default export is there.
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { IncidentService } from '../api/incident-service.js';
import { loadPlaybookDirectory } from '../store/playbook-files.js';
import { lookupFromFiles } from '../store/playbook-lookup.js';
import { INCIDENT_SEARCH_ATTRIBUTES } from '../temporal/search-attributes.js';
import { ensureTemporalCli } from '../temporal/temporal-cli.js';
import { startSandboxes } from '../test/helpers/sandboxes.js';
import { formatSummary, readCpuProfile, summarizeProfiles, type ProfileSummary } from './profile/cpuprofile.js';
import { summarizePerf, type PerfSummary } from './profile/perf-go.js';
import { summarizeNodePerf, type NodePerfSummary } from './profile/perf-node.js';
import { countHistory, perLaunch, type HistoryCounts } from './profile/history-counts.js';
import { growth, scrape } from './profile/prometheus.js';
import { cpuSecondsByThread, threadGrowth } from './profile/thread-cpu.js';
import { childProcessPid, cpuSeconds } from '../bench/lib/process-stats.js';


const LAUNCHES = Number(process.env.LAUNCHES ?? 30);
/** Launches before measuring: the first ones also pay for loading code and V8 optimising it. */
const WARMUP = Number(process.env.WARMUP ?? 2);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 1);
const POLL = process.env.POLL === 'query' ? 'query' : 'off';
const CPU_PROF = process.env.CPU_PROF !== 'off';
const PERF_SERVER = process.env.PERF_SERVER === 'on';
/** `perf record` on the worker too: CPU (not wall) time of every thread, JavaScript, V8, the SDK's Rust core, the kernel. */
const PERF_WORKER = process.env.PERF_WORKER === 'on';
/** The worker's Prometheus endpoint (what it asked of the server); METRICS=off leaves it out, as bench/launch.ts does. */
const METRICS = process.env.METRICS !== 'off';
const OUT = process.env.OUT ?? mkdtempSync(join(tmpdir(), 'profile-launch-'));
mkdirSync(OUT, { recursive: true });

type System = 'mattermost' | 'jira' | 'zoom' | 'opsgenie';
const SYSTEMS: System[] = ['mattermost', 'jira', 'zoom', 'opsgenie'];
/** bench/launch.ts's default profile, so the figures compare. */
const LATENCY: Record<System, number> = { mattermost: 20, jira: 300, zoom: 250, opsgenie: 150 };
for (const pair of (process.env.LATENCY ?? '').split(',').filter(Boolean)) {
  const [system, ms] = pair.split('=');
  if (!(system! in LATENCY) || !Number.isFinite(Number(ms))) throw new Error(`LATENCY: "${pair}" is not <mattermost|jira|zoom|opsgenie>=<ms>`);
  LATENCY[system as System] = Number(ms);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
/** A process this script started and waits for: its CPU seconds are always there to read. */
const cpuSecondsOf = (pid: number): number => cpuSeconds(pid) ?? Number.NaN;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}


interface WorkerProcess {
  child: ChildProcess;
  logLines: () => number;
  /** Everything it wrote so far (stdout and stderr), to cut the measured window out of. */
  logText: () => string;
}

async function startWorker(env: Record<string, string>, profileDir: string, logFile: string): Promise<WorkerProcess> {
  const entry = fileURLToPath(new URL('../workers/main.ts', import.meta.url));
  const flags = [
    ...(process.env.WORKER_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean),
    ...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    // perf names JavaScript functions from the map V8 writes (/tmp/perf-<pid>.map).
    ...(PERF_WORKER ? ['--perf-basic-prof-only-functions', '--interpreted-frames-native-stack'] : []),
  ];
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', entry], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  let lines = 0;
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    log.push(text);
    lines += text.split('\n').length - 1;
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  child.once('exit', () => writeFileSync(logFile, log.join('')));
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      if (chunk.toString().includes('worker running')) {
        child.stdout!.off('data', onData);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the worker exited early (${code}):\n${log.join('').slice(-4000)}`)));
  });
  return { child, logLines: () => lines, logText: () => log.join('') };
}

async function main(): Promise<void> {
  const serverMetricsPort = await freePort();
  const workerMetricsAddress = `127.0.0.1:${await freePort()}`;
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: ensureTemporalCli(() => undefined).path },
      ip: '127.0.0.1',
      searchAttributes: [...INCIDENT_SEARCH_ATTRIBUTES],
      extraArgs: ['--metrics-port', String(serverMetricsPort)],
    },
  });
  const serverPid = childProcessPid(process.pid, 'start-dev');
  if (serverPid === undefined) throw new Error('the Temporal dev server process was not found');
  const sandboxes = await startSandboxes();
  const paths: Record<System, string> = { mattermost: '/api/v4/.*', jira: '/rest/.*', zoom: '/(v2|oauth)/.*', opsgenie: '/v2/.*' };
  for (const system of Object.keys(paths) as System[]) {
    if (LATENCY[system] > 0) sandboxes[system].server.addFault({ path: paths[system], latencyMs: LATENCY[system] });
  }
  const taskQueue = `profile-launch-${Date.now()}`;
  const profileDir = join(OUT, 'cpuprofiles');
  const extraEnv = Object.fromEntries((process.env.WORKER_ENV ?? '').split(/\s+/).filter(Boolean).map((pair) => [pair.split('=')[0]!, pair.slice(pair.indexOf('=') + 1)]));
  const { urls } = sandboxes;
  const worker = await startWorker(
    {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      DATABASE_URL: `sqlite:${join(OUT, 'store.sqlite')}`,
      ...(METRICS ? { WORKER_METRICS_ADDRESS: workerMetricsAddress } : {}),
      MATTERMOST_URL: urls.mattermost,
      MATTERMOST_BOT_TOKEN: 'mm-bot-token',
      JIRA_URL: urls.jira,
      JIRA_TOKEN: 'jira-token',
      ZOOM_ACCOUNT_ID: 'zoom-account',
      ZOOM_CLIENT_ID: 'zoom-client',
      ZOOM_CLIENT_SECRET: 'zoom-secret',
      ZOOM_API_URL: `${urls.zoom}/v2`,
      ZOOM_OAUTH_URL: urls.zoom,
      OPSGENIE_API_KEY: 'og-key',
      OPSGENIE_URL: urls.opsgenie,
      OPSGENIE_SCHEDULE: 'primary',
      ...extraEnv,
    },
    profileDir,
    join(OUT, 'worker.log'),
  );
  const workerPid = worker.child.pid!;
  // As bench/launch.ts: no periodic member look within the measurement.
  const incidents = new IncidentService(env.client, taskQueue, undefined, undefined, { membershipCheckIntervalMs: 3_600_000 });
  const playbook = (await lookupFromFiles(loadPlaybookDirectory(fileURLToPath(new URL('../playbooks', import.meta.url)))).get('service-outage'))!;

  const launched = (id: string) => sandboxes.mattermost.channels().some((channel) => channel.name.includes(id) && channel.header !== '');
  const launchOne = async (name: string): Promise<string> => {
    const { id } = await incidents.start({ name, team: 'default', reporter: 'alice', playbook });
    for (;;) {
      if (POLL === 'query') {
        const view = await incidents.view(id);
        if (Object.values(view.launch).every((step) => step.status !== 'pending')) return id;
        await sleep(250);
      } else {
        if (launched(id)) return id;
        await sleep(20);
      }
    }
  };
  // What the worker spends in a second before any launch (the sampling profiler never rests, when it runs).
  const startIdle = cpuSecondsOf(workerPid);
  await sleep(2_000);
  const restingPerSecond = (cpuSecondsOf(workerPid) - startIdle) / 2;
  /** Until the worker has been quiet (within 15 ms of its resting CPU in a second): the launches' tails are done. */
  const settle = async (maxMs: number) => {
    const until = Date.now() + maxMs;
    let last = cpuSecondsOf(workerPid);
    while (Date.now() < until) {
      await sleep(1_000);
      const now = cpuSecondsOf(workerPid);
      if (now - last < restingPerSecond + 0.015) return;
      last = now;
    }
  };

  const ids: string[] = [];
  try {
    // Warm-up: the workflow code loaded in the workflow thread, Zoom's token fetched, connections open.
    for (let i = 0; i < WARMUP; i++) await launchOne(`Warm-up ${i + 1} ${taskQueue}`);
    await settle(20_000);
    // Idle rates: what each process spends doing nothing (pollers, timers), taken off the launches' figures.
    const idleMs = 3_000;
    const idleBefore = { worker: cpuSecondsOf(workerPid), server: cpuSecondsOf(serverPid) };
    await sleep(idleMs);
    // In CPU seconds per second.
    const idleRate = { worker: (cpuSecondsOf(workerPid) - idleBefore.worker) / (idleMs / 1000), server: (cpuSecondsOf(serverPid) - idleBefore.server) / (idleMs / 1000) };

    const workerMetricsBefore = METRICS ? await scrape(`http://${workerMetricsAddress}/metrics`) : new Map<string, number>();
    const serverMetricsBefore = await scrape(`http://127.0.0.1:${serverMetricsPort}/metrics`);
    const perf = PERF_SERVER
      ? spawn('perf', ['record', '-F', '499', '-g', '-p', String(serverPid), '-o', join(OUT, 'server.perf.data')], { stdio: 'ignore' })
      : undefined;
    const workerPerf = PERF_WORKER
      ? spawn('perf', ['record', '-F', '999', '-g', '-p', String(workerPid), '-o', join(OUT, 'worker.perf.data')], { stdio: 'ignore' })
      : undefined;
    if (perf || workerPerf) await sleep(500);
    const logLinesBefore = worker.logLines();
    const logOffset = worker.logText().length;
    const fromUs = monotonicUs();
    const startedAt = Date.now();
    const cpuBefore = { worker: cpuSecondsOf(workerPid), server: cpuSecondsOf(serverPid), here: process.cpuUsage() };
    const threadsBefore = cpuSecondsByThread(workerPid);
    const requestsBefore = Object.fromEntries(SYSTEMS.map((system) => [system, sandboxes[system].server.requests.length]));
    for (let done = 0; done < LAUNCHES; done += CONCURRENCY) {
      const batch = Math.min(CONCURRENCY, LAUNCHES - done);
      ids.push(...(await Promise.all(Array.from({ length: batch }, (_, i) => launchOne(`Profile ${done + i} ${taskQueue}`)))));
    }
    const launchedAt = Date.now();
    await settle(30_000);
    const windowMs = Date.now() - startedAt;
    const here = process.cpuUsage(cpuBefore.here);
    const cpu = {
      worker: cpuSecondsOf(workerPid) - cpuBefore.worker,
      server: cpuSecondsOf(serverPid) - cpuBefore.server,
      here: (here.user + here.system) / 1e6,
    };
    const threads = threadGrowth(threadsBefore, cpuSecondsByThread(workerPid), LAUNCHES);
    // The calls the adapters made, by system and route (IDs folded), per launch.
    const calls: Record<string, number> = {};
    for (const system of SYSTEMS) {
      for (const request of sandboxes[system].server.requests.slice(requestsBefore[system])) {
        const route = `${system} ${request.method} ${request.path.replace(/[a-z0-9]{26}|\b[A-Z]+-\d+\b|\b\d{5,}\b|[0-9a-f-]{36}/g, ':id')}`;
        calls[route] = (calls[route] ?? 0) + 1;
      }
    }
    const toUs = monotonicUs();
    for (const recorder of [perf, workerPerf]) {
      if (!recorder) continue;
      recorder.kill('SIGINT');
      await new Promise((resolve) => recorder.once('exit', resolve));
    }
    const workerMetrics = growth(workerMetricsBefore, METRICS ? await scrape(`http://${workerMetricsAddress}/metrics`) : new Map(), LAUNCHES, ['operation', 'activity_type', 'poller_type', 'task_queue_kind', 'eviction_reason']);
    // What the server was asked (its RPCs), what it asked its store, and the background tasks it ran (dispatching
    // workflow and activity tasks, visibility updates, timers).
    const serverMetrics = growth(serverMetricsBefore, await scrape(`http://127.0.0.1:${serverMetricsPort}/metrics`), LAUNCHES, ['operation', 'service_name'], /^(service_requests|persistence_requests|task_requests)$/);
    const logLines = worker.logLines() - logLinesBefore;
    // What the worker wrote while measured (with WORKER_NODE_FLAGS='--trace-deopt', say), on its own.
    writeFileSync(join(OUT, 'worker-window.log'), worker.logText().slice(logOffset));

    const history: HistoryCounts = { events: 0, byType: {}, activities: {}, historyBytes: 0, payloadBytes: 0, payloadBytesByType: {}, payloadBytesByActivity: {}, upserts: {} };
    for (const [index, id] of ids.entries()) {
      const fetched = await env.client.workflow.getHandle(`incident-${id}`).fetchHistory();
      countHistory(fetched, history);
      // One launch's whole history, to read what the counts are made of.
      if (index === 0) writeFileSync(join(OUT, 'sample-history.json'), `${JSON.stringify(historyToJSON(fetched), null, 1)}\n`);
    }

    worker.child.kill('SIGINT');
    const exited = await Promise.race([new Promise((resolve) => worker.child.once('exit', () => resolve(true))), sleep(30_000).then(() => false)]);
    if (!exited) worker.child.kill('SIGKILL');

    const profiles: Array<{ file: string; summary: ProfileSummary }> = [];
    if (CPU_PROF && exited) {
      for (const file of readdirSync(profileDir).filter((name) => name.endsWith('.cpuprofile'))) {
        profiles.push({ file, summary: summarizeProfiles([readCpuProfile(join(profileDir, file))], { fromUs, toUs }, 25) });
      }
    }
    let serverProfile: PerfSummary | undefined;
    if (perf) serverProfile = summarizePerf(join(OUT, 'server.perf.data'), ensureTemporalCli(() => undefined).path, 25);
    const workerPerfProfile = workerPerf ? summarizeNodePerf(join(OUT, 'worker.perf.data'), workerPid, 25) : undefined;

    const net = {
      worker: Math.max(0, cpu.worker - (idleRate.worker * windowMs) / 1000),
      server: Math.max(0, cpu.server - (idleRate.server * windowMs) / 1000),
    };
    const report = {
      settings: { launches: LAUNCHES, warmup: WARMUP, concurrency: CONCURRENCY, poll: POLL, metrics: METRICS, cpuProfile: CPU_PROF, latency: LATENCY, workerEnv: extraEnv },
      window: { ms: windowMs, launchesMs: launchedAt - startedAt, fromUs, toUs },
      cpuSecondsPerLaunch: {
        worker: cpu.worker / LAUNCHES,
        workerNetOfIdle: net.worker / LAUNCHES,
        server: cpu.server / LAUNCHES,
        serverNetOfIdle: net.server / LAUNCHES,
        sandboxesAndClient: cpu.here / LAUNCHES,
      },
      workerThreadsCpuSecondsPerLaunch: threads,
      sandboxCallsPerLaunch: { total: Object.values(calls).reduce((a, b) => a + b, 0) / LAUNCHES, ...perLaunch(calls, LAUNCHES) },
      idleCpuPerSecond: idleRate,
      workerLogLinesPerLaunch: logLines / LAUNCHES,
      historyPerLaunch: {
        events: history.events / LAUNCHES,
        workflowTasksCompleted: (history.byType.WORKFLOW_TASK_COMPLETED ?? 0) / LAUNCHES,
        activities: Object.values(history.activities).reduce((a, b) => a + b, 0) / LAUNCHES,
        historyBytes: history.historyBytes / LAUNCHES,
        payloadBytes: history.payloadBytes / LAUNCHES,
        eventsByType: perLaunch(history.byType, LAUNCHES),
        activitiesByType: perLaunch(history.activities, LAUNCHES),
        payloadBytesByEventType: perLaunch(history.payloadBytesByType, LAUNCHES),
        payloadBytesByActivity: perLaunch(history.payloadBytesByActivity, LAUNCHES),
        searchAttributeUpserts: perLaunch(history.upserts, LAUNCHES),
      },
      workerMetricsPerLaunch: workerMetrics.slice(0, 40),
      serverMetricsPerLaunch: serverMetrics.slice(0, 60),
      workerProfiles: profiles,
      serverProfile,
      workerPerfProfile,
    };
    writeFileSync(join(OUT, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    const text = render(report);
    writeFileSync(join(OUT, 'report.txt'), text);
    console.log(text);
    console.log(`\nwrote ${OUT}`);
  } finally {
    if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    await sandboxes.stop();
    await env.teardown();
  }
}

function render(report: {
  settings: { launches: number; concurrency: number; poll: string };
  window: { ms: number; fromUs: number; toUs: number };
  cpuSecondsPerLaunch: Record<string, number>;
  workerThreadsCpuSecondsPerLaunch: Record<string, number>;
  sandboxCallsPerLaunch: Record<string, number>;
  idleCpuPerSecond: Record<string, number>;
  workerLogLinesPerLaunch: number;
  historyPerLaunch: Record<string, unknown>;
  workerMetricsPerLaunch: Array<{ series: string; perLaunch: number }>;
  serverMetricsPerLaunch: Array<{ series: string; perLaunch: number }>;
  workerProfiles: Array<{ file: string; summary: ProfileSummary }>;
  serverProfile: PerfSummary | undefined;
  workerPerfProfile: NodePerfSummary | undefined;
}): string {
  const { launches } = report.settings;
  const lines = [
    `${launches} launches, ${report.settings.concurrency} at a time, polling ${report.settings.poll}; measured over ${(report.window.ms / 1000).toFixed(1)} s`,
    `CPU s per launch: ${Object.entries(report.cpuSecondsPerLaunch).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}`,
    `worker CPU s per launch by thread: ${Object.entries(report.workerThreadsCpuSecondsPerLaunch).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}`,
    `idle CPU s per s: worker ${report.idleCpuPerSecond.worker!.toFixed(4)}, server ${report.idleCpuPerSecond.server!.toFixed(4)}`,
    `sandbox calls per launch: ${JSON.stringify(report.sandboxCallsPerLaunch, null, 1).replace(/\n\s*/g, ' ')}`,
    `worker log lines per launch: ${report.workerLogLinesPerLaunch.toFixed(1)}`,
    `history per launch: ${JSON.stringify(report.historyPerLaunch, null, 1).replace(/\n\s*/g, ' ')}`,
    'worker metrics per launch:',
    ...report.workerMetricsPerLaunch.map((m) => `  ${m.perLaunch.toFixed(2).padStart(8)}  ${m.series}`),
    'server metrics per launch:',
    ...report.serverMetricsPerLaunch.map((m) => `  ${m.perLaunch.toFixed(2).padStart(8)}  ${m.series}`),
  ];
  for (const { file, summary } of report.workerProfiles) lines.push(`worker profile ${file} (ms per launch):`, formatSummary(summary, launches, 'ms/launch'));
  if (report.workerPerfProfile) lines.push('worker profile (perf):', report.workerPerfProfile.text);
  if (report.serverProfile) lines.push('server profile (perf):', report.serverProfile.text);
  return `${lines.join('\n')}\n`;
}

await main();
// The dev server's and the worker's handles are closed; anything still open is not ours to wait for.
process.exit(0);
