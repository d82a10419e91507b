/**
 * The PagerDuty adapter against the PagerDuty sandbox: who is on call (schedule by name or ID), paging through the
 * Events API with dedup_key = alias (a retried page is the same PagerDuty incident), the resolution, the severity
 * mapping, and every class of failure (what a retry can fix and what it cannot, Retry-After, the timeout).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { PagerDutyOnCall, type PagerDutyConfig } from '../../integrations/pagerduty/pagerduty-on-call.js';
import { createPagerDutySandbox, PAGERDUTY_SANDBOX_ROUTING_KEY } from '../../sandbox/pagerduty-sandbox.js';
import { failureOf } from '../helpers/integration-errors.js';

const sandbox = createPagerDutySandbox({
  apiTokens: ['pd-token'],
  schedules: [
    { id: 'PPRIMRY', name: 'Primary Ops', onCall: ['oscar@example.com'] },
    // A name that looks like a PagerDuty ID: found by name once no schedule has that ID.
    { name: 'PLATFORM', onCall: ['bob@example.com', 'carol@example.com', 'bob@example.com'] },
  ],
});
let urls: { apiUrl: string; eventsUrl: string };

const pagerDuty = (overrides: Partial<PagerDutyConfig> = {}) =>
  new PagerDutyOnCall({
    apiToken: 'pd-token',
    routingKey: PAGERDUTY_SANDBOX_ROUTING_KEY,
    apiUrl: urls.apiUrl,
    eventsUrl: urls.eventsUrl,
    defaultSchedule: 'Primary Ops',
    timeoutMs: 1_000,
    ...overrides,
  });

const page = (alias: string, message = '[sev1] Checkout is down', priority = 'P3') => ({ alias, message, description: 'Card payments fail', priority });

beforeAll(async () => {
  urls = await sandbox.start();
});
afterAll(() => sandbox.stop());
beforeEach(() => sandbox.reset());

describe('PagerDuty on-call adapter: who is on call', () => {
  it('tells who is on call for the default schedule, by name, by ID and by a name that only looks like an ID', async () => {
    expect(await pagerDuty().whoIsOnCall()).toEqual(['oscar@example.com']);
    expect(await pagerDuty().whoIsOnCall('primary ops')).toEqual(['oscar@example.com']);
    expect(await pagerDuty().whoIsOnCall('PPRIMRY')).toEqual(['oscar@example.com']);
    // Deduplicated, in PagerDuty's order.
    expect(await pagerDuty().whoIsOnCall('PLATFORM')).toEqual(['bob@example.com', 'carol@example.com']);

    const onCalls = sandbox.server.requestsTo('GET', /^\/oncalls$/).at(-1)!;
    expect(onCalls.query).toMatchObject({ 'schedule_ids[]': expect.stringMatching(/^P[A-Z0-9]{6}$/), earliest: 'true', 'include[]': 'users' });
    expect(onCalls.headers).toMatchObject({ authorization: 'Token [redacted]', accept: 'application/vnd.pagerduty+json;version=2' });
  });

  it("asks for a user's e-mail when the on-call entry names the user without it", async () => {
    // As if include[]=users were not honoured: the entries carry user references only.
    const realFetch = globalThis.fetch;
    const spy = vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => realFetch(String(input).replace('&include%5B%5D=users', ''), init));
    try {
      expect(await pagerDuty().whoIsOnCall('PLATFORM')).toEqual(['bob@example.com', 'carol@example.com']);
    } finally {
      spy.mockRestore();
    }
    expect(sandbox.server.requestsTo('GET', /^\/users\/P[A-Z0-9]{6}$/)).toHaveLength(3);
  });

  it('follows a handover', async () => {
    sandbox.setOnCall('Primary Ops', ['alice@example.com']);
    expect(await pagerDuty().whoIsOnCall()).toEqual(['alice@example.com']);
  });

  it("keeps a schedule's ID, not who is on call: the next lookup skips the schedule search and still sees a handover", async () => {
    const pd = pagerDuty();
    expect(await pd.whoIsOnCall('Primary Ops')).toEqual(['oscar@example.com']);
    sandbox.setOnCall('Primary Ops', ['alice@example.com']);
    expect(await pd.whoIsOnCall('Primary Ops')).toEqual(['alice@example.com']);
    expect(sandbox.server.requestsTo('GET', /^\/schedules/)).toHaveLength(1);
    expect(sandbox.server.requestsTo('GET', /^\/oncalls$/)).toHaveLength(2);
    // Another name is its own entry (looked up by ID first, as it looks like one, then by name).
    expect(await pd.whoIsOnCall('PLATFORM')).toEqual(['bob@example.com', 'carol@example.com']);
    expect(sandbox.server.requestsTo('GET', /^\/schedules/)).toHaveLength(3);
    expect(await pd.whoIsOnCall('PLATFORM')).toEqual(['bob@example.com', 'carol@example.com']);
    expect(sandbox.server.requestsTo('GET', /^\/schedules/)).toHaveLength(3);
  });

  it('looks the name up again once the ID is kept past its time, and at once when nobody is on call under it', async () => {
    const unkept = pagerDuty({ scheduleIdCacheMs: 0 });
    await unkept.whoIsOnCall('Primary Ops');
    await unkept.whoIsOnCall('Primary Ops');
    expect(sandbox.server.requestsTo('GET', /^\/schedules/)).toHaveLength(2);

    const pd = pagerDuty();
    await pd.whoIsOnCall('Primary Ops');
    expect(sandbox.server.requestsTo('GET', /^\/schedules/)).toHaveLength(3);
    // Nobody on call under the kept ID may mean the name now names another schedule: asked again, not trusted.
    sandbox.setOnCall('Primary Ops', []);
    expect(await pd.whoIsOnCall('Primary Ops')).toEqual([]);
    expect(sandbox.server.requestsTo('GET', /^\/schedules/)).toHaveLength(4);
    // And when PagerDuty refuses the kept ID (the schedule was deleted): looked up again, not a failed lookup.
    sandbox.setOnCall('Primary Ops', ['oscar@example.com']);
    sandbox.server.addFault({ path: '/oncalls', status: 404, times: 1 });
    expect(await pd.whoIsOnCall('Primary Ops')).toEqual(['oscar@example.com']);
    expect(sandbox.server.requestsTo('GET', /^\/schedules/)).toHaveLength(5);
    // A failure a retry can fix is not taken for a deleted schedule.
    sandbox.server.addFault({ path: '/oncalls', status: 503, times: 1 });
    expect(await failureOf(pd.whoIsOnCall('Primary Ops'))).toMatchObject({ retryable: true, kind: 'Unavailable' });
    expect(sandbox.server.requestsTo('GET', /^\/schedules/)).toHaveLength(5);
  });

  it('reports an unknown schedule, a missing one and a bad token as permanent', async () => {
    expect(await failureOf(pagerDuty().whoIsOnCall('Nope'))).toMatchObject({ system: 'oncall', retryable: false, kind: 'NotFound', message: 'PagerDuty has no schedule named or with ID "Nope"' });
    const withoutDefault = new PagerDutyOnCall({ apiToken: 'pd-token', routingKey: PAGERDUTY_SANDBOX_ROUTING_KEY, apiUrl: urls.apiUrl });
    expect(await failureOf(withoutDefault.whoIsOnCall())).toMatchObject({ retryable: false, kind: 'NotConfigured' });
    const unauthorized = await failureOf(pagerDuty({ apiToken: 'wrong' }).whoIsOnCall());
    expect(unauthorized).toMatchObject({ system: 'oncall', retryable: false, kind: 'Unauthorized', message: 'PagerDuty answered 401: Authentication failed (code 2006)' });
    expect(unauthorized.message).not.toContain('wrong');
  });

  it('reports a 429 as temporary with the wait Retry-After asks for, after one request', async () => {
    sandbox.server.addFault({ path: '/oncalls', status: 429, message: 'Rate Limit Exceeded', retryAfterSeconds: 7, times: 1 });
    const limited = await failureOf(pagerDuty().whoIsOnCall());
    expect(limited).toMatchObject({ retryable: true, kind: 'RateLimited', retryAfterMs: 7_000, message: 'PagerDuty answered 429: Rate Limit Exceeded (code 2020)' });
    expect(sandbox.server.requestsTo('GET', /^\/oncalls$/)).toHaveLength(1);
    expect(await pagerDuty().whoIsOnCall()).toEqual(['oscar@example.com']);
  });

  it('gives up on a slow answer at its timeout, and on 5xx and dropped connections at once, as temporary', async () => {
    sandbox.server.addFault({ path: '/schedules', latencyMs: 2_000, times: 1 });
    let started = Date.now();
    expect(await failureOf(pagerDuty({ timeoutMs: 300 }).whoIsOnCall())).toMatchObject({ retryable: true, kind: 'Timeout', message: 'PagerDuty did not answer in time' });
    expect(Date.now() - started).toBeLessThan(1_500);

    sandbox.server.addFault({ path: '/schedules', status: 503, times: 1 });
    started = Date.now();
    expect(await failureOf(pagerDuty().whoIsOnCall())).toMatchObject({ retryable: true, kind: 'Unavailable' });
    expect(Date.now() - started).toBeLessThan(1_000);

    sandbox.server.addFault({ path: '/schedules', drop: true, times: 1 });
    expect(await failureOf(pagerDuty().whoIsOnCall())).toMatchObject({ retryable: true, kind: 'NetworkError', message: expect.stringMatching(/^PagerDuty could not be reached/) });
  });
});

describe('PagerDuty on-call adapter: paging', () => {
  it('pages once per alias through the Events API, finds the page by its dedup key, and resolves it', async () => {
    const pd = pagerDuty();
    expect(await pd.findAlert('incident-abc')).toBeUndefined();
    const alert = await pd.createAlert(page('incident-abc'));
    const [incident] = sandbox.incidents();
    expect(alert).toEqual({ id: incident!.id, alias: 'incident-abc', status: 'open' });
    expect(incident).toMatchObject({
      incidentKey: 'incident-abc',
      title: '[sev1] Checkout is down',
      severity: 'critical',
      urgency: 'high',
      source: 'incident-collaboration',
      client: 'Incident Collaboration',
      customDetails: { description: 'Card payments fail', 'incident severity': 'sev1', priority: 'P3' },
      assignees: ['oscar@example.com'],
    });
    const [trigger] = sandbox.events.requestsTo('POST', /^\/v2\/enqueue$/);
    expect(trigger!.body).toMatchObject({ routing_key: PAGERDUTY_SANDBOX_ROUTING_KEY, event_action: 'trigger', dedup_key: 'incident-abc' });
    expect(await pd.findAlert('incident-abc')).toEqual({ id: incident!.id, alias: 'incident-abc', status: 'open' });

    // A retried page (its first answer lost) is the same PagerDuty incident.
    expect(await pd.createAlert(page('incident-abc'))).toEqual(alert);
    expect(sandbox.incidents()).toEqual([expect.objectContaining({ id: incident!.id, alertCount: 2 })]);

    await pd.closeAlert('incident-abc', 'Incident resolved.');
    expect(sandbox.incidents()[0]).toMatchObject({ status: 'resolved' });
    expect(sandbox.events.requestsTo('POST', /^\/v2\/enqueue$/).at(-1)!.body).toEqual({ routing_key: PAGERDUTY_SANDBOX_ROUTING_KEY, event_action: 'resolve', dedup_key: 'incident-abc' });
    expect(await pd.findAlert('incident-abc')).toEqual({ id: incident!.id, alias: 'incident-abc', status: 'closed' });
    // Resolving again is harmless: PagerDuty drops it.
    await pd.closeAlert('incident-abc', 'Incident resolved.');
    expect(sandbox.receivedEvents().map((e) => e.outcome)).toEqual(['created', 'deduplicated', 'resolved', 'dropped']);
  });

  it('maps the severity through the configured map, else through the playbook priority', async () => {
    const pd = pagerDuty({ severityMap: { major: 'critical', minor: 'info', p4: 'warning' } });
    await pd.createAlert(page('a', '[major] Everything is down'));
    await pd.createAlert(page('b', '[minor] A button is grey'));
    await pd.createAlert(page('c', '[sev9] Unknown level', 'P2'));
    await pd.createAlert(page('d', 'No tag at all', 'P4'));
    await pd.createAlert({ ...page('e', '[minor] Told apart', 'P5'), severity: 'major' });
    expect(sandbox.incidents().map((i) => [i.incidentKey, i.severity, i.urgency])).toEqual([
      ['a', 'critical', 'high'],
      ['b', 'info', 'low'],
      ['c', 'error', 'high'],
      ['d', 'warning', 'low'],
      ['e', 'critical', 'high'],
    ]);
    // The default map: sev1..sev4.
    await pagerDuty().createAlert(page('f', '[sev3] Slow'));
    expect(sandbox.incidents().at(-1)!.severity).toBe('warning');
  });

  it('reports a bad routing key as permanent and an Events API outage as temporary, after one request each', async () => {
    const refused = await failureOf(pagerDuty({ routingKey: 'x'.repeat(32) }).createAlert(page('incident-x')));
    expect(refused).toMatchObject({ retryable: false, kind: 'BadRequest', message: 'PagerDuty answered 400: Event object is invalid; Invalid routing key' });
    expect(refused.message).not.toContain('x'.repeat(32));

    sandbox.events.addFault({ method: 'POST', path: '/v2/enqueue', status: 429, retryAfterSeconds: 2, times: 1 });
    expect(await failureOf(pagerDuty().createAlert(page('incident-y')))).toMatchObject({ retryable: true, kind: 'RateLimited', retryAfterMs: 2_000 });
    sandbox.events.addFault({ method: 'POST', path: '/v2/enqueue', status: 502, times: 1 });
    expect(await failureOf(pagerDuty().closeAlert('incident-y', 'n'))).toMatchObject({ retryable: true, kind: 'Unavailable', message: 'PagerDuty answered 502: injected fault 502' });
    expect(sandbox.events.requestsTo('POST', /^\/v2\/enqueue$/).map((r) => r.status)).toEqual([400, 429, 502]);
    expect(sandbox.incidents()).toEqual([]);
  });

  it('still pages when the incident cannot be looked up right after the trigger, naming the page by its dedup key', async () => {
    sandbox.server.addFault({ path: '/incidents', status: 500, times: 1 });
    expect(await pagerDuty().createAlert(page('incident-z'))).toEqual({ id: 'incident-z', alias: 'incident-z', status: 'open' });
    expect(sandbox.incidents()).toHaveLength(1);
  });
});
