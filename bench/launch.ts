/**
 * Launch benchmark: how long an incident takes from the start request to its channel being ready (the checklist posted
 * and pinned) and to every launch step done, one at a time and many at once, against the four sandboxes with a latency
 * profile of the real services (default: Mattermost 20 ms, Jira 300, Zoom 250, Opsgenie 150 per call), the real
 * adapters and a Temporal dev server of its own. Each figure: min, median and p95 over the launches, beside its floor
 * (what the calls on the critical path cost at that profile) and the ratio. Also CPU per launch, in this process
 * (worker, sandboxes and the benchmark itself) and in the Temporal server, and the machine's load.
 *
 *   npm run bench                 # 10 one at a time, 10 at once; ~1 minute; bench/results/launch.json, docs/benchmarks.md
 *   npm run bench -- --full       # also 50 at once, and 30 one at a time
 *   npm run bench -- --smoke      # 2 and 2, no latency, results to a temporary file: checks the benchmark runs (CI)
 *   LATENCY=mattermost=20,jira=300,zoom=250,opsgenie=150 npm run bench
 *
 * Timings come from the incident's own timeline (the workflow's clock when each step's result was recorded), so the
 * benchmark does not poll the incidents while they launch.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { IncidentService } from '../api/incident-service.js';
import type { IncidentView } from '../domain/incident.js';
import { openDatabase } from '../store/database.js';
import { IncidentRecordRepository } from '../store/incident-records.js';
import { loadPlaybookDirectory } from '../store/playbook-files.js';
import { lookupFromFiles } from '../store/playbook-lookup.js';
import { INCIDENT_SEARCH_ATTRIBUTES } from '../temporal/search-attributes.js';
import { ensureTemporalCli } from '../temporal/temporal-cli.js';
import { createIncidentWorker } from '../workers/incident-worker.js';
import { startSandboxes } from '../test/helpers/sandboxes.js';

const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const full = args.includes('--full');

type System = 'mattermost' | 'jira' | 'zoom' | 'opsgenie';
const DEFAULT_PROFILE: Record<System, number> = { mattermost: 20, jira: 300, zoom: 250, opsgenie: 150 };

function latencyProfile(): Record<System, number> {
  if (smoke) return { mattermost: 0, jira: 0, zoom: 0, opsgenie: 0 };
  const profile = { ...DEFAULT_PROFILE };
  for (const pair of (process.env.LATENCY ?? '').split(',').filter(Boolean)) {
    const [system, ms] = pair.split('=');
    if (!(system! in profile) || !Number.isFinite(Number(ms))) throw new Error(`LATENCY: "${pair}" is not <mattermost|jira|zoom|opsgenie>=<ms>`);
    profile[system as System] = Number(ms);
  }
  return profile;
}

/**
 * The floors at a profile. Channel ready: the team lookup, the channel, the checklist post and its pin, one after
 * another (4 Mattermost calls). Fully launched: the channel (team and create), then the longest independent branch
 * (the Jira issue, the Zoom meeting, the Opsgenie page, the checklist's post and pin), then the header.
 */
function floors(profile: Record<System, number>) {
  const mm = profile.mattermost;
  return {
    channelReady: 4 * mm,
    launched: 2 * mm + Math.max(profile.jira, profile.zoom, profile.opsgenie, 2 * mm) + mm,
  };
}

interface Figures {
  count: number;
  min: number;
  median: number;
  p95: number;
}

function figures(values: number[]): Figures {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  return { count: sorted.length, min: sorted[0] ?? Number.NaN, median: at(0.5), p95: at(0.95) };
}

/** The Temporal dev server's process (a child of this one): its CPU time is part of a launch's cost. */
function temporalServerPid(): number | undefined {
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== process.pid) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('start-dev')) return Number(entry);
    } catch {
      // A process that ended while we looked.
    }
  }
  return undefined;
}

/** CPU seconds a process has used (user + system), from /proc; undefined where there is no /proc. */
function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line (11 and 12 after the command), in clock ticks.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

interface LaunchTimes {
  channelReadyMs: number;
  launchedMs: number;
}

/** From the timeline: when the checklist was pinned, and when the last launch step's result was recorded. */
function launchTimes(view: IncidentView): LaunchTimes {
  const reported = Date.parse(view.reportedAt);
  const steps = view.timeline.filter((event) => (event.kind === 'integration_succeeded' || event.kind === 'integration_failed') && typeof event.data?.step === 'string');
  const checklist = steps.find((event) => event.data?.step === 'checklistPost');
  const last = Math.max(...steps.map((event) => Date.parse(event.at)));
  return { channelReadyMs: checklist ? Date.parse(checklist.at) - reported : Number.NaN, launchedMs: last - reported };
}

async function main(): Promise<void> {
  const profile = latencyProfile();
  const floor = floors(profile);
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: ensureTemporalCli(() => undefined).path }, ip: '127.0.0.1', searchAttributes: [...INCIDENT_SEARCH_ATTRIBUTES] },
  });
  const directory = await mkdtemp(join(tmpdir(), 'launch-bench-'));
  const database = await openDatabase({ url: `sqlite:${join(directory, 'store.sqlite')}` });
  const sandboxes = await startSandboxes();
  const paths: Record<System, string> = { mattermost: '/api/v4/.*', jira: '/rest/.*', zoom: '/(v2|oauth)/.*', opsgenie: '/v2/.*' };
  for (const system of Object.keys(paths) as System[]) {
    if (profile[system] > 0) sandboxes[system].server.addFault({ path: paths[system], latencyMs: profile[system] });
  }
  const taskQueue = `launch-bench-${Date.now()}`;
  const worker = await createIncidentWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    dependencies: { integrations: sandboxes.ports, records: new IncidentRecordRepository(database.db) },
  });
  const running = worker.run();
  const serverPid = temporalServerPid();
  const incidents = new IncidentService(env.client, taskQueue, undefined, undefined, { membershipCheckIntervalMs: 3_600_000 });
  const playbook = (await lookupFromFiles(loadPlaybookDirectory(fileURLToPath(new URL('../playbooks', import.meta.url)))).get('service-outage'))!;

  const launchOne = async (name: string): Promise<LaunchTimes> => {
    const { id } = await incidents.start({ name, team: 'default', reporter: 'alice', playbook });
    for (;;) {
      const view = await incidents.view(id);
      if (Object.values(view.launch).every((step) => step.status !== 'pending')) return launchTimes(view);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  const scenarios: Array<{ name: string; concurrency: number; launches: number }> = smoke
    ? [
        { name: 'one at a time', concurrency: 1, launches: 2 },
        { name: '2 at once', concurrency: 2, launches: 2 },
      ]
    : [
        { name: 'one at a time', concurrency: 1, launches: full ? 30 : 10 },
        { name: '10 at once', concurrency: 10, launches: 10 },
        ...(full ? [{ name: '50 at once', concurrency: 50, launches: 50 }] : []),
      ];
  // A launch before measuring: the workflow code is loaded and Zoom's token fetched, as on a running service.
  await launchOne('Warm-up');
  const results = [];
  try {
    for (const scenario of scenarios) {
      const cpuBefore = process.cpuUsage();
      const serverCpuBefore = cpuSecondsOf(serverPid);
      const times: LaunchTimes[] = [];
      for (let done = 0; done < scenario.launches; done += scenario.concurrency) {
        const batch = Math.min(scenario.concurrency, scenario.launches - done);
        times.push(...(await Promise.all(Array.from({ length: batch }, (_, i) => launchOne(`Bench ${scenario.name} ${done + i}`)))));
      }
      const cpu = process.cpuUsage(cpuBefore);
      const serverCpuAfter = cpuSecondsOf(serverPid);
      const channelReady = figures(times.map((t) => t.channelReadyMs));
      const launched = figures(times.map((t) => t.launchedMs));
      results.push({
        scenario: scenario.name,
        concurrency: scenario.concurrency,
        channelReady: { ...channelReady, floor: floor.channelReady, ratio: channelReady.median / Math.max(1, floor.channelReady) },
        launched: { ...launched, floor: floor.launched, ratio: launched.median / Math.max(1, floor.launched) },
        cpuSecondsPerLaunch: (cpu.user + cpu.system) / 1e6 / scenario.launches,
        serverCpuSecondsPerLaunch:
          serverCpuBefore !== undefined && serverCpuAfter !== undefined ? (serverCpuAfter - serverCpuBefore) / scenario.launches : null,
      });
      console.log(`${scenario.name}: channel ready p50 ${channelReady.median} ms (floor ${floor.channelReady}), launched p50 ${launched.median} ms (floor ${floor.launched})`);
    }
  } finally {
    worker.shutdown();
    await running;
    await sandboxes.stop();
    await database.close();
    await env.teardown();
    await rm(directory, { recursive: true, force: true });
  }

  const machine = { date: new Date().toISOString().slice(0, 10), node: process.version, cpus: cpus().length, load: loadavg().map((l) => Number(l.toFixed(2))) };
  const report = { machine, profile, floors: floor, results };
  const out = process.env.OUT ?? (smoke ? join(tmpdir(), `launch-bench-smoke-${Date.now()}.json`) : fileURLToPath(new URL('results/launch.json', import.meta.url)));
  await mkdir(join(out, '..'), { recursive: true });
  await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${out}`);
  if (!smoke && !process.env.OUT) await writeFile(fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url)), markdown(report));
}

/** The goals of issue 16, beside today's figures; a figure that misses its goal says so. */
function markdown(report: { machine: { date: string; node: string; cpus: number; load: number[] }; profile: Record<System, number>; floors: { channelReady: number; launched: number }; results: Array<{ scenario: string; concurrency: number; channelReady: Figures & { floor: number; ratio: number }; launched: Figures & { floor: number; ratio: number }; cpuSecondsPerLaunch: number; serverCpuSecondsPerLaunch: number | null }> }): string {
  const goal = (scenario: string, what: 'channelReady' | 'launched'): number | undefined =>
    what === 'channelReady' ? (scenario === 'one at a time' ? 1.2 : scenario === '10 at once' ? 2 : undefined) : scenario === 'one at a time' ? 1.3 : undefined;
  const verdict = (ratio: number, target: number | undefined) => (target === undefined ? '' : ratio <= target ? `met (≤ ${target} x)` : `**missed** (goal ≤ ${target} x)`);
  const rows = report.results.flatMap((r) =>
    (['channelReady', 'launched'] as const).map((what) => {
      const f = r[what];
      const server = r.serverCpuSecondsPerLaunch === null ? 'n/a' : r.serverCpuSecondsPerLaunch.toFixed(3);
      return `| ${r.scenario} | ${what === 'channelReady' ? 'channel ready' : 'fully launched'} | ${f.count} | ${f.min} | ${f.median} | ${f.p95} | ${f.floor} | ${f.ratio.toFixed(2)} x | ${verdict(f.ratio, goal(r.scenario, what))} | ${r.cpuSecondsPerLaunch.toFixed(3)} | ${server} |`;
    }),
  );
  return `# Benchmarks

Written by \`npm run bench\` (bench/launch.ts); the figures are from ${report.machine.date}, Node ${report.machine.node}, ${report.machine.cpus} CPUs, load ${report.machine.load.join(' / ')} (1/5/15 min). Latency profile per call: Mattermost ${report.profile.mattermost} ms, Jira ${report.profile.jira}, Zoom ${report.profile.zoom}, Opsgenie ${report.profile.opsgenie}. Times in milliseconds, from the start request to the checklist pinned (channel ready) and to the last launch step (fully launched), read from each incident's timeline. Floors: what the critical path's calls cost at this profile (channel ready: team, create, post, pin; fully launched: team and create, the slowest of issue, meeting, page and checklist, then the header). CPU per launch: this process (worker, sandboxes and the benchmark), and the Temporal dev server's (from /proc; goals: under 0.1 s in the worker, under 0.15 s in the server).

| scenario | figure | launches | min | median | p95 | floor | median / floor | goal | CPU s per launch: this process | Temporal server |
|---|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Not measured yet (issue 16): command round trips at 1, 10 and 50 concurrent with 20 and 1,000 open; capacity (open
incidents per worker, memory, idle CPU); the alert storm; plots. The flood of commands has its own benchmark
([bench/results/command-flood.md](../bench/results/command-flood.md)).
`;
}

await main();
