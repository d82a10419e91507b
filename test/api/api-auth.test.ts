/**
 * The REST API with API tokens configured: 401 without a (right) token, scopes (read, write, admin), the token's name as
 * the actor of commands, playbook edit permissions, the rate limit's 429 and Retry-After, the request log naming the
 * caller and each command with its actor, and a token made by `npm run api:token` being accepted.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import { generateToken, parseApiTokens, tokenEntry, UNAUTHORIZED_MESSAGE } from '../../api/auth/api-tokens.js';
import { startApi, type RunningApi } from '../../api/server.js';
import type { Playbook } from '../../domain/playbook/schema.js';
import { InMemoryWorkspace } from '../fakes/in-memory-workspace.js';
import { openDatabase, type OpenedDatabase } from '../../store/database.js';
import { lookupFromStore } from '../../store/playbook-lookup.js';
import { IncidentRecordRepository } from '../../store/incident-records.js';
import { PlaybookRepository } from '../../store/playbook-repository.js';
import { apiClient } from '../helpers/stack.js';
import { connectToTestServer, runTestWorker, testPlaybook, uniqueTaskQueue } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait-for.js';

const root = new URL('../..', import.meta.url).pathname;
const directory = mkdtempSync(join(tmpdir(), 'api-auth-'));
const tokens = { grafana: generateToken(), alertmanager: generateToken(), bob: generateToken(), root: generateToken(), bridge: generateToken() };
const logLines: string[] = [];

let env: TestWorkflowEnvironment;
let worker: Awaited<ReturnType<typeof runTestWorker>>;
let database: OpenedDatabase;
let api: RunningApi;
let limited: RunningApi;
let perIncident: RunningApi;
let cliToken: string;
let cliOutput: string;

function as(token: string | undefined, base = () => api.url) {
  return (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    apiClient(base())(method, path, body, { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers });
}

beforeAll(async () => {
  // What an operator does: make a token with the script and add the entry it prints to API_TOKENS.
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/api-token.ts', 'ci-bot', 'write'], { cwd: root });
  cliOutput = stdout;
  cliToken = /^\s+(ict_[A-Za-z0-9_-]{43})$/m.exec(stdout)?.[1] ?? '';
  const cliEntry = /^\s+(ci-bot:write:sha256:[0-9a-f]{64})$/m.exec(stdout)?.[1] ?? '';
  const config = [
    tokenEntry('grafana', 'read', tokens.grafana),
    tokenEntry('alertmanager', 'write', tokens.alertmanager, { alerts: true }),
    tokenEntry('bob', 'write', tokens.bob),
    tokenEntry('root', 'admin', tokens.root),
    tokenEntry('bridge', 'write', tokens.bridge, { actFor: true }),
    cliEntry,
  ].join(',');
  const parsed = parseApiTokens(config);
  expect(parsed.problems).toEqual([]);

  env = await connectToTestServer();
  database = await openDatabase({ url: `sqlite:${join(directory, 'store.sqlite')}` });
  const repository = new PlaybookRepository<Playbook>(database.db);
  const taskQueue = uniqueTaskQueue('api-auth');
  const records = new IncidentRecordRepository(database.db);
  worker = await runTestWorker(env, taskQueue, { integrations: new InMemoryWorkspace(), records });
  const common = {
    client: env.client,
    records,
    taskQueue,
    playbooks: lookupFromStore(repository),
    playbookStore: repository,
    host: '127.0.0.1',
    port: 0,
    bodyLimit: '16kb',
    apiTokens: parsed.tokens,
  };
  api = await startApi({ ...common, logger: pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) }) });
  limited = await startApi({ ...common, logger: pino({ level: 'silent' }), rateLimit: { count: 3, unit: 's' } });
  perIncident = await startApi({ ...common, logger: pino({ level: 'silent' }), incidentCommandLimit: { count: 2, unit: 's' } });
});

afterAll(async () => {
  await api?.stop();
  await limited?.stop();
  await perIncident?.stop();
  await worker?.stop();
  await database?.close();
  await env?.teardown();
  rmSync(directory, { recursive: true, force: true });
});

describe('API tokens', () => {
  it('answers 401 with one message for a missing, malformed or unknown token, and leaves /healthz open', async () => {
    const expected = { status: 401, body: { error: { code: 'unauthorized', message: UNAUTHORIZED_MESSAGE } } };
    const missing = await fetch(`${api.url}/api/v1/incidents`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(await missing.json()).toEqual(expected.body);
    expect(await as(generateToken())('GET', '/api/v1/incidents')).toEqual(expected);
    expect(await as(undefined)('GET', '/api/v1/playbooks', undefined, { authorization: `Basic ${tokens.root}` })).toEqual(expected);
    expect(await as(undefined)('POST', '/api/v1/incidents', { name: 'x', reporter: 'alice' })).toEqual(expected);
    // Authentication comes before the body is read: no token, no 413.
    expect(await as(undefined)('POST', '/api/v1/incidents', { name: 'x'.repeat(20_000) })).toEqual(expected);
    expect(await as(undefined)('GET', '/api/v1/no-such-route')).toEqual(expected);
    expect((await as(undefined)('GET', '/healthz')).status).toBe(200);
    expect((await as(undefined)('GET', '/readyz')).status).toBe(200);
    // The metrics tell how many incidents there are and who calls: a token (any scope) reads them.
    expect(await as(undefined)('GET', '/metrics')).toEqual(expected);
    const scraped = await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${tokens.grafana}` } });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('incident_api_http_requests_total');
  });

  it('lets a read token read but not change anything (403 naming the scope needed)', async () => {
    const read = as(tokens.grafana);
    expect((await read('GET', '/api/v1/playbooks')).status).toBe(200);
    expect((await read('GET', '/api/v1/incidents')).status).toBe(200);
    const refused = await read('POST', '/api/v1/incidents', { name: 'Checkout is down', reporter: 'alice' });
    expect(refused).toEqual({ status: 403, body: { error: { code: 'forbidden', message: 'this needs the write scope; the token of "grafana" has read' } } });
    expect((await read('POST', '/api/v1/playbooks', { id: 'p', title: 'P' })).status).toBe(403);
  });

  it('runs commands with a write token acting as itself; naming someone else takes the act-for capability, and is recorded', async () => {
    const write = as(tokens.alertmanager);
    // Not for someone else: the token is the reporter.
    const forAlice = await write('POST', '/api/v1/incidents', { name: 'Checkout is down', reporter: 'alice', playbook: testPlaybook });
    expect(forAlice.status).toBe(403);
    expect(forAlice.body.error.message).toMatch(/acts as itself.*act-for/);
    const started = await write('POST', '/api/v1/incidents', { name: 'Checkout is down', playbook: testPlaybook });
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    expect((await write('POST', `/api/v1/incidents/${id}/notes`, { text: 'from the alert' })).status).toBe(200);
    const posing = await write('POST', `/api/v1/incidents/${id}/notes`, { text: 'said bob', actor: 'bob' });
    expect(posing.status).toBe(403);
    // A body cannot claim the token either: `via` is the API's to set.
    expect((await write('POST', `/api/v1/incidents/${id}/notes`, { text: 'claims a bridge', via: 'bridge' })).status).toBe(200);
    const bridged = await as(tokens.bridge)('POST', `/api/v1/incidents/${id}/notes`, { text: 'said bob', actor: '@bob' });
    expect(bridged.status).toBe(200);
    expect((await write('POST', `/api/v1/incidents/${id}/acknowledge`)).status).toBe(200);
    const view = await waitFor(() => write('GET', `/api/v1/incidents/${id}`), (r) => r.body.status === 'active', { what: 'the acknowledgement' });
    expect(view.body.reporter).toBe('alertmanager');
    const timeline = view.body.timeline as Array<{ kind: string; actor: string; text: string; data?: { via?: string } }>;
    expect(timeline.find((e) => e.text === 'from the alert')).toMatchObject({ kind: 'note', actor: 'alertmanager' });
    expect(timeline.filter((e) => e.text === 'said bob')).toEqual([expect.objectContaining({ kind: 'note', actor: 'bob', data: { via: 'bridge' } })]);
    expect(timeline.find((e) => e.text === 'claims a bridge')?.data?.via).toBeUndefined();
    expect(timeline.find((e) => e.kind === 'status_changed')).toMatchObject({ actor: 'alertmanager' });
  });

  it('lets only tokens with the alerts capability send alerts (a write token gets 403 naming the fix), and read a group with it or admin', async () => {
    const generic = { dedupKey: 'auth-check', title: 'Disk full', labels: { severity: 'critical' } };
    const person = await as(tokens.bob)('POST', '/api/v1/alerts', generic);
    expect(person.status).toBe(403);
    expect(person.body.error.message).toBe(
      'the token of "bob" may not send alerts: monitoring needs a token with the alerts capability (npm run api:token -- bob write --alerts, or add +alerts after the scope of its API_TOKENS entry)',
    );
    expect((await as(tokens.bob)('POST', '/api/v1/alerts/alertmanager', { version: '4' })).status).toBe(403);
    // The same admin token may read a group, not send alerts.
    expect((await as(tokens.root)('POST', '/api/v1/alerts', generic)).status).toBe(403);
    // Past the door: this API has no playbook for the alert rules to start, and says so.
    const sent = await as(tokens.alertmanager)('POST', '/api/v1/alerts', generic);
    expect(sent.status).toBe(422);
    expect(sent.body.error.message).toMatch(/playbook/);
    const group = '/api/v1/alert-groups/alert-group-0123456789abcdef';
    expect((await as(tokens.bob)('GET', group)).status).toBe(403);
    expect((await as(tokens.alertmanager)('GET', group)).status).toBe(404);
    expect((await as(tokens.root)('GET', group)).status).toBe(404);
  });

  it('keeps one caller\'s Idempotency-Key its own: another caller using it gets its own command applied', async () => {
    const started = await as(tokens.bob)('POST', '/api/v1/incidents', { name: 'shared key', playbook: testPlaybook });
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    const key = { 'Idempotency-Key': 'shared-key-1' };
    expect((await as(tokens.bob)('POST', `/api/v1/incidents/${id}/notes`, { text: 'bob note' }, key)).status).toBe(200);
    const other = await as(tokens.alertmanager)('POST', `/api/v1/incidents/${id}/notes`, { text: 'alertmanager note' }, key);
    expect(other.status).toBe(200);
    const notes = other.body.timeline.filter((e: { kind: string }) => e.kind === 'note').map((e: { text: string; actor: string }) => `${e.actor}: ${e.text}`);
    expect(notes).toEqual(['bob: bob note', 'alertmanager: alertmanager note']);
  });

  it('records a playbook change under the token; X-Actor names someone else only with act-for', async () => {
    const draft = { id: 'actor-check', title: 'Actor check' };
    const posing = await as(tokens.alertmanager)('POST', '/api/v1/playbooks', draft, { 'X-Actor': 'alice' });
    expect(posing.status).toBe(403);
    expect(posing.body.error.message).toMatch(/X-Actor "alice" takes a token with the act-for capability/);
    const bridged = await as(tokens.bridge)('POST', '/api/v1/playbooks', draft, { 'X-Actor': 'alice' });
    expect(bridged.status).toBe(201);
    expect(bridged.body.createdBy).toBe('alice');
  });

  it('changes a playbook only for its editors (a write token outside permissions.edit gets 403); admin may always', async () => {
    const admin = as(tokens.root);
    const guarded = { id: 'guarded', title: 'Guarded', permissions: { edit: { users: ['bob'] } } };
    const created = await admin('POST', '/api/v1/playbooks', guarded);
    expect(created.status).toBe(201);
    expect(created.body.createdBy).toBe('root');

    const outsider = as(tokens.alertmanager);
    for (const [method, path, body] of [
      ['PUT', '/api/v1/playbooks/guarded', { ...guarded, title: 'Taken over' }],
      ['POST', '/api/v1/playbooks/guarded/archive', {}],
    ] as const) {
      expect(await outsider(method, path, body)).toEqual({
        status: 403,
        body: { error: { code: 'forbidden', message: '"alertmanager" may not edit playbook "guarded": not in its permissions.edit users or groups (an incident admin or an admin token may)' } },
      });
    }
    // Creating (and duplicating into a new ID) needs only write.
    expect((await outsider('POST', '/api/v1/playbooks/guarded/duplicate', { id: 'guarded-copy' })).status).toBe(201);
    const own = await outsider('POST', '/api/v1/playbooks', { id: 'open-book', title: 'Open' });
    expect(own.body).toMatchObject({ createdBy: 'alertmanager' });
    expect((await outsider('POST', '/api/v1/playbooks/open-book/archive', {})).body.archived).toBe(true);

    const editor = await as(tokens.bob)('PUT', '/api/v1/playbooks/guarded', { ...guarded, title: 'Guarded (v2)' });
    expect(editor.status).toBe(200);
    expect(editor.body).toMatchObject({ currentVersion: 2, versionCreatedBy: 'bob' });
    expect((await admin('POST', '/api/v1/playbooks/guarded/archive', {})).body.archived).toBe(true);
    expect((await admin('POST', '/api/v1/playbooks/guarded/restore', {})).body.archived).toBe(false);
    // An unknown playbook is still a 404, not a 403.
    expect((await outsider('PUT', '/api/v1/playbooks/nowhere', { id: 'nowhere', title: 'N' })).status).toBe(404);
  });

  it('keeps the error shape for a body over the limit once authenticated', async () => {
    const huge = await as(tokens.alertmanager)('POST', '/api/v1/incidents', { name: 'x'.repeat(20_000), reporter: 'alice' });
    expect(huge).toEqual({ status: 413, body: { error: { code: 'payload_too_large', message: 'the request body is larger than the 16kb limit' } } });
  });

  it('accepts a token made by npm run api:token once its entry is configured', async () => {
    expect(cliOutput).toMatch(/cannot be shown again/);
    expect(cliToken).toMatch(/^ict_/);
    const ci = as(cliToken);
    expect((await ci('GET', '/api/v1/playbooks')).status).toBe(200);
    const created = await ci('POST', '/api/v1/playbooks', { id: 'from-ci', title: 'From CI' });
    expect(created.status).toBe(201);
    expect(created.body.createdBy).toBe('ci-bot');
  });

  it('gives every request an ID (the caller\'s X-Request-Id when sane), answered and logged, and carried into the Update ID', async () => {
    const write = as(tokens.alertmanager);
    const started = await write('POST', '/api/v1/incidents', { name: 'Request IDs', playbook: testPlaybook });
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    const response = await fetch(`${api.url}/api/v1/incidents/${id}/notes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.alertmanager}`, 'content-type': 'application/json', 'x-request-id': 'lb-7f3a9c21' },
      body: JSON.stringify({ text: 'traced' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('lb-7f3a9c21');
    // One that is not sane (spaces, a newline: log injection) is replaced by one of ours.
    const odd = await fetch(`${api.url}/healthz`, { headers: { 'x-request-id': 'x y z\tinjected' } });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const lines = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'request', requestId: 'lb-7f3a9c21', method: 'POST', path: `/api/v1/incidents/${id}/notes`, status: 200, caller: 'alertmanager' }));
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'command applied', requestId: 'lb-7f3a9c21', command: 'addNote', updateId: expect.stringMatching(/^lb-7f3a9c21\.[0-9a-f]{8}$/) }));
    expect(lines.filter((line) => line.msg === 'request').every((line) => typeof line.requestId === 'string')).toBe(true);
  });

  it('logs each request with the caller, never the token', async () => {
    const entries = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((e) => e.msg === 'request');
    expect(entries).toContainEqual(expect.objectContaining({ caller: 'ci-bot', method: 'POST', path: '/api/v1/playbooks', status: 201, ms: expect.any(Number) }));
    expect(entries).toContainEqual(expect.objectContaining({ caller: 'grafana', method: 'POST', path: '/api/v1/incidents', status: 403 }));
    // Each command is logged with who acted: the token's name, or the actor the body named.
    const commands = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((e) => e.msg === 'command applied');
    expect(commands).toContainEqual(expect.objectContaining({ command: 'addNote', actor: 'alertmanager' }));
    expect(commands).toContainEqual(expect.objectContaining({ command: 'addNote', actor: 'bob', via: 'bridge' }));
    expect(commands).toContainEqual(expect.objectContaining({ command: 'acknowledge', actor: 'alertmanager' }));
    const unauthenticated = entries.find((e) => e.status === 401);
    expect(unauthenticated).toBeDefined();
    expect(unauthenticated).not.toHaveProperty('caller');
    const all = logLines.join('\n');
    for (const token of [...Object.values(tokens), cliToken]) expect(all).not.toContain(token);
    expect(all.toLowerCase()).not.toContain('bearer');
  });
});

describe('rate limit', () => {
  it('limits commands per incident, all callers together: 429 with Retry-After, nothing applied, other incidents unaffected', async () => {
    const write = (token: string) => as(token, () => perIncident.url);
    const started = await write(tokens.bob)('POST', '/api/v1/incidents', { name: 'Busy', playbook: testPlaybook });
    const other = await write(tokens.bob)('POST', '/api/v1/incidents', { name: 'Quiet', playbook: testPlaybook });
    const id = started.body.id as string;
    // 2/s with a burst of 4, from two callers at once: some of eight quick notes are refused.
    const notes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => write(i % 2 ? tokens.bob : tokens.alertmanager)('POST', `/api/v1/incidents/${id}/notes`, { text: `busy ${i}` }, { prefer: 'return=minimal' })),
    );
    const refused = notes.filter((r) => r.status === 429);
    const applied = notes.filter((r) => r.status === 200);
    expect(refused.length).toBeGreaterThan(0);
    expect(applied.length + refused.length).toBe(8);
    expect(refused[0]!.body.error.message).toMatch(new RegExp(`incident ${id} is taking more than 2/s commands; nothing was changed, try again in \\d+ s`));
    // Exactly the applied ones are in the timeline.
    const timeline = await write(tokens.bob)('GET', `/api/v1/incidents/${id}/timeline?kind=note`);
    expect(timeline.body.items).toHaveLength(applied.length);
    // Another incident has its own bucket.
    expect((await write(tokens.bob)('POST', `/api/v1/incidents/${other.body.id}/notes`, { text: 'quiet' })).status).toBe(200);
  });

  it('answers 429 with Retry-After once the burst is spent, and lets the caller in again after that long', async () => {
    const reader = as(tokens.grafana, () => limited.url);
    let response: Response | undefined;
    // 3/s with a burst of 6: the 7th quick request (or one soon after) is refused.
    for (let i = 0; i < 20; i++) {
      response = await fetch(`${limited.url}/api/v1/playbooks`, { headers: { authorization: `Bearer ${tokens.grafana}` } });
      if (response.status === 429) break;
    }
    expect(response?.status).toBe(429);
    const retryAfter = Number(response!.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 5).toBe(true);
    expect(await response!.json()).toEqual({
      error: { code: 'rate_limited', message: `too many requests: the limit is 3/s per caller (bursts up to 6); retry in ${retryAfter} s` },
    });
    // Another caller has its own bucket.
    expect((await as(tokens.bob, () => limited.url)('GET', '/api/v1/playbooks')).status).toBe(200);
    // Alerts have buckets of their own, ten times as large: the same caller still gets through with an alert storm.
    const alerts = await Promise.all(Array.from({ length: 20 }, () => as(tokens.alertmanager, () => limited.url)('POST', '/api/v1/alerts', { title: 'no key' })));
    expect(alerts.map((r) => r.status)).toEqual(Array(20).fill(400));
    // Mattermost's calls are limited per address too (ten times the rate, burst 60 here): a flood gets 429s.
    const flood = await Promise.all(Array.from({ length: 200 }, () => fetch(`${limited.url}/mattermost/command`, { method: 'POST' })));
    const refusedFlood = flood.filter((r) => r.status === 429);
    expect(refusedFlood.length).toBeGreaterThan(0);
    expect(Number(refusedFlood[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Waiting as long as Retry-After says is enough.
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    expect((await reader('GET', '/api/v1/playbooks')).status).toBe(200);
  });
});
