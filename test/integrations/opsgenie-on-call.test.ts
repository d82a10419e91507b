/** The Opsgenie adapter through opsgenie-sdk against the Opsgenie sandbox: on-call, paging, and every error class. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OpsgenieOnCall } from '../../integrations/opsgenie/opsgenie-on-call.js';
import { createOpsgenieSandbox } from '../../sandbox/opsgenie-sandbox.js';
import { failureOf } from '../helpers/integration-errors.js';

// opsgenie-sdk keeps one configuration per process, so every adapter here talks to this one sandbox.
const sandbox = createOpsgenieSandbox({ apiKeys: ['og-key'], schedules: [{ id: 'sched-1', name: 'Primary Ops', onCall: ['oscar@example.com'] }] });
let url: string;
const opsgenie = (apiKey = 'og-key') => new OpsgenieOnCall({ apiKey, url, defaultSchedule: 'Primary Ops', timeoutMs: 1_000 });

beforeAll(async () => {
  url = await sandbox.server.start();
});
afterAll(() => sandbox.server.stop());
beforeEach(() => sandbox.server.reset());

describe('Opsgenie on-call adapter', () => {
  it('tells who is on call for a named or the default schedule', async () => {
    expect(await opsgenie().whoIsOnCall()).toEqual(['oscar@example.com']);
    expect(await opsgenie().whoIsOnCall('Primary Ops')).toEqual(['oscar@example.com']);
    expect(sandbox.server.requests.at(-1)?.path).toBe('/v2/schedules/Primary%20Ops/on-calls');
  });

  it('pages with an alias, finds the alert by alias, and closes it', async () => {
    const og = opsgenie();
    expect(await og.findAlert('incident-abc')).toBeUndefined();
    const alert = await og.createAlert({ alias: 'incident-abc', message: '[sev1] DB down', description: 'd', priority: 'P1' });
    expect(alert).toMatchObject({ alias: 'incident-abc', status: 'open' });
    expect(await og.findAlert('incident-abc')).toEqual({ id: alert.id, alias: 'incident-abc', status: 'open' });
    expect(sandbox.alerts()[0]).toMatchObject({ message: '[sev1] DB down', priority: 'P1', source: 'incident-collaboration' });
    await og.closeAlert('incident-abc', 'resolved');
    expect(sandbox.alerts()[0]!.status).toBe('closed');
  });

  it('reports a bad key and an unknown schedule as permanent', async () => {
    expect(await failureOf(opsgenie('wrong').whoIsOnCall())).toMatchObject({ system: 'oncall', retryable: false, kind: 'Unauthorized' });
    expect(await failureOf(opsgenie().whoIsOnCall('Nope'))).toMatchObject({ retryable: false, kind: 'NotFound' });
    const invalid = await failureOf(opsgenie().createAlert({ alias: 'a', message: '', description: '', priority: 'P3' }));
    expect(invalid).toMatchObject({ retryable: false, kind: 'Unprocessable' });
  });

  it('fails fast on 5xx and a dropped connection (one attempt, Temporal retries), as temporary', async () => {
    sandbox.server.addFault({ path: '/v2/schedules/.*', status: 503, times: 5 });
    const started = Date.now();
    expect(await failureOf(opsgenie().whoIsOnCall())).toMatchObject({ retryable: true, kind: 'Unavailable' });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(sandbox.server.requestsTo('GET', /^\/v2\/schedules\//)).toHaveLength(1);
    sandbox.server.clearFaults();
    sandbox.server.addFault({ path: '/v2/alerts/?', drop: true, times: 1 });
    expect(await failureOf(opsgenie().createAlert({ alias: 'b', message: 'm', description: '', priority: 'P3' }))).toMatchObject({ retryable: true });
  });
});
