/**
 * Tracing end to end, as an operator turns it on (OTEL_EXPORTER_OTLP_ENDPOINT): an API process and a worker process
 * send OTLP/HTTP to a collector (here a small receiver), and starting an incident makes one trace from the API's
 * request span through Temporal (the workflow, its activities) to each integration call.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { uniqueTaskQueue } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait-for.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'tracing-'));

interface ReceivedSpan {
  service: string;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}

const spans: ReceivedSpan[] = [];
let collector: Server;
const children: ChildProcess[] = [];
let apiUrl: string;

/** What the OTLP/HTTP exporter sends (JSON encoding), flattened. */
function collect(body: unknown): void {
  const { resourceSpans = [] } = body as { resourceSpans?: Array<{ resource?: { attributes?: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans?: Array<{ spans?: ReceivedSpan[] }> }> };
  for (const resource of resourceSpans) {
    const service = resource.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
    for (const scope of resource.scopeSpans ?? []) for (const span of scope.spans ?? []) spans.push({ ...span, service });
  }
}

async function start(entry: string, env: NodeJS.ProcessEnv, ready: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`${entry} exited: ${output}`);
      return output;
    },
    (text) => text.includes(ready),
    { timeoutMs: 60_000, what: `${entry} to start` },
  );
  return child;
}

beforeAll(async () => {
  collector = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') collect(JSON.parse(text));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const collectorPort = await freePort();
  await new Promise<void>((resolve) => collector.listen(collectorPort, '127.0.0.1', resolve));
  const apiPort = await freePort();
  apiUrl = `http://127.0.0.1:${apiPort}`;
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: uniqueTaskQueue('tracing'),
    DATABASE_URL: `sqlite:${join(directory, 'store.sqlite')}`,
    SANDBOXES: 'on',
    LOG_LEVEL: 'info',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collectorPort}`,
    // Export within a fraction of a second, not the default 5 s.
    OTEL_BSP_SCHEDULE_DELAY: '100',
  };
  await start('workers/main.ts', env, 'worker running');
  await start('api/main.ts', { ...env, API_HOST: '127.0.0.1', API_PORT: String(apiPort) }, 'API listening');
}, 120_000);

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode !== null) continue;
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  await new Promise((resolve) => collector?.close(resolve));
  rmSync(directory, { recursive: true, force: true });
});

describe('tracing', () => {
  it('follows an incident start from the API request through the workflow to each integration call, in one trace', async () => {
    const started = await fetch(`${apiUrl}/api/v1/incidents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Traced outage', reporter: 'alice', playbook: 'service-outage' }),
    });
    expect(started.status).toBe(201);
    const request = await waitFor(
      async () => spans.find((span) => span.service === 'incident-api' && span.name === 'POST /api/v1/incidents'),
      (span) => span !== undefined,
      { what: "the API's request span" },
    );
    // The launch's calls, in the worker, in the same trace.
    const inTrace = await waitFor(
      async () => spans.filter((span) => span.traceId === request!.traceId && span.service === 'incident-worker'),
      (found) => ['mattermost channel', 'jira ticket', 'zoom meeting'].every((name) => found.some((span) => span.name === name)),
      { timeoutMs: 30_000, what: 'the integration calls in the request\'s trace' },
    );
    expect(inTrace.some((span) => span.name.startsWith('RunActivity'))).toBe(true);
    // Each integration call's span has a parent (its activity's span), not a trace of its own.
    for (const name of ['mattermost channel', 'jira ticket']) expect(inTrace.find((span) => span.name === name)!.parentSpanId).toBeTruthy();
  });
});
