/**
 * What each benchmark runs against: a Temporal dev server of its own (so one benchmark's open incidents never load
 * the next one's server), the four sandboxes in this process with a latency profile of the real services, and workers
 * in processes of their own. The client side (IncidentService, as the API uses it) runs in this process.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { IncidentService } from '../../api/incident-service.js';
import { INCIDENT_SEARCH_ATTRIBUTES } from '../../temporal/search-attributes.js';
import { ensureTemporalCli } from '../../temporal/temporal-cli.js';
import { startSandboxes } from '../../test/helpers/sandboxes.js';
import { WORKFLOW_PRELOAD_MODULES, WORKFLOWS_SOURCE_PATH } from '../../workers/incident-worker.js';
import { REQUEST_TRAIL_WORKFLOW_MODULE } from '../../workers/request-trail.js';
import type { IncidentWorkflowOptions } from '../../workflows/incident.js';
import { childProcessPid } from './process-stats.js';
import { spawnWorker, type WorkerProcess, type WorkerProcessOptions } from './spawn-worker.js';
import type { Mode } from './types.js';

export type System = 'mattermost' | 'jira' | 'zoom' | 'opsgenie';
export const SYSTEMS: readonly System[] = ['mattermost', 'jira', 'zoom', 'opsgenie'];
export type LatencyProfile = Record<System, number>;

/** Per call, what the real services typically take from a data centre nearby. */
export const DEFAULT_PROFILE: LatencyProfile = { mattermost: 20, jira: 300, zoom: 250, opsgenie: 150 };
export const NO_LATENCY: LatencyProfile = { mattermost: 0, jira: 0, zoom: 0, opsgenie: 0 };

/** The profile of this run: the default, LATENCY=mattermost=20,jira=300,... to change it, none in a smoke run. */
export function latencyProfile(mode: Mode): LatencyProfile {
  if (mode === 'smoke') return { ...NO_LATENCY };
  const profile = { ...DEFAULT_PROFILE };
  for (const pair of (process.env.LATENCY ?? '').split(',').filter(Boolean)) {
    const [system, ms] = pair.split('=');
    if (!SYSTEMS.includes(system as System) || !Number.isFinite(Number(ms))) throw new Error(`LATENCY: "${pair}" is not <mattermost|jira|zoom|opsgenie>=<ms>`);
    profile[system as System] = Number(ms);
  }
  return profile;
}

/**
 * How long the API makes new incidents wait between looks at their channel's members when it listens to Mattermost's
 * events (the default, MATTERMOST_EVENTS=on): open incidents then sit idle for hours, as measured here.
 */
export { MEMBERSHIP_LOOK_WITH_EVENTS_MS } from '../../api/app.js';

const SANDBOX_PATHS: Record<System, string> = { mattermost: '/api/v4/.*', jira: '/rest/.*', zoom: '/(v2|oauth)/.*', opsgenie: '/v2/.*' };

export interface WorkflowBundle {
  /** A file with the bundled workflow code, as `npm run build` writes dist/workflow-bundle.js. */
  path: string;
  dispose(): Promise<void>;
}

export async function bundleWorkflows(): Promise<WorkflowBundle> {
  const directory = await mkdtemp(join(tmpdir(), 'bench-bundle-'));
  const quiet = () => undefined;
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_SOURCE_PATH,
    // What production's bundle does (scripts/build-workflow-bundle.ts): zod evaluated once per workflow thread.
    preloadModules: WORKFLOW_PRELOAD_MODULES,
    workflowInterceptorModules: [REQUEST_TRAIL_WORKFLOW_MODULE],
    logger: { trace: quiet, debug: quiet, info: quiet, warn: quiet, error: console.error, log: quiet },
  });
  const path = join(directory, 'workflow-bundle.js');
  await writeFile(path, code);
  return { path, dispose: () => rm(directory, { recursive: true, force: true }) };
}

export type Sandboxes = Awaited<ReturnType<typeof startSandboxes>>;

export interface Stack {
  env: TestWorkflowEnvironment;
  sandboxes: Sandboxes;
  /** The Temporal dev server's process, for its CPU; undefined where /proc is not there. */
  serverPid: number | undefined;
  /** Every sandbox answers each call after this long (a latency fault on all its routes); replaces the last profile. */
  setLatency(profile: LatencyProfile): void;
  /** A worker in a process of its own, writing records to a SQLite store of its own. */
  startWorker(options: Pick<WorkerProcessOptions, 'taskQueue' | 'maxCachedWorkflows' | 'tagCalls'>): Promise<WorkerProcess>;
  /** What the API uses to start incidents and send them commands, on this server. */
  incidents(taskQueue: string, workflowOptions?: IncidentWorkflowOptions): IncidentService;
  stop(): Promise<void>;
}

export async function startStack(bundle: WorkflowBundle): Promise<Stack> {
  const [env, sandboxes] = await Promise.all([
    TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'existing-path', path: ensureTemporalCli(() => undefined).path }, ip: '127.0.0.1', searchAttributes: [...INCIDENT_SEARCH_ATTRIBUTES] },
    }),
    startSandboxes(),
  ]);
  const directory = await mkdtemp(join(tmpdir(), 'bench-stack-'));
  const workers: WorkerProcess[] = [];
  let stores = 0;
  return {
    env,
    sandboxes,
    serverPid: childProcessPid(process.pid, 'start-dev'),
    setLatency(profile) {
      for (const system of SYSTEMS) {
        const server = sandboxes[system].server;
        server.clearFaults();
        if (profile[system] > 0) server.addFault({ path: SANDBOX_PATHS[system], latencyMs: profile[system] });
      }
    },
    async startWorker(options) {
      const worker = await spawnWorker({
        ...options,
        temporalAddress: env.address,
        sandboxUrls: sandboxes.urls,
        bundlePath: bundle.path,
        storeUrl: `sqlite:${join(directory, `records-${++stores}.sqlite`)}`,
      });
      workers.push(worker);
      return worker;
    },
    incidents(taskQueue, workflowOptions) {
      return new IncidentService(env.client, taskQueue, 30_000, undefined, workflowOptions);
    },
    async stop() {
      await Promise.all(workers.map((worker) => worker.stop()));
      await sandboxes.stop();
      await env.teardown();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
