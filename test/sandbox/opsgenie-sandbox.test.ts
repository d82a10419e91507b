/**
 * The Opsgenie sandbox driven through the real opsgenie-sdk (alerts) and its internal restApi (on-call, which the SDK
 * lacks). Every call passes `{ maxAttempts: 1 }`: the SDK ignores a configured retry policy and would otherwise retry
 * 5xx answers five times, 5 s apart.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOpsgenieSandbox } from '../../sandbox/opsgenie-sandbox.js';

type Callback = (error: any, result: any) => void;
type Identifier = { identifier: string; identifierType: 'id' | 'alias' | 'tiny' };
interface OpsgenieSdk {
  configure(options: { api_key?: string; host?: string }): void;
  alertV2: {
    create(data: object, config: object, cb: Callback): void;
    get(identifier: Identifier, config: object, cb: Callback): void;
    getRequestStatus(requestId: string, config: object, cb: Callback): void;
    close(identifier: Identifier, data: object, config: object, cb: Callback): void;
    addNote(identifier: Identifier, data: object, config: object, cb: Callback): void;
  };
}

// The SDK is CommonJS without type declarations; the deep import of restApi is what adapters use for on-call.
const require = createRequire(import.meta.url);
const opsgenie = require('opsgenie-sdk') as OpsgenieSdk;
const restApi = require('opsgenie-sdk/lib/restApi') as { get(path: string, config: object, cb: Callback): void };

const sandbox = createOpsgenieSandbox({
  schedules: [
    { id: 'sched-primary', name: 'primary', onCall: ['oscar@example.com'] },
    { id: 'sched-db', name: 'Database Ops', onCall: ['dana@example.com', 'dave@example.com'] },
  ],
});

/** A fresh per-call config each time: the SDK merges its headers into the object it is given. */
const once = () => ({ maxAttempts: 1 });

function call<T = any>(invoke: (cb: Callback) => void): Promise<T> {
  return new Promise((resolve, reject) => invoke((error, result) => (error ? reject(error) : resolve(result))));
}

async function errorOf(promise: Promise<unknown>): Promise<any> {
  return promise.then(
    () => expect.fail('expected the call to be refused'),
    (error: unknown) => error,
  );
}

const create = (data: object) => call((cb) => opsgenie.alertV2.create(data, once(), cb));
const requestStatus = (requestId: string) => call((cb) => opsgenie.alertV2.getRequestStatus(requestId, once(), cb));
const getAlert = (identifier: string, identifierType: Identifier['identifierType']) =>
  call((cb) => opsgenie.alertV2.get({ identifier, identifierType }, once(), cb));
const onCall = (path: string) => call((cb) => restApi.get(path, once(), cb));

/** Creates an alert and follows its request id to the alert id, as the adapter must (creation is asynchronous). */
async function createAndResolve(data: object): Promise<string> {
  const accepted = await create(data);
  return (await requestStatus(accepted.requestId)).data.alertId;
}

beforeAll(async () => {
  await sandbox.server.start();
  opsgenie.configure({ api_key: 'og-key', host: sandbox.server.url });
});
afterAll(() => sandbox.server.stop());
beforeEach(() => sandbox.server.reset());

describe('opsgenie sandbox: alerts', () => {
  it('accepts a create on /v2/alerts/ (202) whose request id resolves to the alert', async () => {
    const accepted = await create({ message: 'INC-1 database down', alias: 'incident-1', priority: 'P1', tags: ['incident'], details: { channel: 'inc-1' } });
    expect(accepted).toEqual({ result: 'Request will be processed', took: expect.any(Number), requestId: expect.any(String) });
    expect(sandbox.server.requestsTo('POST', /^\/v2\/alerts\/$/)[0]?.status).toBe(202);

    const status = await requestStatus(accepted.requestId);
    expect(status.data).toMatchObject({ success: true, isSuccess: true, action: 'Create', status: 'Created alert', alias: 'incident-1', alertId: expect.any(String) });

    const byId = await getAlert(status.data.alertId, 'id');
    expect(byId.data).toMatchObject({ id: status.data.alertId, tinyId: '1', alias: 'incident-1', message: 'INC-1 database down', status: 'open', acknowledged: false, count: 1, priority: 'P1', tags: ['incident'] });
    expect(byId.data.details).toEqual({ channel: 'inc-1' });
    expect((await getAlert('1', 'tiny')).data.id).toBe(status.data.alertId);
  });

  it('defaults the priority to P3', async () => {
    await create({ message: 'no priority' });
    expect(sandbox.alerts()[0]?.priority).toBe('P3');
  });

  it('deduplicates an open alert with the same alias, and finds it by alias (the idempotency lookup)', async () => {
    const first = await createAndResolve({ message: 'INC-2 down', alias: 'incident-2' });
    const second = await createAndResolve({ message: 'INC-2 down again', alias: 'incident-2' });
    expect(second).toBe(first);
    const byAlias = await getAlert('incident-2', 'alias');
    expect(byAlias.data).toMatchObject({ id: first, count: 2, message: 'INC-2 down' });
    expect(sandbox.alerts()).toHaveLength(1);
  });

  it('closes an alert by alias (202), after which the alias is free and a new create makes a new alert', async () => {
    const id = await createAndResolve({ message: 'INC-3 down', alias: 'incident-3' });
    const closed = await call((cb) => opsgenie.alertV2.close({ identifier: 'incident-3', identifierType: 'alias' }, { note: 'resolved' }, once(), cb));
    expect(closed.result).toBe('Request will be processed');
    expect((await requestStatus(closed.requestId)).data).toMatchObject({ action: 'Close', alertId: id });
    expect((await getAlert(id, 'id')).data.status).toBe('closed');
    expect((await errorOf(getAlert('incident-3', 'alias'))).httpStatusCode).toBe(404);

    const reopened = await createAndResolve({ message: 'INC-3 down again', alias: 'incident-3' });
    expect(reopened).not.toBe(id);
    expect(sandbox.alerts().map((a) => [a.status, a.count])).toEqual([['closed', 1], ['open', 1]]);
    expect(sandbox.alerts()[0]?.notes.map((n) => n.note)).toEqual(['resolved']);
  });

  it('adds notes (202) and refuses an empty one (422)', async () => {
    const id = await createAndResolve({ message: 'INC-4 down', alias: 'incident-4' });
    const added = await call((cb) => opsgenie.alertV2.addNote({ identifier: id, identifierType: 'id' }, { note: 'Commander: alice', user: 'bot' }, once(), cb));
    expect(added.result).toBe('Request will be processed');
    expect(sandbox.alerts()[0]?.notes).toEqual([{ note: 'Commander: alice', user: 'bot', createdAt: expect.any(String) }]);
    const empty = await errorOf(call((cb) => opsgenie.alertV2.addNote({ identifier: id, identifierType: 'id' }, { note: '' }, once(), cb)));
    expect(empty).toMatchObject({ httpStatusCode: 422, errors: { note: expect.any(String) } });
  });

  it('refuses invalid creates with 422 {message, took, requestId}, creating nothing', async () => {
    const missing = await errorOf(create({ alias: 'x' }));
    expect(missing).toEqual({
      message: 'Request body is not processable. Please check the errors.',
      errors: { message: 'Message can not be empty.' },
      took: expect.any(Number),
      requestId: expect.any(String),
      httpStatusCode: 422,
    });
    expect((await errorOf(create({ message: 'x'.repeat(131) }))).errors).toHaveProperty('message');
    expect((await errorOf(create({ message: 'ok', alias: 'a'.repeat(513) }))).errors).toHaveProperty('alias');
    expect((await errorOf(create({ message: 'ok', priority: 'P9' }))).errors).toHaveProperty('priority');
    expect(sandbox.alerts()).toEqual([]);
  });

  it('answers unknown alerts and request ids with 404 JSON bodies', async () => {
    const unknown = await errorOf(getAlert('no-such-id', 'id'));
    expect(unknown).toEqual({ message: 'Alert does not exist', took: expect.any(Number), requestId: expect.any(String), httpStatusCode: 404 });
    expect((await errorOf(requestStatus('no-such-request'))).httpStatusCode).toBe(404);
    const close = await errorOf(call((cb) => opsgenie.alertV2.close({ identifier: 'nope', identifierType: 'alias' }, {}, once(), cb)));
    expect(close).toMatchObject({ httpStatusCode: 404, message: 'Alert does not exist' });
  });
});

describe('opsgenie sandbox: who is on call', () => {
  it('answers flat by name and with participants by id', async () => {
    const flat = await onCall(`/v2/schedules/${encodeURIComponent('Database Ops')}/on-calls?scheduleIdentifierType=name&flat=true`);
    expect(flat.data).toEqual({ _parent: { id: 'sched-db', name: 'Database Ops', enabled: true }, onCallRecipients: ['dana@example.com', 'dave@example.com'] });
    const full = await onCall('/v2/schedules/sched-primary/on-calls?scheduleIdentifierType=id&flat=false');
    expect(full.data.onCallParticipants).toEqual([{ id: expect.any(String), name: 'oscar@example.com', type: 'user' }]);
    expect(full.data._parent.name).toBe('primary');
  });

  it('follows a handover and answers an unknown schedule with a 404 JSON body', async () => {
    sandbox.setOnCall('primary', ['pat@example.com']);
    expect((await onCall('/v2/schedules/primary/on-calls?scheduleIdentifierType=name&flat=true')).data.onCallRecipients).toEqual(['pat@example.com']);
    const missing = await errorOf(onCall('/v2/schedules/ghost/on-calls?scheduleIdentifierType=name&flat=true'));
    expect(missing).toMatchObject({ httpStatusCode: 404, message: 'No schedule exists with name [ghost]' });
  });
});

describe('opsgenie sandbox: auth and faults', () => {
  it('answers a wrong or missing GenieKey with 401 and a JSON body', async () => {
    opsgenie.configure({ api_key: 'wrong-key' });
    try {
      const refused = await errorOf(create({ message: 'x' }));
      expect(refused).toMatchObject({ httpStatusCode: 401, message: 'Could not authenticate', requestId: expect.any(String) });
    } finally {
      opsgenie.configure({ api_key: 'og-key' });
    }
    const bare = await fetch(`${sandbox.server.url}/v2/alerts/x`);
    expect(bare.status).toBe(401);
    expect(((await bare.json()) as any).message).toBe('Could not authenticate');
    expect(sandbox.alerts()).toEqual([]);
  });

  it('injects a 503 in Opsgenie shape that reaches the SDK once with maxAttempts 1', async () => {
    sandbox.server.addFault({ method: 'POST', path: '/v2/alerts/?', status: 503, times: 1, retryAfterSeconds: 1 });
    const failed = await errorOf(create({ message: 'during outage', alias: 'incident-5' }));
    expect(failed).toMatchObject({ httpStatusCode: 503, message: 'injected fault 503', requestId: expect.any(String) });
    expect(sandbox.server.requestsTo('POST', /^\/v2\/alerts\/$/)).toHaveLength(1);
    expect(sandbox.alerts()).toEqual([]);
  });

  it('lets an explicit per-call retry policy ride out a one-off fault', async () => {
    sandbox.server.addFault({ method: 'POST', path: '/v2/alerts/?', status: 502, times: 1 });
    const accepted = await call((cb) => opsgenie.alertV2.create({ message: 'retried', alias: 'incident-6' }, { maxAttempts: 2, retryDelay: 10 }, cb));
    expect(accepted.result).toBe('Request will be processed');
    expect(sandbox.server.requestsTo('POST', /^\/v2\/alerts\/$/).map((r) => r.status)).toEqual([502, 202]);
    expect(sandbox.alerts()).toHaveLength(1);
  });
});
