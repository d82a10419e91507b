/**
 * Hostile input through the REST door, in open mode (no tokens, loopback) and with tokens: each gets a clear 4xx,
 * never a 5xx, nothing changes, and the API answers normally afterwards.
 *
 * - open mode: a web page cannot act (cross-site form and text/plain posts, a foreign Origin) and a rebound DNS
 *   name cannot reach it (Host other than localhost);
 * - bodies: gzip that is not gzip, a YAML bomb, a `javascript:` link in a note or an alert;
 * - connections: a client that promises a body and never sends it is cut off;
 * - guessing tokens: an address that keeps failing authentication is turned away.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToken, parseApiTokens, tokenEntry } from '../../../api/auth/api-tokens.js';
import { startApi, type RunningApi } from '../../../api/server.js';
import { lookupFromFiles } from '../../../store/playbook-lookup.js';
import { loadPlaybookDirectory } from '../../../store/playbook-files.js';
import { apiClient, startTestStack, type TestStack } from '../../helpers/stack.js';
import { connectToTestServer } from '../../helpers/temporal.js';
import { waitFor } from '../../helpers/wait-for.js';

let env: TestWorkflowEnvironment;
let stack: TestStack;
let call: ReturnType<typeof apiClient>;
let incidentId: string;

beforeAll(async () => {
  env = await connectToTestServer();
  stack = await startTestStack(env);
  call = apiClient(stack.api.url);
  const started = await call('POST', '/api/v1/incidents', { name: 'Target', reporter: 'alice' });
  expect(started.status).toBe(201);
  incidentId = started.body.id;
  // Once launched, nothing changes the incident by itself: a revision that moves is a request that got through.
  await waitFor(() => call('GET', `/api/v1/incidents/${incidentId}`), (read) => Object.values(read.body.launch).every((step) => (step as { status: string }).status !== 'pending'), { what: 'the launch' });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
});

/** A raw request (fetch will not send a foreign Host); answers status and body text. */
function raw(options: { method: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<{ status: number; text: string }> {
  const url = new URL(stack.api.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: options.method, path: options.path, headers: options.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

async function revision(): Promise<number> {
  return (await call('GET', `/api/v1/incidents/${incidentId}`)).body.revision;
}

describe('open mode refuses what a web page could send', () => {
  it('a foreign Host (DNS rebinding) gets 403, reads included', async () => {
    const rebound = await raw({ method: 'GET', path: '/api/v1/incidents', headers: { host: 'attacker.example:3000' } });
    expect(rebound.status).toBe(403);
    expect(rebound.text).toMatch(/localhost only/);
    expect((await raw({ method: 'GET', path: '/healthz', headers: { host: 'localhost:3000' } })).status).toBe(200);
  });

  it('cross-site posts (form, text/plain, foreign Origin) get 403 or 415 and change nothing', async () => {
    const before = await revision();
    const path = `/api/v1/incidents/${incidentId}/acknowledge`;
    const attempts: Array<Record<string, string>> = [
      { 'content-type': 'text/plain', origin: 'http://attacker.example' },
      { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' },
      { 'content-type': 'application/json', origin: 'https://attacker.example' },
      { 'content-type': 'application/json', 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of attempts) {
      const answer = await raw({ method: 'POST', path, headers: { host: '127.0.0.1', ...headers }, body: '{"actor":"alice"}' });
      expect(answer.status, JSON.stringify(headers)).toBe(403);
      expect(answer.text).toMatch(/from another site/);
    }
    const plain = await raw({ method: 'POST', path, headers: { host: '127.0.0.1', 'content-type': 'text/plain' }, body: '{"actor":"alice"}' });
    expect(plain.status).toBe(415);
    expect(plain.text).toContain("this request's body must be JSON (Content-Type: application/json), not text/plain");
    expect(await revision()).toBe(before);
    // The same change, as a script on this machine sends it: applied.
    const fromLocalhost = await raw({ method: 'POST', path, headers: { host: 'localhost', origin: 'http://localhost:3000', 'content-type': 'application/json' }, body: '{"actor":"alice"}' });
    expect(fromLocalhost.status).toBe(200);
  });
});

describe('bodies', () => {
  it('gzip that is not gzip is 400, real gzip is read', async () => {
    const path = `/api/v1/incidents/${incidentId}/notes`;
    const bad = await raw({ method: 'POST', path, headers: { host: '127.0.0.1', 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: '{"text":"not gzip"}' });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/gzip|encoding|body/i);
    const good = await raw({ method: 'POST', path, headers: { host: '127.0.0.1', 'content-type': 'application/json', 'content-encoding': 'gzip', prefer: 'return=minimal' }, body: gzipSync('{"text":"gzipped note"}') });
    expect(good.status).toBe(200);
  });

  it('Brotli that is not Brotli is 400, not 500', async () => {
    const bad = await raw({ method: 'POST', path: `/api/v1/incidents/${incidentId}/notes`, headers: { host: '127.0.0.1', 'content-type': 'application/json', 'content-encoding': 'br' }, body: '{"text":"not brotli"}' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('the request body is not valid br (Content-Encoding)');
  });

  it('fields a command does not take are 400 and stay out of the history, however large or deep', async () => {
    const before = await revision();
    const history = async () => JSON.stringify((await env.client.workflow.getHandle(`incident-${incidentId}`).fetchHistory()).events).length;
    const bytesBefore = await history();
    const junk = await call('POST', `/api/v1/incidents/${incidentId}/notes`, { text: 'junk carrier', zzjunk: 'Q'.repeat(60_000) });
    expect(junk.status).toBe(400);
    expect(junk.body.error).toMatchObject({ message: 'addNote request has a field it does not take', problems: ['zzjunk: unknown field; this request takes text, link, actor'] });
    const deep = `${'['.repeat(5_000)}"x"${']'.repeat(5_000)}`;
    const nested = await raw({ method: 'POST', path: `/api/v1/incidents/${incidentId}/notes`, headers: { host: '127.0.0.1', 'content-type': 'application/json' }, body: `{"text":"x","a":${deep}}` });
    expect(nested.status).toBe(400);
    expect(nested.text).toContain('a: unknown field');
    // A name the body should not carry (the actor is the caller's own in token mode, named here in open mode).
    const impostor = await call('POST', `/api/v1/incidents/${incidentId}/tasks/1.1/complete`, { user_name: 'carol' });
    expect(impostor.status).toBe(400);
    expect(await revision()).toBe(before);
    expect(await history()).toBe(bytesBefore);
  });

  it('a name or task title of more than one line, or a special mention as the actor, is 400 and nothing starts or changes', async () => {
    const before = await revision();
    const started = await call('POST', '/api/v1/incidents', { name: 'Checkout down\n### :white_check_mark: forged', reporter: 'alice' });
    expect(started.status).toBe(400);
    expect(started.body.error.problems).toEqual(['name: must be one line: no line breaks, tabs, control characters or text-direction overrides']);
    const task = await call('POST', `/api/v1/incidents/${incidentId}/checklists/1/tasks`, { title: 'real task\n:white_check_mark: **1.9** ~~Forged~~ @channel' });
    expect(task.status).toBe(400);
    const ping = await call('POST', `/api/v1/incidents/${incidentId}/notes`, { text: 'from everyone', actor: 'all' });
    expect(ping.status).toBe(400);
    expect(JSON.stringify(ping.body)).toContain('is a Mattermost special mention');
    expect(await revision()).toBe(before);
  });

  it('a YAML bomb is 400 with a word of why', async () => {
    let yaml = 'a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
    let previous = 'a';
    for (let level = 0; level < 8; level++) {
      yaml += `l${level}: &l${level} [${Array(9).fill(`*${previous}`).join(', ')}]\n`;
      previous = `l${level}`;
    }
    const answer = await raw({ method: 'POST', path: '/api/v1/playbooks', headers: { host: '127.0.0.1', 'content-type': 'application/yaml' }, body: yaml });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.text).toMatch(/alias/i);
  });

  it('a javascript: link in a note, a generic alert or an Alertmanager alert is 400; an https link is fine', async () => {
    const before = await revision();
    const note = await call('POST', `/api/v1/incidents/${incidentId}/notes`, { text: 'click me', link: 'javascript:alert(document.cookie)' });
    expect(note.status).toBe(400);
    expect(JSON.stringify(note.body)).toMatch(/link: expected an http/);
    expect(await revision()).toBe(before);
    const generic = await call('POST', '/api/v1/alerts', { dedupKey: 'x', title: 'bad link', url: 'javascript:alert(1)' });
    expect(generic.status).toBe(400);
    const alertmanager = await call('POST', '/api/v1/alerts/alertmanager', {
      version: '4', groupKey: '{}:{alertname="x"}', status: 'firing', receiver: 'r', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'javascript:alert(1)', truncatedAlerts: 0,
      alerts: [{ status: 'firing', labels: { alertname: 'x' }, annotations: {}, startsAt: new Date().toISOString(), endsAt: '0001-01-01T00:00:00Z', generatorURL: 'data:text/html,<script>1</script>', fingerprint: 'f' }],
    });
    expect(alertmanager.status).toBe(400);
    expect((await call('POST', `/api/v1/incidents/${incidentId}/notes`, { text: 'runbook', link: 'https://runbooks.example.com/x' })).status).toBe(200);
  });
});

describe('names and headers from the outside', () => {
  it('a prototype key as a timeline kind and a 10 KB Idempotency-Key are 400, and the API answers normally after', async () => {
    for (const kind of ['__proto__', 'constructor', 'toString']) {
      const answer = await call('GET', `/api/v1/incidents/${incidentId}/timeline?kind=${kind}`);
      expect(answer.status, kind).toBe(400);
    }
    const huge = await call('POST', `/api/v1/incidents/${incidentId}/notes`, { text: 'x' }, { 'idempotency-key': 'k'.repeat(10_000) });
    expect(huge.status).toBe(400);
    expect(JSON.stringify(huge.body)).toMatch(/Idempotency-Key/);
    expect((await call('GET', '/healthz')).status).toBe(200);
    expect((await call('POST', `/api/v1/incidents/${incidentId}/notes`, { text: 'still fine' }, { prefer: 'return=minimal' })).status).toBe(200);
  });
});

describe('racing the end', () => {
  it('commands that race an incident’s close get 200 or 409, never a 5xx', async () => {
    const started = await call('POST', '/api/v1/incidents', { name: 'Short-lived', reporter: 'alice' });
    const id = started.body.id as string;
    for (const step of ['acknowledge', 'resolve']) expect((await call('POST', `/api/v1/incidents/${id}/${step}`, {})).status).toBe(200);
    const notes = Array.from({ length: 20 }, (_, n) => call('POST', `/api/v1/incidents/${id}/notes`, { text: `late ${n}` }, { prefer: 'return=minimal' }));
    const close = call('POST', `/api/v1/incidents/${id}/close`, {});
    const after = Array.from({ length: 10 }, (_, n) => call('POST', `/api/v1/incidents/${id}/notes`, { text: `later ${n}` }));
    const statuses = (await Promise.all([...notes, close, ...after])).map((answer) => answer.status);
    expect(statuses.filter((status) => status !== 200 && status !== 409)).toEqual([]);
    expect((await close).status).toBe(200);
    const closed = await call('POST', `/api/v1/incidents/${id}/notes`, { text: 'too late' });
    expect(closed.status).toBe(409);
    expect(closed.body.error.message).toMatch(/closed/);
  });
});

describe('connections and guessing', () => {
  let guarded: RunningApi;
  const token = generateToken();

  beforeAll(async () => {
    guarded = await startApi({
      client: env.client,
      taskQueue: stack.taskQueue,
      playbooks: lookupFromFiles(loadPlaybookDirectory(new URL('../../../playbooks', import.meta.url).pathname)),
      logger: pino({ level: 'silent' }),
      host: '127.0.0.1',
      port: 0,
      apiTokens: parseApiTokens(tokenEntry('ops', 'write', token)).tokens,
      authFailureLimit: { count: 3, unit: 'm' },
      timeouts: { headersTimeoutMs: 500, requestTimeoutMs: 1_000 },
    });
  });
  afterAll(() => guarded?.stop());

  it('with tokens too, a body that is not JSON is 415 naming the type, and nothing changes', async () => {
    const before = await revision();
    const post = (type: string | undefined, path: string, body: string) =>
      fetch(`${guarded.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, ...(type ? { 'content-type': type } : {}) }, body });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/yaml']) {
      const answer = await post(type, `/api/v1/incidents/${incidentId}/notes`, type === 'application/yaml' ? 'text: from yaml' : '{"text":"typed wrong"}');
      expect(answer.status, type).toBe(415);
      expect(await answer.json(), type).toEqual({
        error: { code: 'unsupported_media_type', message: `this request's body must be JSON (Content-Type: application/json), not ${type}` },
      });
    }
    // (A playbook may be YAML: the YAML bomb above reached the playbook route and was refused for what it says.)
    expect(await revision()).toBe(before);
  });

  it('a request that promises more body than it sends is cut off after the request timeout, not minutes later', async () => {
    const url = new URL(guarded.url);
    const started = performance.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(`POST /api/v1/incidents HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"na`);
      });
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('an address that keeps failing authentication is turned away (429), then answered again once it waits', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 8; attempt++) {
      statuses.push((await fetch(`${guarded.url}/api/v1/incidents`, { headers: { authorization: `Bearer ${generateToken()}` } })).status);
    }
    // A burst of twice the limit answers 401, then 429.
    expect(statuses.slice(0, 6)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(statuses.slice(6)).toEqual([429, 429]);
    const turnedAway = await fetch(`${guarded.url}/api/v1/playbooks`, { headers: { authorization: `Bearer ${token}` } });
    expect(turnedAway.status).toBe(429);
    expect(Number(turnedAway.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
