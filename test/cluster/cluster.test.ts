/**
 * The production topology on a real Temporal cluster (Temporal server 1.32 on Postgres, not the dev server): the build
 * (`npm run build`), `npm run temporal:setup`'s script from it, two worker processes and two API processes running the
 * compiled JavaScript with real credentials for the four systems (the sandbox servers, shared by every process, so a
 * side effect done twice would show), a store on Postgres. Incidents go in through both APIs; one worker is SIGKILLed
 * while launches are under way; alert deliveries of a few groups arrive through both APIs at once (one incident each); the Temporal server is stopped and started again mid-incident. Every incident ends
 * launched with each side effect done once, and every command applied once.
 *
 * Enable it with TEMPORAL_CLUSTER_START, the path of a script that starts such a server on loopback (`start.sh
 * <work-dir>`, printing TEMPORAL_ADDRESS=...; a stop.sh beside it stops it). `.ci/run` sets it when the build
 * machine has one.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentView } from '../../domain/incident.js';
import { freePort } from '../helpers/free-port.js';
import { findTestPostgres, startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { startSandboxes } from '../helpers/sandboxes.js';
import { alertmanagerGroup } from '../helpers/alert-fixtures.js';
import { waitFor } from '../helpers/wait-for.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const startScript = process.env.TEMPORAL_CLUSTER_START;
const postgresSource = findTestPostgres();

it.skipIf(startScript && postgresSource)(
  'needs a real Temporal cluster and Postgres: set TEMPORAL_CLUSTER_START to a start.sh that runs one (see test/cluster/ and .ci/run)',
  () => {},
);

describe.runIf(startScript && postgresSource)('two workers and two APIs from the build, on a real Temporal cluster', () => {
  const work = mkdtempSync(join(tmpdir(), 'temporal-cluster-'));
  // Run as root, start.sh runs Postgres as the postgres user, who must be able to reach into it.
  chmodSync(work, 0o755);
  const stopScript = join(dirname(startScript ?? '.'), 'stop.sh');
  const clusterEnv = {
    ...process.env,
    TEMPORAL_CLUSTER_PORT: process.env.CLUSTER_TEMPORAL_PORT ?? '27500',
    PG_PORT: process.env.CLUSTER_PG_PORT ?? '27560',
  };
  const children: ChildProcess[] = [];
  const logs = new Map<ChildProcess, string>();
  let sandboxes: Awaited<ReturnType<typeof startSandboxes>>;
  let postgres: TestPostgres;
  let address: string;
  let processEnv: NodeJS.ProcessEnv;
  const apis: string[] = [];
  let workers: ChildProcess[] = [];
  const incidents: string[] = [];

  async function startCluster(): Promise<string> {
    const { stdout } = await run(startScript!, [work], { env: clusterEnv, timeout: 180_000 });
    const found = /^TEMPORAL_ADDRESS=(\S+)$/m.exec(stdout)?.[1];
    if (!found) throw new Error(`start.sh printed no TEMPORAL_ADDRESS: ${stdout}`);
    return found;
  }

  /** A compiled entry point in a process of its own; resolves once its log says `ready`. */
  async function startProcess(entry: string, env: NodeJS.ProcessEnv, ready: string): Promise<ChildProcess> {
    const child = spawn(process.execPath, [join(root, 'dist', entry)], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    logs.set(child, '');
    const collect = (chunk: Buffer) => logs.set(child, (logs.get(child)! + chunk.toString()).slice(-20_000));
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`${entry} exited (${child.exitCode}): ${logs.get(child)}`);
        return logs.get(child)!;
      },
      (text) => text.includes(ready),
      { timeoutMs: 60_000, what: `${entry} to say "${ready}"` },
    );
    return child;
  }

  const startWorker = () => startProcess('workers/main.js', processEnv, 'worker running');

  async function api<T>(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  const view = (id: string, base = apis[0]!) => api<IncidentView>(base, 'GET', `/incidents/${id}`).then((answer) => answer.body);
  const launched = (v: IncidentView) => Object.values(v.launch).every((step) => step.status !== 'pending');

  beforeAll(async () => {
    // The build under test: what `npm run worker` and `npm run api` run in production.
    await run('npm', ['run', '--silent', 'build'], { cwd: root, timeout: 300_000 });
    address = await startCluster();
    // The search attributes, registered by the compiled setup script as an operator would.
    await run(process.execPath, [join(root, 'dist/scripts/setup-search-attributes.js')], { cwd: root, env: { ...process.env, TEMPORAL_ADDRESS: address }, timeout: 60_000 });
    postgres = await startTestPostgres(postgresSource!);
    sandboxes = await startSandboxes();
    // Jira answers slowly, so launches are still under way when a worker is killed.
    sandboxes.jira.server.addFault({ method: 'POST', path: '/rest/api/2/issue', latencyMs: 1_500 });
    const { urls } = sandboxes;
    processEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TASK_QUEUE: `cluster-${Date.now()}`,
      DATABASE_URL: await postgres.createDatabase(),
      MATTERMOST_URL: urls.mattermost,
      MATTERMOST_BOT_TOKEN: 'mm-bot-token',
      MATTERMOST_EVENTS: 'off',
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
      LOG_LEVEL: 'info',
    };
    workers = [await startWorker(), await startWorker()];
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      await startProcess('api/main.js', { ...processEnv, API_HOST: '127.0.0.1', API_PORT: String(port) }, 'API listening');
      apis.push(`http://127.0.0.1:${port}`);
    }
  }, 600_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await run(stopScript, [work], { env: clusterEnv, timeout: 60_000 }).catch(() => undefined);
    await sandboxes?.stop();
    await postgres?.stop();
    rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it('launches incidents from both APIs with every side effect done once, though a worker is SIGKILLed mid-launch', async () => {
    for (let i = 0; i < 6; i++) {
      const started = await api<{ id: string }>(apis[i % 2]!, 'POST', '/incidents', { name: `Cluster outage ${i}`, reporter: 'alice', playbook: 'service-outage' });
      expect(started.status).toBe(201);
      incidents.push(started.body.id);
    }
    // Launches are under way (Jira's create is slow): kill both workers without warning, so that whichever held the
    // Jira call dies in it, and bring two new ones up. The retried steps must find what the dead ones made.
    await waitFor(async () => sandboxes.jira.server.requestsTo('POST', /^\/rest\/api\/2\/issue$/).length, (count) => count >= 1, { what: 'a Jira create under way' });
    const killed = workers;
    for (const worker of killed) worker.kill('SIGKILL');
    await Promise.all(killed.map((worker) => (worker.exitCode !== null || worker.signalCode !== null ? undefined : once(worker, 'exit'))));
    expect(killed.map((worker) => worker.signalCode)).toEqual(['SIGKILL', 'SIGKILL']);
    workers = [await startWorker(), await startWorker()];
    for (const id of incidents) {
      const done = await waitFor(() => view(id), launched, { timeoutMs: 120_000, what: `incident ${id} launched` });
      expect(Object.entries(done.launch).filter(([, step]) => step.status === 'failed')).toEqual([]);
    }
    const channels = sandboxes.mattermost.channels();
    for (const id of incidents) {
      expect(channels.filter((channel) => channel.name.startsWith(`incident-${id}-`)), `channels of ${id}`).toHaveLength(1);
      expect(sandboxes.jira.issues().filter((issue) => JSON.stringify(issue).includes(id)), `Jira issues of ${id}`).toHaveLength(1);
      expect(sandboxes.zoom.meetings().filter((meeting) => JSON.stringify(meeting).includes(id)), `Zoom meetings of ${id}`).toHaveLength(1);
      expect(sandboxes.opsgenie.alerts().filter((alert) => JSON.stringify(alert).includes(id)), `Opsgenie alerts of ${id}`).toHaveLength(1);
    }
    // alice reported all six: both workers placed their channels in her sidebar at once, one writer at a time under the
    // lock in the Postgres store they share, so none is missing.
    const mattermost = sandboxes.mattermost;
    const sidebar = mattermost.categories(mattermost.userId('alice'), mattermost.teamId('default')).filter((category) => category.display_name === 'Incidents');
    expect(sidebar).toHaveLength(1);
    const incidentChannels = incidents.map((id) => channels.find((channel) => channel.name.startsWith(`incident-${id}-`))!.id);
    expect(incidentChannels.filter((channelId) => !sidebar[0]!.channel_ids.includes(channelId))).toEqual([]);
  }, 300_000);

  it('makes one incident per alert group from deliveries spread over both APIs at once, each answered 202 at once', async () => {
    const groups = 4;
    const perGroup = 8;
    const groupKey = (g: number) => `{}:{alertname="ClusterStorm", shard="${g}"}`;
    const deliveries = Array.from({ length: groups * perGroup }, (_, i) => i % groups);
    const answers = await Promise.all(
      deliveries.map((group, i) => api<{ outcome: string; alertGroup: string }>(apis[i % 2]!, 'POST', '/alerts/alertmanager', alertmanagerGroup('firing', groupKey(group)))),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(deliveries.length).fill(202));
    expect(new Set(answers.map((answer) => answer.body.outcome))).toEqual(new Set(['accepted']));
    const alertGroups = [...new Set(answers.map((answer) => answer.body.alertGroup))];
    expect(alertGroups).toHaveLength(groups);
    const incidentIds: string[] = [];
    for (const group of alertGroups) {
      // Handed over by whichever API took the intake's task; both read the group's state.
      const status = await waitFor(
        () => api<{ delivered: number; incidentId?: string; recent: Array<{ outcome: string }> }>(apis[1]!, 'GET', `/alert-groups/${group}`),
        (answer) => answer.body.delivered === perGroup,
        { timeoutMs: 120_000, what: `the deliveries of ${group} handed over` },
      );
      expect(status.body.recent.map((outcome) => outcome.outcome).sort()).toEqual(['started', ...Array(perGroup - 1).fill('joined')].sort());
      incidentIds.push(status.body.incidentId!);
    }
    expect(new Set(incidentIds).size).toBe(groups);
    for (const id of incidentIds) expect((await view(id)).alertGroup?.deliveries).toBe(perGroup);
  }, 300_000);

  it('keeps every command across a restart of the Temporal server mid-incident, applied once', async () => {
    const id = incidents[0]!;
    expect((await api(apis[0]!, 'POST', `/incidents/${id}/notes`, { text: 'before the restart', actor: 'alice' })).status).toBe(200);
    await run(stopScript, [work], { env: clusterEnv, timeout: 60_000 });
    // While it is down the APIs say they are not ready (a load balancer stops sending them traffic).
    await waitFor(() => fetch(`${apis[0]}/readyz`).then((response) => response.status), (status) => status === 503, { what: 'the API not ready' });
    await startCluster();
    // Both APIs find the server again by themselves (their clients reconnect); so do the workers.
    for (const base of apis) {
      await waitFor(() => fetch(`${base}/readyz`).then((response) => response.status), (status) => status === 200, { timeoutMs: 60_000, what: `${base} ready again` });
    }
    const note = await waitFor(
      () => api(apis[1]!, 'POST', `/incidents/${id}/notes`, { text: 'after the restart', actor: 'alice' }),
      (answer) => answer.status === 200,
      { timeoutMs: 60_000, what: 'a command after the restart' },
    );
    expect(note.status).toBe(200);
    expect((await api(apis[0]!, 'POST', `/incidents/${id}/acknowledge`, { actor: 'alice' })).status).toBe(200);
    expect((await api(apis[1]!, 'POST', `/incidents/${id}/resolve`, { actor: 'alice', summary: 'Rolled back' })).status).toBe(200);
    const resolved = await waitFor(() => view(id, apis[1]!), (v) => v.status === 'resolved', { what: 'the incident resolved' });
    expect(resolved.timeline.filter((event) => event.kind === 'note').map((event) => event.text)).toEqual(['before the restart', 'after the restart']);
    // The worker and API processes lived through it (they reconnect, not crash).
    const alive = children.filter((child) => child.signalCode !== 'SIGKILL');
    expect(alive.filter((child) => child.exitCode !== null).map((child) => logs.get(child))).toEqual([]);
  }, 300_000);
});
