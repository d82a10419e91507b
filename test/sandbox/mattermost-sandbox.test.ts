/**
 * The Mattermost sandbox, driven through the real @mattermost/client (Client4) so that every route is checked against
 * the requests the client really makes and the replies it can really parse.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mm, { ClientError } from '@mattermost/client';
import { createMattermostSandbox } from '../../sandbox/mattermost-sandbox.js';

// Under native ESM the CommonJS package only exposes Client4 on its default export.
const { Client4 } = mm;

/** Client4 has no call for opening a dialog; the integration subclasses it the same way. */
class SandboxClient extends Client4 {
  openDialog(request: { trigger_id: string; url: string; dialog: object }) {
    return this.doFetch<{ status: string }>(`${this.getBaseRoute()}/actions/dialogs/open`, { method: 'post', body: JSON.stringify(request) });
  }
}

const sandbox = createMattermostSandbox({
  tokens: { 'mm-bot-token': 'incident-bot', 'alice-token': 'alice', 'bob-token': 'bob', 'helper-token': 'helper-bot' },
  users: [
    { username: 'incident-bot', isBot: true, systemAdmin: true },
    { username: 'helper-bot', isBot: true },
    { username: 'alice' },
    { username: 'bob', email: 'Bob.Builder@example.org' },
    { username: 'carol' },
  ],
});

function clientFor(token?: string): SandboxClient {
  const client = new SandboxClient();
  client.setUrl(sandbox.server.url);
  client.setIncludeCookies(false);
  if (token) client.setToken(token);
  return client;
}

/** Resolves to the ClientError the call rejects with; fails the test when it resolves or throws something else. */
async function failure(call: Promise<unknown>): Promise<ClientError> {
  const outcome = await call.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a ClientError, got ${JSON.stringify(outcome.value)}`);
  if (!(outcome.error instanceof ClientError)) throw outcome.error;
  return outcome.error;
}

let bot: SandboxClient;
let alice: SandboxClient;
let helper: SandboxClient;
let teamId: string;
let uniqueName = 0;
const nextName = (prefix: string) => `${prefix}-${++uniqueName}`;

async function publicChannel(client = bot, prefix = 'inc') {
  const name = nextName(prefix);
  return client.createChannel({ team_id: teamId, name, display_name: name.toUpperCase(), type: 'O' } as never);
}

beforeAll(async () => {
  await sandbox.server.start({ port: 0 });
  bot = clientFor('mm-bot-token');
  alice = clientFor('alice-token');
  helper = clientFor('helper-token');
  teamId = sandbox.teamId('default');
});
afterAll(() => sandbox.server.stop());

describe('Mattermost sandbox: auth', () => {
  it('rejects a missing or unknown token with a 401 AppError', async () => {
    const missing = await failure(clientFor().getMe());
    expect(missing.status_code).toBe(401);
    expect(missing.server_error_id).toBe('api.context.session_expired.app_error');
    expect((await failure(clientFor('wrong-token').getMe())).status_code).toBe(401);
  });

  it('accepts the bearer scheme in any case', async () => {
    const response = await fetch(`${sandbox.server.url}/api/v4/users/me`, { headers: { authorization: 'bearer alice-token' } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { username: string }).username).toBe('alice');
  });
});

describe('Mattermost sandbox: users and teams', () => {
  it('describes the session user, a system-admin bot', async () => {
    const me = await bot.getMe();
    expect(me).toMatchObject({ username: 'incident-bot', is_bot: true, roles: 'system_admin system_user', delete_at: 0 });
    expect(me.id).toMatch(/^[a-z0-9]{26}$/);
    expect(me.id).toBe(sandbox.userId('incident-bot'));
    expect((await alice.getMe()).roles).toBe('system_user');
  });

  it('looks users up by id, username and e-mail', async () => {
    const aliceId = sandbox.userId('alice');
    expect((await bot.getUser(aliceId)).username).toBe('alice');
    expect((await bot.getUserByUsername('alice')).email).toBe('alice@example.com');
    expect((await bot.getUserByEmail('bob.builder@example.org')).username).toBe('bob');
    expect((await failure(bot.getUserByUsername('nobody'))).status_code).toBe(404);
    expect((await failure(bot.getUser('not-an-id'))).status_code).toBe(400);
  });

  it('resolves many users at once, leaving unknown ones out', async () => {
    const byName = await bot.getProfilesByUsernames(['alice', 'nobody', 'bob']);
    expect(byName.map((user) => user.username).sort()).toEqual(['alice', 'bob']);
    const byId = await bot.getProfilesByIds([sandbox.userId('carol'), 'zzzzzzzzzzzzzzzzzzzzzzzzzz']);
    expect(byId.map((user) => user.username)).toEqual(['carol']);
  });

  it('finds teams by name and id, and a user\'s teams', async () => {
    const team = await bot.getTeamByName('default');
    expect(team.id).toBe(teamId);
    expect((await bot.getTeam(teamId)).name).toBe('default');
    expect((await bot.getTeamsForUser(sandbox.userId('alice'))).map((t) => t.name)).toEqual(['default']);
    expect((await failure(bot.getTeamByName('elsewhere'))).status_code).toBe(404);
    // Only the user or an admin may list someone's teams.
    expect((await failure(alice.getTeamsForUser(sandbox.userId('bob')))).status_code).toBe(403);
  });
});

describe('Mattermost sandbox: channels', () => {
  it('creates public and private channels with the creator as a member', async () => {
    const open = await bot.createChannel({ team_id: teamId, name: 'inc-public', display_name: 'INC public', type: 'O', purpose: 'p', header: 'h' } as never);
    expect(open).toMatchObject({ team_id: teamId, name: 'inc-public', type: 'O', purpose: 'p', header: 'h', delete_at: 0, creator_id: sandbox.userId('incident-bot') });
    expect(open.id).toMatch(/^[a-z0-9]{26}$/);
    const closed = await bot.createChannel({ team_id: teamId, name: 'inc-private', display_name: 'INC private', type: 'P' } as never);
    expect(closed.type).toBe('P');
    expect(sandbox.members(closed.id)).toEqual([sandbox.userId('incident-bot')]);
    expect(sandbox.channels().map((c) => c.name)).toEqual(expect.arrayContaining(['inc-public', 'inc-private']));
  });

  it('refuses a duplicate name in the team with the store error id', async () => {
    const { name } = await publicChannel();
    const duplicate = await failure(bot.createChannel({ team_id: teamId, name, display_name: 'again', type: 'P' } as never));
    expect(duplicate.status_code).toBe(400);
    expect(duplicate.server_error_id).toBe('store.sql_channel.save_channel.exists.app_error');
  });

  it('validates names, display names, type, purpose and team', async () => {
    const attempt = (overrides: Record<string, unknown>) =>
      failure(bot.createChannel({ team_id: teamId, name: nextName('ok'), display_name: 'ok', type: 'O', ...overrides } as never));
    expect((await attempt({ name: 'Upper-Case' })).server_error_id).toBe('model.channel.is_valid.name.app_error');
    expect((await attempt({ name: 'a__b' })).server_error_id).toBe('model.channel.is_valid.name.app_error');
    expect((await attempt({ name: 'x'.repeat(65) })).server_error_id).toBe('model.channel.is_valid.name.app_error');
    expect((await attempt({ display_name: '' })).server_error_id).toBe('model.channel.is_valid.display_name.app_error');
    expect((await attempt({ type: 'D' })).server_error_id).toBe('model.channel.is_valid.type.app_error');
    expect((await attempt({ purpose: 'p'.repeat(251) })).server_error_id).toBe('model.channel.is_valid.purpose.app_error');
    expect((await attempt({ team_id: 'zzzzzzzzzzzzzzzzzzzzzzzzzz' })).status_code).toBe(404);
    // 64 characters is still a valid name.
    expect((await bot.createChannel({ team_id: teamId, name: 'y'.repeat(64), display_name: 'long', type: 'O' } as never)).name).toHaveLength(64);
  });

  it('gets a channel by name, or a 404 AppError when there is none', async () => {
    const channel = await publicChannel();
    expect((await bot.getChannelByName(teamId, channel.name)).id).toBe(channel.id);
    const missing = await failure(bot.getChannelByName(teamId, 'no-such-channel'));
    expect(missing.status_code).toBe(404);
    expect(missing.server_error_id).toBe('app.channel.get_by_name.missing.app_error');
  });

  it('patches the header and refuses one over 1024 characters', async () => {
    const channel = await publicChannel();
    const patched = await bot.patchChannel(channel.id, { header: 'Commander: @alice' });
    expect(patched.header).toBe('Commander: @alice');
    expect(patched.update_at).toBeGreaterThan(channel.update_at);
    const tooLong = await failure(bot.patchChannel(channel.id, { header: 'h'.repeat(1025) }));
    expect(tooLong.status_code).toBe(400);
    expect(tooLong.server_error_id).toBe('model.channel.is_valid.header.app_error');
    expect((await bot.getChannel(channel.id)).header).toBe('Commander: @alice');
  });

  it('archives a channel: reads still work, posting and lookups by name do not', async () => {
    const channel = await publicChannel();
    expect(await bot.deleteChannel(channel.id)).toEqual({ status: 'OK' });
    expect((await bot.getChannel(channel.id)).delete_at).toBeGreaterThan(0);
    expect((await failure(bot.getChannelByName(teamId, channel.name))).status_code).toBe(404);
    expect((await bot.getChannelByName(teamId, channel.name, true)).id).toBe(channel.id);
    const post = await failure(bot.createPost({ channel_id: channel.id, message: 'late' } as never));
    expect(post.status_code).toBe(400);
    expect((await failure(bot.deleteChannel(channel.id))).status_code).toBe(400);
  });
});

describe('Mattermost sandbox: channel members', () => {
  it('adds one member, many members, and refuses unknown users', async () => {
    const channel = await publicChannel();
    const [aliceId, bobId, carolId] = ['alice', 'bob', 'carol'].map((name) => sandbox.userId(name));
    const one = await bot.addToChannel(aliceId!, channel.id);
    expect(one).toMatchObject({ channel_id: channel.id, user_id: aliceId, roles: 'channel_user' });
    const many = await bot.addToChannels([bobId!, carolId!, aliceId!], channel.id);
    expect(many.map((member) => member.user_id)).toEqual([bobId, carolId, aliceId]);
    expect(sandbox.members(channel.id)).toEqual([sandbox.userId('incident-bot'), aliceId, bobId, carolId]);
    const unknown = await failure(bot.addToChannel('zzzzzzzzzzzzzzzzzzzzzzzzzz', channel.id));
    expect(unknown.status_code).toBe(404);
    expect((await failure(bot.addToChannel('alice', channel.id))).status_code).toBe(400);
  });

  it('reads members one at a time and by page, and removes them', async () => {
    const channel = await publicChannel();
    const aliceId = sandbox.userId('alice');
    await bot.addToChannels([aliceId, sandbox.userId('bob')], channel.id);
    expect((await bot.getChannelMember(channel.id, aliceId)).user_id).toBe(aliceId);
    expect(await bot.getChannelMembers(channel.id, 0, 2)).toHaveLength(2);
    expect(await bot.getChannelMembers(channel.id, 1, 2)).toHaveLength(1);
    expect(await bot.removeFromChannel(aliceId, channel.id)).toEqual({ status: 'OK' });
    expect((await failure(bot.getChannelMember(channel.id, aliceId))).status_code).toBe(404);
  });
});

describe('Mattermost sandbox: posts', () => {
  it('creates a post and a thread reply, keeping props verbatim', async () => {
    const channel = await publicChannel();
    const props = { attachments: [{ text: 'Severity: SEV1', actions: [{ id: 'ack1', name: 'Acknowledge', integration: { url: 'http://svc/actions', context: { incident: 'INC-1' } } }] }] };
    const root = await bot.createPost({ channel_id: channel.id, message: 'Incident started', props } as never);
    expect(root).toMatchObject({ channel_id: channel.id, user_id: sandbox.userId('incident-bot'), root_id: '', message: 'Incident started', props });
    const reply = await bot.createPost({ channel_id: channel.id, message: 'update', root_id: root.id } as never);
    expect(reply.root_id).toBe(root.id);
    expect((await bot.getPost(root.id)).reply_count).toBe(1);
    expect(sandbox.posts(channel.id).map((post) => post.message)).toEqual(['Incident started', 'update']);
    const badRoot = await failure(bot.createPost({ channel_id: channel.id, message: 'x', root_id: 'zzzzzzzzzzzzzzzzzzzzzzzzzz' } as never));
    expect(badRoot.status_code).toBe(400);
    const replyToReply = await failure(bot.createPost({ channel_id: channel.id, message: 'x', root_id: reply.id } as never));
    expect(replyToReply.server_error_id).toBe('api.post.create_post.root_id.app_error');
  });

  it('refuses a message over 16383 characters and a channel the user is not in', async () => {
    const channel = await publicChannel();
    const tooLong = await failure(bot.createPost({ channel_id: channel.id, message: 'm'.repeat(16384) } as never));
    expect(tooLong.server_error_id).toBe('model.post.is_valid.msg.app_error');
    expect((await bot.createPost({ channel_id: channel.id, message: 'm'.repeat(16383) } as never)).message).toHaveLength(16383);
    expect((await failure(alice.createPost({ channel_id: channel.id, message: 'hi' } as never))).status_code).toBe(403);
  });

  it('updates, patches, pins and unpins', async () => {
    const channel = await publicChannel();
    const post = await bot.createPost({ channel_id: channel.id, message: 'v1', props: { a: 1 } } as never);
    const updated = await bot.updatePost({ ...post, message: 'v2', props: { b: 2 } });
    expect(updated).toMatchObject({ message: 'v2', props: { b: 2 } });
    expect(updated.edit_at).toBeGreaterThan(0);
    const patched = await bot.patchPost({ id: post.id, message: 'v3' } as never);
    expect(patched).toMatchObject({ message: 'v3', props: { b: 2 } });
    expect((await failure(alice.patchPost({ id: post.id, message: 'not mine' } as never))).status_code).toBe(403);

    expect(await bot.pinPost(post.id)).toEqual({ status: 'OK' });
    expect((await bot.getPost(post.id)).is_pinned).toBe(true);
    expect((await bot.getPinnedPosts(channel.id)).order).toEqual([post.id]);
    expect(await bot.unpinPost(post.id)).toEqual({ status: 'OK' });
    expect((await bot.getPinnedPosts(channel.id)).order).toEqual([]);
  });

  it('pages through 150 posts newest first and answers posts since a time', async () => {
    const channel = await publicChannel();
    const created = [];
    for (let i = 0; i < 150; i++) created.push(await bot.createPost({ channel_id: channel.id, message: `post ${i}` } as never));
    const newest = [...created].reverse().map((post) => post.id);

    const first = await bot.getPosts(channel.id, 0, 60);
    expect(first.order).toEqual(newest.slice(0, 60));
    expect(Object.keys(first.posts)).toHaveLength(60);
    expect(first.next_post_id).toBe('');
    expect(first.prev_post_id).toBe(newest[60]);
    const last = await bot.getPosts(channel.id, 2, 60);
    expect(last.order).toEqual(newest.slice(120));
    expect(last.next_post_id).toBe(newest[119]);
    expect(last.prev_post_id).toBe('');
    expect((await bot.getPosts(channel.id)).order).toHaveLength(60);
    expect((await bot.getPosts(channel.id, 0, 500)).order).toHaveLength(150);
    expect((await bot.getPosts(channel.id, 3, 60)).order).toEqual([]);

    const since = created[139]!.create_at;
    const recent = await bot.getPostsSince(channel.id, since);
    expect(recent.order).toEqual(newest.slice(0, 10));
    // An edit counts as a change since then, even on an old post.
    await bot.patchPost({ id: created[0]!.id, message: 'edited' } as never);
    const withEdit = await bot.getPostsSince(channel.id, since);
    expect(withEdit.order).toContain(created[0]!.id);
    expect(withEdit.posts[created[0]!.id]!.message).toBe('edited');
  });

  it('keeps a private channel from non-members (403) until they are added', async () => {
    const channel = await bot.createChannel({ team_id: teamId, name: nextName('secret'), display_name: 'Secret', type: 'P' } as never);
    const post = await bot.createPost({ channel_id: channel.id, message: 'hush' } as never);
    expect((await failure(alice.getChannel(channel.id))).status_code).toBe(403);
    expect((await failure(alice.getPosts(channel.id))).status_code).toBe(403);
    expect((await failure(alice.getPost(post.id))).status_code).toBe(403);
    expect((await failure(alice.createPost({ channel_id: channel.id, message: 'hi' } as never))).status_code).toBe(403);
    // By name a hidden private channel is "not found", so its existence does not leak.
    expect((await failure(alice.getChannelByName(teamId, channel.name))).status_code).toBe(404);
    await bot.addToChannel(sandbox.userId('alice'), channel.id);
    expect((await alice.getPosts(channel.id)).order).toEqual([post.id]);
  });
});

describe('Mattermost sandbox: sidebar categories', () => {
  it('seeds the default categories and creates a custom one, keeping only channels the user is in', async () => {
    const botId = sandbox.userId('incident-bot');
    const mine = await publicChannel();
    const notMine = await publicChannel(alice);
    const initial = await bot.getChannelCategories(botId, teamId);
    expect(initial.categories.map((category) => category.type)).toEqual(['favorites', 'channels', 'direct_messages']);
    expect(initial.categories[1]!.channel_ids).toContain(mine.id);

    const category = await bot.createChannelCategory(botId, teamId, {
      user_id: botId,
      team_id: teamId,
      display_name: 'Incidents',
      type: 'custom',
      channel_ids: [mine.id, notMine.id],
    } as never);
    expect(category).toMatchObject({ type: 'custom', display_name: 'Incidents', channel_ids: [mine.id] });
    const after = await bot.getChannelCategories(botId, teamId);
    expect(after.order[0]).toBe(category.id);
    expect(after.categories.find((c) => c.type === 'channels')!.channel_ids).not.toContain(mine.id);
    expect(sandbox.categories(botId, teamId).map((c) => c.display_name)).toContain('Incidents');
  });

  it('lets only the user or a system admin arrange a sidebar (403 for a plain bot)', async () => {
    const aliceId = sandbox.userId('alice');
    const body = { user_id: aliceId, team_id: teamId, display_name: 'Ops', type: 'custom', channel_ids: [] } as never;
    const refused = await failure(helper.createChannelCategory(aliceId, teamId, body));
    expect(refused.status_code).toBe(403);
    expect(refused.server_error_id).toBe('api.context.permissions.app_error');
    const { categories } = await alice.getChannelCategories(aliceId, teamId);
    expect((await failure(helper.updateChannelCategory(aliceId, teamId, categories[0]!))).status_code).toBe(403);
    expect((await failure(helper.getChannelCategories(aliceId, teamId))).status_code).toBe(403);
    expect((await bot.createChannelCategory(aliceId, teamId, body)).user_id).toBe(aliceId);
  });

  it('refuses a body whose user_id or team_id differs from the path (400)', async () => {
    const aliceId = sandbox.userId('alice');
    const wrongUser = await failure(
      alice.createChannelCategory(aliceId, teamId, { user_id: sandbox.userId('bob'), team_id: teamId, display_name: 'X', type: 'custom', channel_ids: [] } as never),
    );
    expect(wrongUser.status_code).toBe(400);
    expect(wrongUser.server_error_id).toBe('api.context.invalid_param.app_error');
    const { categories } = await alice.getChannelCategories(aliceId, teamId);
    const mismatched = await failure(alice.updateChannelCategories(aliceId, teamId, [{ ...categories[0]!, team_id: 'zzzzzzzzzzzzzzzzzzzzzzzzzz' }]));
    expect(mismatched.status_code).toBe(400);
  });

  it('moves channels between categories with update-one and update-many, filtering foreign channels', async () => {
    const aliceId = sandbox.userId('alice');
    const hers = await publicChannel(alice);
    const foreign = await publicChannel(bot);
    const { categories } = await alice.getChannelCategories(aliceId, teamId);
    const favorites = categories.find((c) => c.type === 'favorites')!;
    const updated = await alice.updateChannelCategory(aliceId, teamId, { ...favorites, channel_ids: [hers.id, foreign.id], display_name: 'Renamed' });
    expect(updated).toMatchObject({ channel_ids: [hers.id], display_name: 'Favorites' });
    const channelsCategory = (await alice.getChannelCategories(aliceId, teamId)).categories.find((c) => c.type === 'channels')!;
    expect(channelsCategory.channel_ids).not.toContain(hers.id);

    const [back] = await alice.updateChannelCategories(aliceId, teamId, [{ ...channelsCategory, channel_ids: [...channelsCategory.channel_ids, hers.id], collapsed: true }]);
    expect(back).toMatchObject({ type: 'channels', collapsed: true });
    expect(back!.channel_ids).toContain(hers.id);
    expect(sandbox.categories(aliceId, teamId).find((c) => c.type === 'favorites')!.channel_ids).toEqual([]);
  });
});

describe('Mattermost sandbox: dialogs and commands', () => {
  const dialog = { callback_id: 'start', title: 'Start an incident', elements: [{ display_name: 'Name', name: 'name', type: 'text' }] };

  it('opens a valid dialog and records it', async () => {
    expect(await bot.openDialog({ trigger_id: 'trigger-1', url: 'http://svc/dialog', dialog })).toEqual({ status: 'OK' });
    expect(sandbox.dialogs()).toContainEqual({ trigger_id: 'trigger-1', url: 'http://svc/dialog', dialog });
  });

  it('refuses an invalid dialog with a 400 AppError', async () => {
    const before = sandbox.dialogs().length;
    const invalid = [
      { trigger_id: '', url: 'http://svc/dialog', dialog },
      { trigger_id: 't', url: '', dialog },
      { trigger_id: 't', url: 'http://svc/dialog', dialog: { ...dialog, title: 'x'.repeat(25) } },
      { trigger_id: 't', url: 'http://svc/dialog', dialog: { ...dialog, title: '' } },
      { trigger_id: 't', url: 'http://svc/dialog', dialog: { ...dialog, elements: [...dialog.elements, ...dialog.elements] } },
      { trigger_id: 't', url: 'http://svc/dialog', dialog: { ...dialog, elements: [{ display_name: 'Nameless', name: '', type: 'text' }] } },
    ];
    for (const request of invalid) expect((await failure(bot.openDialog(request))).status_code).toBe(400);
    expect(sandbox.dialogs()).toHaveLength(before);
  });

  it('executes a slash command in a channel the user is in', async () => {
    const channel = await publicChannel();
    const reply = await bot.executeCommand('/incident start db down', { channel_id: channel.id, team_id: teamId });
    expect(reply).toEqual({ response_type: 'ephemeral', text: '/incident start db down executed in the sandbox' });
    expect(sandbox.executedCommands()).toContainEqual({ user_id: sandbox.userId('incident-bot'), channel_id: channel.id, team_id: teamId, command: '/incident start db down' });
    expect((await failure(bot.executeCommand('/incident', { channel_id: 'zzzzzzzzzzzzzzzzzzzzzzzzzz' }))).status_code).toBe(404);
    expect((await failure(alice.executeCommand('/incident', { channel_id: channel.id }))).status_code).toBe(403);
  });
});

describe('Mattermost sandbox: machinery', () => {
  it('passes an injected 429 with Retry-After to the client as a ClientError', async () => {
    sandbox.server.addFault({ method: 'GET', path: '/api/v4/users/me', status: 429, retryAfterSeconds: 3, times: 2 });
    const limited = await failure(bot.getMe());
    expect(limited.status_code).toBe(429);
    const raw = await fetch(`${sandbox.server.url}/api/v4/users/me`, { headers: { authorization: 'BEARER mm-bot-token' } });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('3');
    expect(await raw.json()).toMatchObject({ status_code: 429, detailed_error: '', request_id: expect.stringMatching(/^[a-z0-9]{26}$/) });
    expect((await bot.getMe()).username).toBe('incident-bot');
    sandbox.server.clearFaults();
  });

  it('answers every JSON reply with Content-Type exactly application/json', async () => {
    const channel = await publicChannel();
    const url = sandbox.server.url;
    const auth = { authorization: 'BEARER mm-bot-token', 'content-type': 'application/json' };
    const responses = await Promise.all([
      fetch(`${url}/api/v4/users/me`, { headers: auth }),
      fetch(`${url}/api/v4/posts`, { method: 'POST', headers: auth, body: JSON.stringify({ channel_id: channel.id, message: 'x' }) }),
      fetch(`${url}/api/v4/channels/${channel.id}/posts?page=0&per_page=5`, { headers: auth }),
      fetch(`${url}/api/v4/users/me`),
      fetch(`${url}/api/v4/channels/zzzzzzzzzzzzzzzzzzzzzzzzzz`, { headers: auth }),
      fetch(`${url}/api/v4/no/such/route`, { headers: auth }),
    ]);
    expect(responses.map((response) => response.status)).toEqual([200, 201, 200, 401, 404, 404]);
    for (const response of responses) {
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toBeTypeOf('object');
    }
  });

  it('shows its state with member usernames, and reset keeps the seeded ids', async () => {
    const channel = await publicChannel();
    await bot.addToChannel(sandbox.userId('alice'), channel.id);
    const state = (await (await fetch(`${sandbox.server.url}/_sandbox/state`)).json()) as any;
    expect(state.channels.find((c: any) => c.id === channel.id).members).toEqual(['incident-bot', 'alice']);
    expect(state.executedCommands.length).toBeGreaterThan(0);
    const aliceId = sandbox.userId('alice');
    sandbox.server.reset();
    expect(sandbox.channels()).toEqual([]);
    expect(sandbox.posts()).toEqual([]);
    expect(sandbox.dialogs()).toEqual([]);
    expect(sandbox.userId('alice')).toBe(aliceId);
    expect((await alice.getMe()).id).toBe(aliceId);
  });
});
