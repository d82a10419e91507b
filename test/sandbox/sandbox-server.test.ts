/** The shared sandbox machinery: request recording, fault injection per route, the inspection API. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxServer, sendJson } from '../../sandbox/sandbox-server.js';

let items: string[] = [];
const sandbox = new SandboxServer({
  name: 'toy',
  errorBody: (status, message) => ({ status, message }),
  routes(router) {
    router.post('/items', (req, res) => {
      items.push(String(req.body.name));
      sendJson(res, 201, { ok: true });
    });
  },
  state: () => ({ items }),
  reset: () => (items = []),
});

beforeAll(() => sandbox.start());
afterAll(() => sandbox.stop());

const post = (path: string, body: unknown) =>
  fetch(`${sandbox.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer s3cret' }, body: JSON.stringify(body) });

describe('sandbox server', () => {
  it('records requests with credentials redacted and exposes state', async () => {
    sandbox.reset();
    expect((await post('/items', { name: 'a' })).status).toBe(201);
    const requests = await (await fetch(`${sandbox.url}/_sandbox/requests`)).json();
    expect(requests).toEqual([
      expect.objectContaining({ method: 'POST', path: '/items', body: { name: 'a' }, status: 201, headers: expect.objectContaining({ authorization: 'Bearer [redacted]' }) }),
    ]);
    expect(await (await fetch(`${sandbox.url}/_sandbox/state`)).json()).toEqual({ items: ['a'] });
    const response = await fetch(`${sandbox.url}/_sandbox/state`);
    expect(response.headers.get('content-type')).toBe('application/json');
  });

  it('answers a fault status with Retry-After a given number of times, in the system error shape', async () => {
    sandbox.reset();
    const added = await fetch(`${sandbox.url}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'post', path: '/items', status: 429, retryAfterSeconds: 2, times: 2 }),
    });
    expect(added.status).toBe(201);
    const first = await post('/items', { name: 'x' });
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('2');
    expect(await first.json()).toEqual({ status: 429, message: 'injected fault 429' });
    expect((await post('/items', { name: 'x' })).status).toBe(429);
    expect((await post('/items', { name: 'x' })).status).toBe(201);
    expect(items).toEqual(['x']);
  });

  it('delays, drops connections, and rejects a malformed rule', async () => {
    sandbox.reset();
    sandbox.addFault({ path: '/items', latencyMs: 300, times: 1 });
    const started = Date.now();
    expect((await post('/items', { name: 'slow' })).status).toBe(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    sandbox.addFault({ path: '/it.*', drop: true, times: 1 });
    await expect(post('/items', { name: 'dropped' })).rejects.toThrow(/fetch failed/);
    expect(items).toEqual(['slow']);
    const bad = await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"status":1000}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/path/);
  });

  it('answers unknown routes with the system 404 shape', async () => {
    const response = await fetch(`${sandbox.url}/nowhere`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ status: 404, message: 'no route GET /nowhere' });
  });
});
