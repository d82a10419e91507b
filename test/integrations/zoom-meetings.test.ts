/** The Zoom adapter through Rivet against the Zoom sandbox: token handling, meetings, and every error class. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ZoomMeetings } from '../../integrations/zoom/zoom-meetings.js';
import { createZoomSandbox } from '../../sandbox/zoom-sandbox.js';
import { failureOf } from '../helpers/integration-errors.js';

const sandbox = createZoomSandbox({ users: ['host@example.com'] });
let url: string;
const zoom = (overrides: Partial<ConstructorParameters<typeof ZoomMeetings>[0]> = {}) =>
  new ZoomMeetings({ accountId: 'zoom-account', clientId: 'zoom-client', clientSecret: 'zoom-secret', apiUrl: `${url}/v2`, oauthUrl: url, hostUser: 'host@example.com', timeoutMs: 1_000, ...overrides });

beforeAll(async () => {
  url = await sandbox.server.start();
});
afterAll(() => sandbox.server.stop());
beforeEach(() => sandbox.server.reset());

describe('Zoom meeting adapter', () => {
  it('creates a meeting with the key in its agenda, finds it again, and reuses one token', async () => {
    const meetings = zoom();
    expect(await meetings.findMeetingByKey('abc:meeting')).toBeUndefined();
    const meeting = await meetings.createMeeting({ topic: 'Incident: DB down', agenda: 'Incident abc', key: 'abc:meeting' });
    expect(meeting.id).toMatch(/^\d{10,11}$/);
    expect(meeting.joinUrl).toMatch(/^http/);
    expect(await meetings.findMeetingByKey('abc:meeting')).toEqual(meeting);
    expect(await meetings.findMeetingByKey('other:meeting')).toBeUndefined();
    expect(sandbox.meetings()[0]).toMatchObject({ topic: 'Incident: DB down', hostEmail: 'host@example.com', agenda: 'Incident abc\n[abc:meeting]' });
    expect(meetings.tokens.fetched).toBe(1);
    expect(sandbox.tokensIssued()).toBe(1);
  });

  it('fetches a new token when the old one has expired, without failing the call', async () => {
    const meetings = zoom();
    await meetings.createMeeting({ topic: 't', agenda: 'a', key: 'k1' });
    sandbox.expireTokens();
    await meetings.createMeeting({ topic: 't', agenda: 'a', key: 'k2' });
    expect(meetings.tokens.fetched).toBe(2);
    expect(sandbox.meetings()).toHaveLength(2);
  });

  it('reports bad client credentials and an unknown host as permanent', async () => {
    expect(await failureOf(zoom({ clientSecret: 'wrong' }).createMeeting({ topic: 't', agenda: 'a', key: 'k' }))).toMatchObject({
      system: 'meetings',
      retryable: false,
      kind: 'Unauthorized',
    });
    const unknownHost = await failureOf(zoom({ hostUser: 'ghost@example.com' }).createMeeting({ topic: 't', agenda: 'a', key: 'k' }));
    expect(unknownHost).toMatchObject({ retryable: false, kind: 'NotFound' });
    expect(unknownHost.message).toMatch(/User does not exist/);
  });

  it('reports 429, 5xx, a dropped connection and a dead token endpoint as temporary', async () => {
    const meetings = zoom();
    sandbox.server.addFault({ method: 'POST', path: '/v2/users/.*/meetings', status: 429, times: 1 });
    expect(await failureOf(meetings.createMeeting({ topic: 't', agenda: 'a', key: 'k' }))).toMatchObject({ retryable: true, kind: 'RateLimited' });
    sandbox.server.addFault({ method: 'GET', path: '/v2/users/.*/meetings', status: 502, times: 1 });
    expect(await failureOf(meetings.findMeetingByKey('k'))).toMatchObject({ retryable: true, kind: 'Unavailable' });
    sandbox.server.addFault({ method: 'POST', path: '/v2/users/.*/meetings', drop: true, times: 1 });
    expect(await failureOf(meetings.createMeeting({ topic: 't', agenda: 'a', key: 'k' }))).toMatchObject({ retryable: true });
    sandbox.server.addFault({ path: '/oauth/token', status: 503, times: 1 });
    expect(await failureOf(zoom().createMeeting({ topic: 't', agenda: 'a', key: 'k' }))).toMatchObject({ retryable: true, kind: 'Unavailable' });
    expect(sandbox.meetings()).toEqual([]);
  });
});
