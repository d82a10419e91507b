/**
 * The PagerDuty sandbox against PagerDuty's documented contract, with plain fetch (no adapter): REST API v2 auth,
 * shapes, pagination and error bodies; Events API v2 validation, deduplication by dedup_key, acknowledge and resolve;
 * faults in each API's own error shape.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPagerDutySandbox, PAGERDUTY_SANDBOX_ROUTING_KEY } from '../../sandbox/pagerduty-sandbox.js';

const sandbox = createPagerDutySandbox({
  apiTokens: ['pd-token'],
  schedules: [
    { id: 'PPRIMRY', name: 'primary', onCall: ['oscar@example.com'] },
    { name: 'Database Ops', onCall: ['dana@example.com', 'dave@example.com'] },
  ],
});
let apiUrl: string;
let eventsUrl: string;

const HEADERS = { Authorization: 'Token token=pd-token', Accept: 'application/vnd.pagerduty+json;version=2' };

async function get(path: string, headers: Record<string, string> = HEADERS): Promise<{ status: number; body: any }> {
  const response = await fetch(`${apiUrl}${path}`, { headers });
  return { status: response.status, body: await response.json() };
}

async function enqueue(event: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${eventsUrl}/v2/enqueue`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(event) });
  return { status: response.status, body: await response.json() };
}

const trigger = (dedupKey: string | undefined, severity = 'critical', summary = 'Checkout is down') =>
  enqueue({
    routing_key: PAGERDUTY_SANDBOX_ROUTING_KEY,
    event_action: 'trigger',
    ...(dedupKey ? { dedup_key: dedupKey } : {}),
    payload: { summary, source: 'incident-collaboration', severity, custom_details: { description: 'd' } },
  });

beforeAll(async () => {
  ({ apiUrl, eventsUrl } = await sandbox.start());
});
afterAll(() => sandbox.stop());
beforeEach(() => sandbox.reset());

describe('pagerduty sandbox: REST API v2', () => {
  it('refuses a missing, malformed or unknown token with 401 and a PagerDuty error body', async () => {
    const refused: Array<Record<string, string>> = [{}, { Authorization: 'Bearer pd-token' }, { Authorization: 'Token token=wrong' }, { Authorization: 'pd-token' }];
    for (const headers of refused) {
      const { status, body } = await get('/schedules', headers);
      expect(status).toBe(401);
      expect(body).toEqual({ error: { message: 'Authentication failed', code: 2006 } });
    }
  });

  it('finds schedules by part of their name, paginated, and one by ID', async () => {
    const { status, body } = await get('/schedules?query=ops');
    expect(status).toBe(200);
    expect(body).toMatchObject({ limit: 25, offset: 0, more: false, total: null });
    expect(body.schedules).toEqual([expect.objectContaining({ type: 'schedule', name: 'Database Ops', id: expect.stringMatching(/^P[A-Z0-9]{6}$/) })]);
    const paged = await get('/schedules?limit=1&offset=0&total=true');
    expect(paged.body).toMatchObject({ limit: 1, offset: 0, more: true, total: 2 });
    expect((await get('/schedules?limit=1&offset=1')).body).toMatchObject({ more: false, schedules: [expect.objectContaining({ name: 'Database Ops' })] });
    expect((await get('/schedules/PPRIMRY')).body.schedule).toMatchObject({ id: 'PPRIMRY', name: 'primary', escalation_policies: [expect.objectContaining({ type: 'escalation_policy_reference' })] });
    expect(await get('/schedules/PNOSUCH')).toEqual({ status: 404, body: { error: { message: 'Not Found', code: 2100 } } });
  });

  it('lists who is on call for a schedule, as references or with the users included', async () => {
    const plain = await get('/oncalls?schedule_ids[]=PPRIMRY&earliest=true');
    expect(plain.status).toBe(200);
    expect(plain.body.oncalls).toEqual([
      {
        user: expect.objectContaining({ type: 'user_reference', summary: 'Oscar' }),
        schedule: expect.objectContaining({ id: 'PPRIMRY', type: 'schedule_reference' }),
        escalation_policy: expect.objectContaining({ type: 'escalation_policy_reference' }),
        escalation_level: 1,
        start: expect.any(String),
        end: expect.any(String),
      },
    ]);
    expect(plain.body.oncalls[0].user.email).toBeUndefined();
    const userId = plain.body.oncalls[0].user.id;
    expect((await get(`/users/${userId}`)).body.user).toMatchObject({ id: userId, type: 'user', email: 'oscar@example.com' });

    const db = sandbox.schedules().find((s) => s.name === 'Database Ops')!;
    const included = await get(`/oncalls?schedule_ids[]=${db.id}&include[]=users`);
    expect(included.body.oncalls.map((o: any) => [o.user.type, o.user.email])).toEqual([
      ['user', 'dana@example.com'],
      ['user', 'dave@example.com'],
    ]);
    expect((await get('/oncalls')).body.oncalls).toHaveLength(3);
    expect((await get('/users/PNOSUCH')).status).toBe(404);
  });

  it('follows a handover', async () => {
    sandbox.setOnCall('primary', ['alice@example.com']);
    const { body } = await get('/oncalls?schedule_ids[]=PPRIMRY&include[]=users');
    expect(body.oncalls.map((o: any) => o.user.email)).toEqual(['alice@example.com']);
  });

  it('refuses a bad limit or status with 400 and the details in errors[]', async () => {
    const { status, body } = await get('/schedules?limit=ten');
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ message: 'Invalid Input Provided', code: 2001, errors: [expect.any(String)] });
    expect((await get('/incidents?statuses[]=open')).status).toBe(400);
  });

  it('answers an injected 429 in the REST error shape, with Retry-After', async () => {
    sandbox.server.addFault({ path: '/oncalls', status: 429, message: 'Rate Limit Exceeded', retryAfterSeconds: 3, times: 1 });
    const response = await fetch(`${apiUrl}/oncalls`, { headers: HEADERS });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(await response.json()).toEqual({ error: { message: 'Rate Limit Exceeded', code: 2020 } });
    expect((await get('/oncalls')).status).toBe(200);
  });
});

describe('pagerduty sandbox: Events API v2', () => {
  it('opens an incident on a trigger (202 with the dedup_key) and finds it by incident_key', async () => {
    expect(await trigger('incident-1')).toEqual({ status: 202, body: { status: 'success', message: 'Event processed', dedup_key: 'incident-1' } });
    const [incident] = sandbox.incidents();
    expect(incident).toMatchObject({ incidentKey: 'incident-1', status: 'triggered', severity: 'critical', urgency: 'high', alertCount: 1, assignees: ['oscar@example.com'] });
    const { body } = await get('/incidents?incident_key=incident-1&date_range=all');
    expect(body.incidents).toEqual([
      expect.objectContaining({ id: incident!.id, type: 'incident', incident_key: 'incident-1', status: 'triggered', urgency: 'high', title: 'Checkout is down' }),
    ]);
    expect(body.incidents[0].assignments.map((a: any) => a.assignee.summary)).toEqual(['Oscar']);
    expect((await get(`/incidents/${incident!.id}`)).body.incident.incident_number).toBe(1);
    expect((await get('/incidents?incident_key=other')).body.incidents).toEqual([]);
  });

  it('adds a repeated trigger to the open incident instead of opening another', async () => {
    await trigger('incident-2');
    expect((await trigger('incident-2', 'critical', 'again')).status).toBe(202);
    expect(sandbox.incidents()).toEqual([expect.objectContaining({ incidentKey: 'incident-2', alertCount: 2, title: 'Checkout is down' })]);
    expect(sandbox.receivedEvents().map((e) => e.outcome)).toEqual(['created', 'deduplicated']);
  });

  it('acknowledges and resolves by dedup_key; a trigger after the resolve opens a new incident', async () => {
    await trigger('incident-3', 'warning');
    expect(sandbox.incidents()[0]!.urgency).toBe('low');
    expect((await enqueue({ routing_key: PAGERDUTY_SANDBOX_ROUTING_KEY, event_action: 'acknowledge', dedup_key: 'incident-3' })).status).toBe(202);
    expect(sandbox.incidents()[0]!.status).toBe('acknowledged');
    const resolved = await enqueue({ routing_key: PAGERDUTY_SANDBOX_ROUTING_KEY, event_action: 'resolve', dedup_key: 'incident-3' });
    expect(resolved).toEqual({ status: 202, body: { status: 'success', message: 'Event processed', dedup_key: 'incident-3' } });
    expect(sandbox.incidents()[0]).toMatchObject({ status: 'resolved', resolvedAt: expect.any(String) });
    // Resolving again is accepted and dropped, as PagerDuty drops events for a resolved alert.
    expect((await enqueue({ routing_key: PAGERDUTY_SANDBOX_ROUTING_KEY, event_action: 'resolve', dedup_key: 'incident-3' })).status).toBe(202);
    await trigger('incident-3');
    expect(sandbox.incidents().map((i) => [i.incidentNumber, i.status])).toEqual([[1, 'resolved'], [2, 'triggered']]);
    expect((await get('/incidents?incident_key=incident-3&statuses[]=resolved')).body.incidents).toHaveLength(1);
    expect(sandbox.receivedEvents().map((e) => e.outcome)).toEqual(['created', 'acknowledged', 'resolved', 'dropped', 'created']);
  });

  it('makes up a dedup_key for a trigger without one', async () => {
    const { body } = await trigger(undefined);
    expect(body.dedup_key).toMatch(/^[0-9a-f]{32}$/);
    expect(sandbox.incidents()[0]!.incidentKey).toBe(body.dedup_key);
  });

  it('refuses invalid events with 400 {status, message, errors}, opening nothing', async () => {
    const shortKey = await enqueue({ routing_key: 'short', event_action: 'trigger', payload: { summary: 's', source: 's', severity: 'critical' } });
    expect(shortKey).toEqual({
      status: 400,
      body: { status: 'invalid event', message: 'Event object is invalid', errors: ["Length of 'routing_key' is incorrect (should be 32 characters)"] },
    });
    const unknownKey = await enqueue({ routing_key: 'x'.repeat(32), event_action: 'trigger', payload: { summary: 's', source: 's', severity: 'critical' } });
    expect(unknownKey.body.errors).toEqual(['Invalid routing key']);
    const noPayload = await enqueue({ routing_key: PAGERDUTY_SANDBOX_ROUTING_KEY, event_action: 'trigger' });
    expect(noPayload.body.errors).toEqual(["'payload' is missing or blank"]);
    const badSeverity = await enqueue({ routing_key: PAGERDUTY_SANDBOX_ROUTING_KEY, event_action: 'trigger', payload: { summary: 's', source: 's', severity: 'sev1' } });
    expect(badSeverity.body.errors).toEqual([expect.stringContaining("'payload.severity'")]);
    const noDedup = await enqueue({ routing_key: PAGERDUTY_SANDBOX_ROUTING_KEY, event_action: 'resolve' });
    expect(noDedup.body.errors).toEqual(["'dedup_key' is missing or blank"]);
    expect((await trigger('k', 'critical', 'x'.repeat(1025))).status).toBe(400);
    const notJson = await fetch(`${eventsUrl}/v2/enqueue`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{not json' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ status: 'Unrecognized object', message: 'Event object format is unrecognized', errors: [expect.any(String)] });
    const noBody = await fetch(`${eventsUrl}/v2/enqueue`, { method: 'POST', body: 'text' });
    expect(await noBody.json()).toEqual({ status: 'Unrecognized object', message: 'Event object format is unrecognized', errors: ['JSON parse error'] });
    expect(sandbox.incidents()).toEqual([]);
  });

  it('answers an injected fault in the Events API error shape, not the REST one', async () => {
    sandbox.events.addFault({ method: 'POST', path: '/v2/enqueue', status: 503, times: 1 });
    const failed = await trigger('incident-4');
    expect(failed).toEqual({ status: 503, body: { status: 'error', message: 'injected fault 503', errors: ['injected fault 503'] } });
    expect(sandbox.incidents()).toEqual([]);
    expect((await trigger('incident-4')).status).toBe(202);
  });

  it('shows the incidents through the inspection API of either server', async () => {
    await trigger('incident-5');
    for (const url of [apiUrl, eventsUrl]) {
      const state = (await (await fetch(`${url}/_sandbox/state`)).json()) as any;
      expect(state.incidents).toEqual([expect.objectContaining({ incidentKey: 'incident-5' })]);
      expect(state.schedules.map((s: any) => s.name)).toEqual(['primary', 'Database Ops']);
    }
    expect(JSON.stringify(await (await fetch(`${eventsUrl}/_sandbox/state`)).json())).not.toContain(PAGERDUTY_SANDBOX_ROUTING_KEY);
  });
});
