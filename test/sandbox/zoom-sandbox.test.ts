/**
 * The Zoom sandbox driven through the real @zoom/rivet MeetingsS2SAuthClient. Rivet's OAuth URL is hard-coded to
 * zoom.us, so the client gets a token store that fetches tokens from the sandbox itself, exactly as Rivet would
 * (workaround (b) of the integration notes); Rivet then never calls its own token endpoint.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MeetingsS2SAuthClient, isCoreError, type S2SAuthToken, type TokenStore } from '@zoom/rivet/meetings';
import { createZoomSandbox } from '../../sandbox/zoom-sandbox.js';

const credentials = { clientId: 'zoom-client', clientSecret: 'zoom-secret', accountId: 'zoom-account' };
const sandbox = createZoomSandbox({ users: ['host@example.com', 'second@example.com'] });

/** Fetches account_credentials tokens from the sandbox with Rivet's request shape; caches until 60 s before expiry. */
class SandboxTokenStore implements TokenStore<S2SAuthToken> {
  private cached: S2SAuthToken | undefined;
  constructor(private readonly oauthBaseUrl: string) {}

  async getLatestToken(): Promise<S2SAuthToken> {
    if (this.cached && Date.parse(this.cached.expirationTimeIso) - Date.now() > 60_000) return this.cached;
    const response = await fetch(`${this.oauthBaseUrl}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'account_credentials', account_id: credentials.accountId }),
    });
    if (!response.ok) throw new Error(`token request failed: ${response.status} ${await response.text()}`);
    const raw = (await response.json()) as { access_token: string; expires_in: number; scope: string };
    this.cached = { accessToken: raw.access_token, expirationTimeIso: new Date(Date.now() + raw.expires_in * 1000).toISOString(), scopes: raw.scope.split(' ') };
    return this.cached;
  }

  storeToken(token: S2SAuthToken): void {
    this.cached = token;
  }

  /** What an adapter does after a 401: forget the token so the next call fetches a fresh one. */
  clear(): void {
    this.cached = undefined;
  }
}

function clientWith(tokenStore: TokenStore<S2SAuthToken>): MeetingsS2SAuthClient {
  return new MeetingsS2SAuthClient({ ...credentials, disableReceiver: true, baseUrl: `${sandbox.server.url}/v2`, tokenStore });
}

/** Rivet types every reply body as optional; a reply without one is a failure here. */
function dataOf<T>(response: { data?: T | undefined }): T {
  expect(response.data).toBeDefined();
  return response.data as T;
}

async function rivetErrorOf(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => expect.fail('expected the call to be refused'),
    (e: unknown) => e,
  );
  expect(isCoreError(error, 'ApiResponseError')).toBe(true);
  return error as Error;
}

const tokenRequest = (init: { auth?: string; body?: string; query?: string }) =>
  fetch(`${sandbox.server.url}/oauth/token${init.query ?? ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(init.auth ? { authorization: init.auth } : {}) },
    body: init.body ?? '',
  });
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

let store: SandboxTokenStore;
let zoom: MeetingsS2SAuthClient;
beforeAll(async () => {
  await sandbox.server.start();
});
afterAll(() => sandbox.server.stop());
beforeEach(() => {
  sandbox.server.reset();
  store = new SandboxTokenStore(sandbox.server.url);
  zoom = clientWith(store);
});

const bridge = { topic: 'INC-1 bridge', type: 2 as const, start_time: '2026-01-01T10:00:00Z', duration: 60, timezone: 'UTC', agenda: 'db down', settings: { join_before_host: true, waiting_room: false } };

describe('zoom sandbox: meetings', () => {
  it('creates a meeting for a host e-mail (201, numeric 11-digit id, links, password) and reads it back', async () => {
    const created = await zoom.endpoints.meetings.createMeeting({ path: { userId: 'host@example.com' }, body: bridge });
    expect(created.statusCode).toBe(201);
    const meeting = dataOf(created) as Record<string, any>;
    expect(typeof meeting.id).toBe('number');
    expect(String(meeting.id)).toMatch(/^\d{11}$/);
    expect(meeting).toMatchObject({ topic: 'INC-1 bridge', host_email: 'host@example.com', type: 2, start_time: '2026-01-01T10:00:00Z', duration: 60, agenda: 'db down' });
    expect(meeting.settings).toMatchObject({ join_before_host: true, waiting_room: false, mute_upon_entry: false });
    expect(meeting.join_url).toMatch(/\/j\/\d{11}\?pwd=/);
    expect(meeting.start_url).toMatch(/\/s\/\d{11}\?zak=/);
    expect(meeting.password).toMatch(/^\w{6}$/);

    const read = await zoom.endpoints.meetings.getMeeting({ path: { meetingId: meeting.id } });
    expect(dataOf(read)).toMatchObject({ id: meeting.id, uuid: meeting.uuid, join_url: meeting.join_url, host_id: meeting.host_id });
    expect(sandbox.meetings()).toEqual([expect.objectContaining({ id: meeting.id, hostEmail: 'host@example.com', state: 'waiting' })]);
  });

  it("takes 'me' as the first user and an encoded e-mail", async () => {
    const mine = await zoom.endpoints.meetings.createMeeting({ path: { userId: 'me' }, body: { topic: 'mine' } });
    expect(dataOf(mine).host_email).toBe('host@example.com');
    const other = await zoom.endpoints.meetings.createMeeting({ path: { userId: encodeURIComponent('second@example.com') }, body: { topic: 'theirs' } });
    expect(dataOf(other).host_email).toBe('second@example.com');
  });

  it('answers an unknown user with 404/1001 and a too-long topic with 400/300', async () => {
    const unknown = await rivetErrorOf(zoom.endpoints.meetings.createMeeting({ path: { userId: 'nobody@example.com' }, body: bridge }));
    expect(unknown.message).toBe('[404/1001]: "User does not exist: nobody@example.com."');
    const long = await rivetErrorOf(zoom.endpoints.meetings.createMeeting({ path: { userId: 'me' }, body: { topic: 'x'.repeat(201) } }));
    expect(long.message).toBe('[400/300]: "Validation Failed."');
    expect(sandbox.meetings()).toEqual([]);
  });

  it("answers an unknown user's meeting list with 404/1001 too, naming the e-mail as sent (encoded or not)", async () => {
    const encoded = await rivetErrorOf(zoom.endpoints.meetings.listMeetings({ path: { userId: encodeURIComponent('ghost@example.com') }, query: { page_size: 30 } }));
    expect(encoded.message).toBe('[404/1001]: "User does not exist: ghost@example.com."');
    // E-mails match case-insensitively, as Zoom's do.
    const mixedCase = await zoom.endpoints.meetings.createMeeting({ path: { userId: encodeURIComponent('Second@Example.com') }, body: { topic: 'theirs' } });
    expect(dataOf(mixedCase).host_email).toBe('second@example.com');
  });

  it('lists a host meetings page by page (the idempotency lookup)', async () => {
    for (const topic of ['INC-1 bridge', 'INC-2 bridge', 'INC-3 bridge']) {
      await zoom.endpoints.meetings.createMeeting({ path: { userId: 'me' }, body: { topic, agenda: `incident:${topic.slice(0, 5)}` } });
    }
    await zoom.endpoints.meetings.createMeeting({ path: { userId: 'second@example.com' }, body: { topic: 'not theirs' } });

    const first = dataOf(await zoom.endpoints.meetings.listMeetings({ path: { userId: 'host@example.com' }, query: { page_size: 2 } }));
    expect(first).toMatchObject({ page_size: 2, total_records: 3 });
    expect(first.meetings?.map((m) => m.topic)).toEqual(['INC-1 bridge', 'INC-2 bridge']);
    expect(first.meetings?.[0]).toEqual(expect.objectContaining({ agenda: 'incident:INC-1', join_url: expect.any(String), uuid: expect.any(String), created_at: expect.any(String) }));
    expect(first.next_page_token).not.toBe('');

    const second = dataOf(await zoom.endpoints.meetings.listMeetings({ path: { userId: 'me' }, query: { page_size: 2, next_page_token: first.next_page_token as string } }));
    expect(second.meetings?.map((m) => m.topic)).toEqual(['INC-3 bridge']);
    expect(second.next_page_token).toBe('');
    const bad = await rivetErrorOf(zoom.endpoints.meetings.listMeetings({ path: { userId: 'me' }, query: { next_page_token: 'garbage' } }));
    expect(bad.message).toMatch(/^\[400\/300\]/);
  });

  it('ends a meeting (204) and deletes one (204, then 404/3001), refusing an unknown action', async () => {
    const meetingId = dataOf(await zoom.endpoints.meetings.createMeeting({ path: { userId: 'me' }, body: bridge })).id as number;
    const ended = await zoom.endpoints.meetings.updateMeetingStatus({ path: { meetingId }, body: { action: 'end' } });
    expect(ended.statusCode).toBe(204);
    expect(sandbox.meetings()[0]?.state).toBe('ended');
    const refused = await rivetErrorOf(zoom.endpoints.meetings.updateMeetingStatus({ path: { meetingId }, body: { action: 'pause' as 'end' } }));
    expect(refused.message).toBe('[400/300]: "Validation Failed."');

    expect((await zoom.endpoints.meetings.deleteMeeting({ path: { meetingId } })).statusCode).toBe(204);
    const gone = await rivetErrorOf(zoom.endpoints.meetings.getMeeting({ path: { meetingId } }));
    expect(gone.message).toBe(`[404/3001]: "Meeting does not exist: ${meetingId}."`);
    expect(dataOf(await zoom.endpoints.meetings.listMeetings({ path: { userId: 'me' } })).total_records).toBe(0);
    expect(sandbox.meetings()[0]?.state).toBe('deleted');
    await rivetErrorOf(zoom.endpoints.meetings.deleteMeeting({ path: { meetingId } }));
  });
});

describe('zoom sandbox: tokens', () => {
  it('issues one token for many calls; after expiry a call gets 401/124 until the store refetches', async () => {
    await zoom.endpoints.meetings.createMeeting({ path: { userId: 'me' }, body: { topic: 'a' } });
    await zoom.endpoints.meetings.listMeetings({ path: { userId: 'me' } });
    expect(sandbox.tokensIssued()).toBe(1);

    sandbox.expireTokens();
    const expired = await rivetErrorOf(zoom.endpoints.meetings.listMeetings({ path: { userId: 'me' } }));
    expect(expired.message).toBe('[401/124]: "Access token is expired."');

    store.clear();
    expect(dataOf(await zoom.endpoints.meetings.listMeetings({ path: { userId: 'me' } })).total_records).toBe(1);
    expect(sandbox.tokensIssued()).toBe(2);
  });

  it('expires tokens through the inspection API too', async () => {
    await zoom.endpoints.meetings.listMeetings({ path: { userId: 'me' } });
    const response = await fetch(`${sandbox.server.url}/_sandbox/expire-tokens`, { method: 'POST' });
    expect(await response.json()).toEqual({ expired: 1 });
    await rivetErrorOf(zoom.endpoints.meetings.listMeetings({ path: { userId: 'me' } }));
  });

  it('refuses an unknown bearer token with 401/124 (seeded token store)', async () => {
    const seeded = clientWith({
      getLatestToken: () => ({ accessToken: 'made-up', expirationTimeIso: new Date(Date.now() + 3_600_000).toISOString(), scopes: [] }),
      storeToken: () => undefined,
    });
    const error = await rivetErrorOf(seeded.endpoints.meetings.listMeetings({ path: { userId: 'me' } }));
    expect(error.message).toBe('[401/124]: "Invalid access token."');
  });

  it('checks client credentials, grant type and account id; takes the grant from the query string too', async () => {
    const wrong = await tokenRequest({ auth: basic('zoom-client', 'nope'), body: 'grant_type=account_credentials&account_id=zoom-account' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ reason: 'Invalid client_id or client_secret', error: 'invalid_client' });
    expect((await tokenRequest({ body: 'grant_type=account_credentials&account_id=zoom-account' })).status).toBe(401);
    expect((await tokenRequest({ auth: basic('zoom-client', 'zoom-secret'), body: 'grant_type=client_credentials&account_id=zoom-account' })).status).toBe(400);
    expect((await tokenRequest({ auth: basic('zoom-client', 'zoom-secret'), body: 'grant_type=account_credentials&account_id=other' })).status).toBe(400);
    expect(sandbox.tokensIssued()).toBe(0);

    const viaQuery = await tokenRequest({ auth: basic('zoom-client', 'zoom-secret'), query: '?grant_type=account_credentials&account_id=zoom-account' });
    expect(viaQuery.status).toBe(200);
    expect(await viaQuery.json()).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 3599,
      scope: 'meeting:write:meeting:admin meeting:read:meeting:admin',
      api_url: sandbox.server.url,
    });
    expect(sandbox.tokensIssued()).toBe(1);
  });
});

describe('zoom sandbox: faults', () => {
  it('injects a 429 in Zoom shape with Retry-After, then recovers', async () => {
    sandbox.server.addFault({ method: 'POST', path: '/v2/users/[^/]+/meetings', status: 429, times: 1, retryAfterSeconds: 1 });
    const limited = await rivetErrorOf(zoom.endpoints.meetings.createMeeting({ path: { userId: 'me' }, body: bridge }));
    expect(limited.message).toBe('[429/429]: "injected fault 429"');
    expect(sandbox.meetings()).toEqual([]);
    expect((await zoom.endpoints.meetings.createMeeting({ path: { userId: 'me' }, body: bridge })).statusCode).toBe(201);
    expect(sandbox.server.requestsTo('POST', /\/v2\/users\/me\/meetings$/).map((r) => r.status)).toEqual([429, 201]);
  });
});
