/**
 * Live incident pages over real HTTP: GET /api/v1/incidents/:id/events against a real worker and store. The stream
 * opens with the current view, a change made elsewhere arrives as the next event, Last-Event-ID resumes, refusals
 * answer JSON, and stopping the API ends open streams instead of waiting for them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { connectToTestServer } from '../helpers/temporal.js';
import { apiClient, startTestStack, type TestStack } from '../helpers/stack.js';

let env: TestWorkflowEnvironment;
let stack: TestStack;
let call: ReturnType<typeof apiClient>;
let incidentId: string;

beforeAll(async () => {
  env = await connectToTestServer();
  stack = await startTestStack(env, { liveLimits: { maxPerCaller: 2, heartbeatMs: 60_000 } });
  call = apiClient(stack.api.url);
  const started = await call('POST', '/api/v1/incidents', { name: 'Live page', reporter: 'alice', playbook: 'blank' });
  expect(started.status).toBe(201);
  incidentId = started.body.id;
});

afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
});

interface Event {
  id?: string;
  event?: string;
  data?: any;
  retry?: number;
}

/** An open event stream: the events parsed as they come, and a way to wait for one. */
async function openStream(path: string, headers: Record<string, string> = {}, base = stack.api.url) {
  const abort = new AbortController();
  const response = await fetch(`${base}${path}`, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const events: Event[] = [];
  const waiters: Array<() => void> = [];
  let ended = false;
  const reading = (async () => {
    if (!response.body || !response.headers.get('content-type')?.startsWith('text/event-stream')) return;
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for await (const chunk of response.body) {
        buffered += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const event: Event = {};
          for (const line of block.split('\n')) {
            const [field, ...rest] = line.split(': ');
            const value = rest.join(': ');
            if (field === 'id') event.id = value;
            if (field === 'event') event.event = value;
            if (field === 'data') event.data = JSON.parse(value);
            if (field === 'retry') event.retry = Number(value);
          }
          if (event.event) events.push(event);
          waiters.splice(0).forEach((wake) => wake());
        }
      }
    } catch {
      // aborted by the test
    }
    ended = true;
    waiters.splice(0).forEach((wake) => wake());
  })();
  return {
    response,
    events,
    get ended() {
      return ended;
    },
    async next(predicate: (event: Event) => boolean, timeoutMs = 10_000): Promise<Event> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(predicate);
        if (found) return found;
        if (ended) throw new Error(`the stream ended; events: ${events.map((e) => e.id).join(', ')}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no such event within ${timeoutMs} ms; events: ${events.map((e) => e.id).join(', ')}`);
        await new Promise<void>((wake) => {
          waiters.push(wake);
          setTimeout(wake, left).unref();
        });
      }
    },
    async close() {
      abort.abort();
      await reading;
    },
  };
}

describe('GET /api/v1/incidents/:id/events', () => {
  it('opens with the current view and sends the next one when the incident changes', async () => {
    const stream = await openStream(`/api/v1/incidents/${incidentId}/events`);
    try {
      expect(stream.response.status).toBe(200);
      expect(stream.response.headers.get('cache-control')).toBe('no-store, no-transform');
      const first = await stream.next(() => true);
      expect(first.event).toBe('incident');
      expect(first.data.id).toBe(incidentId);
      expect(first.id).toBe(String(first.data.revision));
      const noted = await call('POST', `/api/v1/incidents/${incidentId}/notes`, { text: 'seen live', actor: 'bob' });
      expect(noted.status).toBe(200);
      const next = await stream.next((event) => event.data.revision >= noted.body.revision);
      expect(next.data.timeline.some((entry: { kind: string; text?: string }) => entry.kind === 'note' && entry.text === 'seen live')).toBe(true);
    } finally {
      await stream.close();
    }
  });

  it('resumes after Last-Event-ID: nothing old is sent again', async () => {
    const current = await call('GET', `/api/v1/incidents/${incidentId}`);
    const stream = await openStream(`/api/v1/incidents/${incidentId}/events`, { 'last-event-id': String(current.body.revision) });
    try {
      const noted = await call('POST', `/api/v1/incidents/${incidentId}/notes`, { text: 'after resuming', actor: 'bob' });
      await stream.next((event) => event.data.revision >= noted.body.revision);
      expect(stream.events.every((event) => event.data.revision > current.body.revision)).toBe(true);
    } finally {
      await stream.close();
    }
  });

  it('answers JSON refusals: a malformed ID, an unknown incident, a caller over its limit', async () => {
    expect((await call('GET', '/api/v1/incidents/NOT_AN_ID/events')).status).toBe(400);
    const unknown = await call('GET', '/api/v1/incidents/no-such-incident-here/events');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    const streams = [await openStream(`/api/v1/incidents/${incidentId}/events`), await openStream(`/api/v1/incidents/${incidentId}/events`)];
    try {
      const third = await call('GET', `/api/v1/incidents/${incidentId}/events`);
      expect(third.status).toBe(429);
      expect(third.body.error.message).toContain('already has 2 live pages open');
      const metrics = await fetch(`${stack.api.url}/metrics`).then((response) => response.text());
      expect(metrics).toMatch(/^incident_api_live_pages_open 2$/m);
    } finally {
      await Promise.all(streams.map((stream) => stream.close()));
    }
  });

  it('ends open streams when the API stops, instead of waiting for them', async () => {
    // A second API on the same worker and store; the server's close waits for open connections, so it must end them.
    const other = await startTestStack(env, { withWorker: false });
    const watched = await openStream(`/api/v1/incidents/${incidentId}/events`, {}, other.api.url);
    await watched.next(() => true);
    await other.stop();
    await watched.next(() => false, 5_000).catch(() => undefined);
    expect(watched.ended).toBe(true);
  });
});
