/** The Zoom adapter through Rivet against the Zoom sandbox: token handling, meetings, and every error class. */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMeetingActivities } from '../../activities/meetings.js';
import { ZoomMeetings } from '../../integrations/zoom/zoom-meetings.js';
import { createZoomSandbox } from '../../sandbox/zoom-sandbox.js';
import { failureOf } from '../helpers/integration-errors.js';

const sandbox = createZoomSandbox({ users: ['host@example.com', 'bridge@example.com'] });
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

  it('creates the meeting for the host the request names, and finds it again through that host only', async () => {
    const meetings = zoom();
    const meeting = await meetings.createMeeting({ topic: 'Incident: DB down', agenda: 'Incident abc', key: 'abc:meeting', host: 'bridge@example.com' });
    expect(sandbox.meetings()).toEqual([expect.objectContaining({ id: Number(meeting.id), hostEmail: 'bridge@example.com' })]);
    expect(await meetings.findMeetingByKey('abc:meeting', 'bridge@example.com')).toEqual(meeting);
    // The configured host (host@example.com) holds no such meeting.
    expect(await meetings.findMeetingByKey('abc:meeting')).toBeUndefined();
    await meetings.createMeeting({ topic: 't', agenda: 'a', key: 'default:meeting' });
    expect(sandbox.meetings().map((m) => m.hostEmail)).toEqual(['bridge@example.com', 'host@example.com']);
  });

  it('refuses a host Zoom does not know for good, naming the host, whether creating or looking up', async () => {
    const meetings = zoom();
    const refused = await failureOf(meetings.createMeeting({ topic: 't', agenda: 'a', key: 'k', host: 'ghost@example.com' }));
    expect(refused).toMatchObject({ system: 'meetings', retryable: false, kind: 'NotFound' });
    expect(refused.message).toBe('Zoom has no user "ghost@example.com" to host the meeting (Zoom answered 404: User does not exist: ghost@example.com.)');
    const lookup = await failureOf(meetings.findMeetingByKey('k', 'ghost@example.com'));
    expect(lookup).toMatchObject({ retryable: false, kind: 'NotFound' });
    expect(lookup.message).toContain('"ghost@example.com"');
    expect(sandbox.meetings()).toEqual([]);
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

const ignore = (): void => undefined;
const quiet = { log: ignore, trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore };

describe('startMeeting over the Zoom adapter', () => {
  it('starts the meeting under the named host, and a retry finds it there instead of making a second', async () => {
    const { startMeeting } = createMeetingActivities(zoom());
    const environment = new MockActivityEnvironment({}, { logger: quiet });
    const request = { key: 'h1:meeting', topic: 'Incident h1', agenda: 'Incident h1', host: 'bridge@example.com' };
    const started = (await environment.run(startMeeting, request)) as Awaited<ReturnType<typeof startMeeting>>;
    expect(started.reused).toBe(false);
    expect(await environment.run(startMeeting, request)).toEqual({ ...started, reused: true });
    expect(sandbox.meetings()).toEqual([expect.objectContaining({ id: Number(started.meetingId), hostEmail: 'bridge@example.com' })]);
  });

  it('fails for good, naming the host, when Zoom has no such user', async () => {
    const { startMeeting } = createMeetingActivities(zoom());
    const refused = await new MockActivityEnvironment({}, { logger: quiet })
      .run(startMeeting, { key: 'h2:meeting', topic: 't', agenda: 'a', host: 'ghost@example.com' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(refused).toBeInstanceOf(ApplicationFailure);
    expect(refused).toMatchObject({ nonRetryable: true, type: 'MeetingsNotFound' });
    expect((refused as Error).message).toContain('Zoom has no user "ghost@example.com" to host the meeting');
    expect(sandbox.meetings()).toEqual([]);
  });
});
