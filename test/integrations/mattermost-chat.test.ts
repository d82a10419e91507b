/** The Mattermost adapter through Client4 against the Mattermost sandbox: the happy path and every error class. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MattermostChat } from '../../integrations/mattermost/mattermost-chat.js';
import { createMattermostSandbox } from '../../sandbox/mattermost-sandbox.js';
import { failureOf } from '../helpers/integration-errors.js';

const sandbox = createMattermostSandbox();
let chat: MattermostChat;

beforeAll(async () => {
  const url = await sandbox.server.start();
  chat = new MattermostChat({ url, token: 'mm-bot-token', timeoutMs: 1_000 });
});
afterAll(() => sandbox.server.stop());
beforeEach(() => sandbox.server.reset());

describe('Mattermost chat adapter', () => {
  it('creates a channel, finds it by name, adds members, posts, pins and sets the header', async () => {
    expect(await chat.findChannelByName('default', 'incident-abc-db-down')).toBeUndefined();
    const channel = await chat.createChannel({ team: 'default', name: 'incident-abc-db-down', displayName: 'DB down', purpose: 'Incident abc', private: true });
    expect(channel).toMatchObject({ name: 'incident-abc-db-down', displayName: 'DB down', private: true });
    expect(await chat.findChannelByName('default', 'incident-abc-db-down')).toEqual(channel);

    expect(await chat.addChannelMembers(channel.id, ['alice', 'oscar', 'nobody'])).toEqual({ added: ['alice', 'oscar'], missing: ['nobody'] });
    const members = sandbox.members(channel.id);
    expect(members).toContain(sandbox.userId('alice'));
    expect(members).toContain(sandbox.userId('oscar'));

    expect(await chat.findPostByKey(channel.id, 'abc:checklistPost')).toBeUndefined();
    const post = await chat.createPost(channel.id, '#### Checklist', 'abc:checklistPost');
    await chat.createPost(channel.id, 'something else', 'abc:notice:1');
    expect(await chat.findPostByKey(channel.id, 'abc:checklistPost')).toEqual(post);
    await chat.pinPost(post.id);
    expect(sandbox.posts(channel.id).find((p) => p.id === post.id)?.is_pinned).toBe(true);

    await chat.setChannelHeader(channel.id, 'Commander: @alice');
    expect(sandbox.channels().find((c) => c.id === channel.id)?.header).toBe('Commander: @alice');
  });

  it('maps on-call e-mail addresses to usernames', async () => {
    expect(await chat.usernamesForEmails(['oscar@example.com', 'stranger@example.com'])).toEqual({
      found: ['oscar'],
      missing: ['stranger@example.com'],
    });
  });

  it('classifies a refused request as permanent, with the server message', async () => {
    const error = await failureOf(chat.createChannel({ team: 'default', name: 'Bad Name!', displayName: 'x', purpose: '', private: false }));
    expect(error).toMatchObject({ system: 'chat', retryable: false, kind: 'BadRequest' });
    expect(error.message).toMatch(/^Mattermost answered 400: /);
    const unknownTeam = await failureOf(chat.findChannelByName('no-such-team', 'x'));
    expect(unknownTeam).toMatchObject({ retryable: false, kind: 'TeamNotFound', message: 'Mattermost has no team named "no-such-team" (or the bot is not in it)' });
  });

  it('classifies bad credentials as permanent', async () => {
    const stranger = new MattermostChat({ url: sandbox.server.url, token: 'wrong', timeoutMs: 1_000 });
    expect(await failureOf(stranger.findChannelByName('default', 'x'))).toMatchObject({ retryable: false, kind: 'Unauthorized' });
  });

  it('keeps Retry-After of a 429, and treats 5xx as temporary', async () => {
    sandbox.server.addFault({ method: 'POST', path: '/api/v4/channels', status: 429, retryAfterSeconds: 2, times: 1 });
    const limited = await failureOf(chat.createChannel({ team: 'default', name: 'incident-x', displayName: 'x', purpose: '', private: false }));
    expect(limited).toMatchObject({ retryable: true, kind: 'RateLimited', retryAfterMs: 2_000 });
    sandbox.server.addFault({ method: 'PUT', path: '/api/v4/channels/[^/]+/patch', status: 503, times: 1 });
    const channel = await chat.createChannel({ team: 'default', name: 'incident-x', displayName: 'x', purpose: '', private: false });
    expect(await failureOf(chat.setChannelHeader(channel.id, 'h'))).toMatchObject({ retryable: true, kind: 'Unavailable' });
  });

  it('treats a dropped connection and a slow answer as temporary', async () => {
    sandbox.server.addFault({ path: '/api/v4/teams/[^/]+/channels/name/.*', drop: true, times: 1 });
    expect(await failureOf(chat.findChannelByName('default', 'x'))).toMatchObject({ retryable: true, kind: 'NetworkError' });
    sandbox.server.addFault({ path: '/api/v4/users/usernames', latencyMs: 1_500, times: 1 });
    expect(await failureOf(chat.addChannelMembers('whatever', ['alice']))).toMatchObject({ retryable: true, kind: 'Timeout' });
  });
});
