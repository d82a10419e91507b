/**
 * GET /api/v1/incidents/:id/export over real HTTP: an incident started through the API, launched by a real worker into
 * the Mattermost sandbox, its channel filled with posts, exported in each format; and every refusal (bad format, unknown
 * incident, no channel, no Mattermost, Mattermost failing).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type RunningApi } from '../../api/server.js';
import { loadPlaybookDirectory } from '../../store/playbook-files.js';
import { lookupFromFiles } from '../../store/playbook-lookup.js';
import { createIncidentWorker } from '../../workers/incident-worker.js';
import { parseCsv } from '../helpers/postmortem-fixtures.js';
import { startSandboxes } from '../helpers/sandboxes.js';
import { connectToTestServer, uniqueTaskQueue, workflowBundle } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait-for.js';

let env: TestWorkflowEnvironment;
let sandboxes: Awaited<ReturnType<typeof startSandboxes>>;
let worker: Worker;
let running: Promise<void>;
let api: RunningApi;
let apiWithoutChat: RunningApi;
/** What the API with Mattermost logged, one JSON object per line. */
const logged: Array<{ msg: string; [key: string]: unknown }> = [];

beforeAll(async () => {
  env = await connectToTestServer();
  sandboxes = await startSandboxes();
  const taskQueue = uniqueTaskQueue('export');
  worker = await createIncidentWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    dependencies: { integrations: sandboxes.ports },
    workflowBundle: await workflowBundle(),
  });
  running = worker.run();
  const common = {
    client: env.client,
    taskQueue,
    playbooks: lookupFromFiles(loadPlaybookDirectory(new URL('../../playbooks', import.meta.url).pathname)),
    logger: pino({ level: 'silent' }),
    host: '127.0.0.1',
    port: 0,
  };
  api = await startApi({ ...common, chat: sandboxes.ports.chat, logger: pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line)) }) });
  apiWithoutChat = await startApi(common);
});

afterAll(async () => {
  await api?.stop();
  await apiWithoutChat?.stop();
  worker?.shutdown();
  await running;
  await sandboxes?.stop();
  await env?.teardown();
});

async function startIncident(name: string): Promise<string> {
  const response = await fetch(`${api.url}/api/v1/incidents`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, reporter: 'alice', playbook: 'blank' }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

async function view(id: string): Promise<any> {
  return (await fetch(`${api.url}/api/v1/incidents/${id}`)).json();
}

const exportOf = (id: string, query = '', base = api.url, signal?: AbortSignal) =>
  fetch(`${base}/api/v1/incidents/${id}/export${query}`, signal ? { signal } : {});

describe('GET /api/v1/incidents/:id/export', () => {
  let id: string;
  let channelId: string;

  beforeAll(async () => {
    id = await startIncident('Checkout, "payments" down');
    const launched = await waitFor(() => view(id), (v) => v.launch?.channelHeader?.status === 'done', { what: 'the launch' });
    channelId = launched.links.channelId;
    sandboxes.mattermost.seedPosts(channelId, { count: 1_500, threadEvery: 3, users: ['alice', 'bob'] });
  });

  it('streams the CSV: the channel export\u2019s columns, every post oldest first, as an attachment', async () => {
    const response = await exportOf(id, '?format=csv');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="incident-${id}-postmortem.csv"`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const rows = parseCsv(await response.text());
    const posts = sandboxes.mattermost.posts(channelId);
    expect(posts.length).toBeGreaterThan(1_500);
    expect(rows[0]![0]).toBe('Post Creation Time');
    expect(rows.slice(1).map((row) => row[5])).toEqual(posts.map((post) => post.id));
  });

  it('streams the Markdown draft (md or markdown, the default) and the JSON', async () => {
    for (const query of ['?format=md', '?format=markdown', '']) {
      const response = await exportOf(id, query);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
      expect(response.headers.get('content-disposition')).toBe(`attachment; filename="incident-${id}-postmortem.md"`);
      const text = await response.text();
      expect(text).toMatch(new RegExp(`^# Post-mortem: Incident (#\\d+ )?\\(${id}\\): Checkout, "payments" down\\n`));
      expect(text).toContain('## Conversation');
      expect(text).toContain('Seeded post 1500');
    }
    const response = await exportOf(id, '?format=JSON');
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = (await response.json()) as any;
    expect(body.incident.id).toBe(id);
    expect(body.posts).toHaveLength(sandboxes.mattermost.posts(channelId).length);
  });

  it('refuses an unknown format, naming the accepted ones', async () => {
    const response = await exportOf(id, '?format=xml');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { code: 'invalid_input', message: 'unknown export format "xml"; accepted: markdown (or md), json, csv', problems: ['format: expected one of markdown (or md), json, csv'] },
    });
  });

  it('answers 404 for an unknown incident and 400 for a malformed id', async () => {
    expect((await exportOf('no-such-incident', '?format=csv')).status).toBe(404);
    expect((await exportOf('Bad_Id!', '?format=csv')).status).toBe(400);
  });

  it('answers 503 when the API has no Mattermost', async () => {
    const response = await exportOf(id, '?format=csv', apiWithoutChat.url);
    expect(response.status).toBe(503);
    expect(((await response.json()) as any).error.message).toBe('the post-mortem export needs Mattermost configured');
  });

  it('answers with a JSON error, not a broken file, when Mattermost refuses while the channel is read', async () => {
    sandboxes.mattermost.server.addFault({ method: 'GET', path: `/api/v4/channels/${channelId}/posts`, status: 403, times: 1 });
    const response = await exportOf(id, '?format=csv');
    expect(response.status).toBe(502);
    expect(response.headers.get('content-disposition')).toBeNull();
    expect(((await response.json()) as any).error.message).toMatch(/^the export could not read the channel: Mattermost answered 403/);
  });

  it('stops reading the channel when the client goes away', async () => {
    // Slow pages, so the client can leave while the channel is still being read.
    const pagePath = `/api/v4/channels/${channelId}/posts`;
    sandboxes.mattermost.server.addFault({ method: 'GET', path: pagePath, latencyMs: 300 });
    try {
      const pageRequests = () => sandboxes.mattermost.server.requests.filter((r) => r.method === 'GET' && r.path === pagePath).length;
      const before = pageRequests();
      const client = new AbortController();
      const request = exportOf(id, '?format=csv', api.url, client.signal).catch((error: unknown) => error);
      await waitFor(pageRequests, (count) => count >= before + 2, { intervalMs: 20, what: 'two pages read' });
      client.abort();
      expect(await request).toMatchObject({ name: 'AbortError' });
      await waitFor(() => logged, (lines) => lines.some((line) => line.msg === 'post-mortem export abandoned by the client'), { what: 'the export to stop' });
      // The channel has 8 pages of 200; the export stopped after the page in flight when the client left.
      expect(pageRequests() - before).toBeLessThan(Math.ceil(sandboxes.mattermost.posts(channelId).length / 200));
    } finally {
      sandboxes.mattermost.server.clearFaults();
    }
  });

  it('answers 409 for an incident whose channel could not be made', async () => {
    sandboxes.mattermost.server.addFault({ method: 'POST', path: '/api/v4/channels', status: 400, times: 1 });
    const channelless = await startIncident('No channel for this one');
    await waitFor(() => view(channelless), (v) => v.launch?.channel?.status === 'failed', { what: 'the channel step to fail' });
    const response = await exportOf(channelless, '?format=csv');
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({
      error: { code: 'conflict', message: `incident ${channelless} has no channel yet, so there is no conversation to export` },
    });
  });
});
