/**
 * What a worker process tells operators. Its Prometheus endpoint (WORKER_METRICS_ADDRESS): after an incident's launch, a scrape finds the
 * Temporal SDK's own metrics, the integration calls by system, operation and outcome, the launch durations and the
 * record writes. The
 * worker runs as `npm run worker:dev` does, with SANDBOXES=on (no credentials here).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { IncidentService } from '../../api/incident-service.js';
import { shippedPlaybooks } from '../helpers/chat-stack.js';
import { freePort } from '../helpers/free-port.js';
import { connectToTestServer, uniqueTaskQueue } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait-for.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let env: TestWorkflowEnvironment;
let worker: ChildProcess;
let output = '';
let metricsUrl: string;
const taskQueue = uniqueTaskQueue('worker-metrics');
const directory = mkdtempSync(join(tmpdir(), 'worker-metrics-'));

beforeAll(async () => {
  env = await connectToTestServer();
  const address = `127.0.0.1:${await freePort()}`;
  metricsUrl = `http://${address}/metrics`;
  worker = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: taskQueue,
      DATABASE_URL: `sqlite:${join(directory, 'store.sqlite')}`,
      SANDBOXES: 'on',
      WORKER_METRICS_ADDRESS: address,
      // Two incidents in memory at most: the third evicts one (WORKER_MAX_CACHED_WORKFLOWS bounds the memory).
      WORKER_MAX_CACHED_WORKFLOWS: '2',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  worker.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  worker.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(
    async () => {
      if (worker.exitCode !== null) throw new Error(`the worker exited: ${output}`);
      return output;
    },
    (text) => text.includes('worker running'),
    { timeoutMs: 60_000, what: 'the worker to run' },
  );
}, 90_000);

afterAll(async () => {
  if (worker && worker.exitCode === null) {
    worker.kill('SIGTERM');
    await new Promise((resolve) => worker.once('exit', resolve));
  }
  await env?.teardown();
  rmSync(directory, { recursive: true, force: true });
});

/** The value of one series in Prometheus's text format (labels in any order), or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = text.split('\n').find((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && wanted.every((pair) => l.includes(pair)));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('the worker\'s metrics', () => {
  it('show the SDK, the integration calls and the launch duration after an incident', async () => {
    const incidents = new IncidentService(env.client, taskQueue);
    const playbook = (await shippedPlaybooks().get('service-outage'))!;
    const { id } = await incidents.start({ name: 'Checkout is down', team: 'default', reporter: 'alice', playbook });
    await waitFor(() => incidents.view(id), (v) => Object.values(v.launch).every((step) => step.status !== 'pending'), { timeoutMs: 60_000, what: 'the launch' });
    const text = await waitFor(
      () => fetch(metricsUrl).then((response) => response.text()),
      (body) => body.includes('incident_launch_duration') && body.includes('phase="launched"'),
      { what: 'the launch in the metrics' },
    );
    expect(sample(text, 'incident_integration_calls_total', { system: 'jira', operation: 'ticket', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'incident_integration_calls_total', { system: 'zoom', operation: 'meeting', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'incident_integration_calls_total', { system: 'mattermost', operation: 'channel', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'incident_integration_call_duration_count', { system: 'jira', operation: 'ticket' })).toBe(1);
    expect(sample(text, 'incident_launch_duration_count', { phase: 'channel_ready', playbook: 'service-outage' })).toBe(1);
    expect(sample(text, 'incident_launch_duration_count', { phase: 'launched', playbook: 'service-outage' })).toBe(1);
    // The incident's records, written to the store after its changes (a launch makes several, coalesced per incident).
    expect(sample(text, 'incident_record_writes_total', { outcome: 'written' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'incident_record_writes_total', { outcome: 'given_up' })).toBeUndefined();
    // The SDK's own, on the same endpoint.
    expect(text).toMatch(/^temporal_activity_execution_latency/m);
    expect(text).toMatch(/^temporal_workflow_task_execution_latency/m);
  });

  it('log each command with its Update ID, which carries the API request\'s ID, and the incident', async () => {
    const incidents = new IncidentService(env.client, taskQueue);
    const { id } = await incidents.start({ name: 'Traced', team: 'default', reporter: 'alice', playbook: (await shippedPlaybooks().get('blank'))! });
    await incidents.command(id, 'addNote', { text: 'traced', actor: 'alice' }, { updateId: 'lb-7f3a9c21.0a1b2c3d' });
    const line = await waitFor(
      async () => output.split('\n').filter((l) => l.includes('"command applied"') && l.includes('lb-7f3a9c21.0a1b2c3d')),
      (found) => found.length > 0,
      { what: "the worker's line about the command" },
    );
    expect(JSON.parse(line[0]!)).toMatchObject({ msg: 'command applied', command: 'addNote', updateId: 'lb-7f3a9c21.0a1b2c3d', incidentId: id });
    expect(line).toHaveLength(1);
  });

  it("put a command's Update ID on the lines of the activities it caused", async () => {
    const incidents = new IncidentService(env.client, taskQueue);
    const { id } = await incidents.start({ name: 'Traced update', team: 'default', reporter: 'alice', playbook: (await shippedPlaybooks().get('service-outage'))! });
    await waitFor(() => incidents.view(id), (v) => Object.values(v.launch).every((step) => step.status !== 'pending'), { timeoutMs: 60_000, what: 'the launch' });
    // The worker's Mattermost sandbox (its address is in the worker's log) refuses the next post once: the status
    // update's post fails, is logged, and is retried.
    const mattermost = /"Mattermost: sandbox at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    expect(mattermost).toBeDefined();
    await fetch(`${mattermost}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ method: 'POST', path: '/api/v4/posts', status: 503, times: 1 }) });
    await incidents.command(id, 'postStatusUpdate', { message: 'Rolling back', actor: 'alice' }, { updateId: 'lb-status01.9f8e7d6c' });
    const failed = await waitFor(
      async () => output.split('\n').filter((l) => l.includes('failed') && l.includes('lb-status01.9f8e7d6c')),
      (found) => found.length > 0,
      { what: "the failed post's line with the Update ID" },
    );
    expect(JSON.parse(failed[0]!)).toMatchObject({ updateId: 'lb-status01.9f8e7d6c', incidentId: id, activityType: expect.any(String) });
  });

  it('keep no more incidents in memory than WORKER_MAX_CACHED_WORKFLOWS (the earlier tests started three)', async () => {
    const text = await fetch(metricsUrl).then((response) => response.text());
    const cached = /^temporal_sticky_cache_size(?:\{[^}]*\})? (\d+)/m.exec(text);
    expect(cached, 'temporal_sticky_cache_size in the metrics').not.toBeNull();
    expect(Number(cached![1])).toBeLessThanOrEqual(2);
    expect(sample(text, 'temporal_sticky_cache_total_forced_eviction_total', {})).toBeGreaterThan(0);
  });
});
