/**
 * The Mattermost sandbox, driven through the real @mattermost/client (Client4) so that every route is checked against
 * the requests the client really makes and the replies it can really parse.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mm, { ClientError } from '@mattermost/client';
import { createMattermostSandbox } from '../../sandbox/mattermost/index.js';

// Under native ESM the CommonJS package only exposes Client4 on its default export.
const { Client4 } = mm;

/** Client4 has no call for opening a dialog; the integration subclasses it the same way. */
class SandboxClient extends Client4 {
  openDialog(request: { trigger_id: string; url: string; dialog: object }) {
    return this.doFetch<{ status: string }>(`${this.getBaseRoute()}/actions/dialogs/open`, { method: 'post', body: JSON.stringify(request) });
  }
  /** A raw POST, for bodies the typed methods never send. */
  postRaw(path: string, body: string) {
    return this.doFetch<unknown>(`${this.getBaseRoute()}${path}`, { method: 'post', body });
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

describe('Mattermost sandbox: user groups', () => {
  it('seeds the default group "sre" with bob and carol, found by search, id, stats and member', async () => {
    const [sre] = await alice.searchGroups({ q: 'SR', include_member_count: true, page: 0, per_page: 60 });
    expect(sre).toMatchObject({ id: sandbox.groupId('sre'), name: 'sre', display_name: 'SRE', source: 'custom', delete_at: 0, allow_reference: true, member_count: 2 });
    expect(await bot.getGroup(sre!.id, true)).toEqual(sre);
    expect(await bot.getGroup(sre!.id)).not.toHaveProperty('member_count');
    expect(await bot.getGroupStats(sre!.id)).toEqual({ group_id: sre!.id, total_member_count: 2 });
    expect((await bot.getProfilesInGroup(sre!.id)).map((user) => user.username)).toEqual(['bob', 'carol']);
    expect((await bot.getGroupsByUserId(sandbox.userId('carol'))).map((group) => group.name)).toEqual(['sre']);
    expect(await bot.getGroupsByUserId(sandbox.userId('alice'))).toEqual([]);
    expect(await bot.searchGroups({ q: 'nothing-like-it', page: 0, per_page: 60 })).toEqual([]);
  });

  it('answers an unknown group id with 404 and a malformed one with 400', async () => {
    const unknown = await failure(bot.getProfilesInGroup('zzzzzzzzzzzzzzzzzzzzzzzzzz'));
    expect(unknown.status_code).toBe(404);
    expect(unknown.server_error_id).toBe('app.group.no_rows');
    expect((await failure(bot.getGroup('zzzzzzzzzzzzzzzzzzzzzzzzzz'))).status_code).toBe(404);
    expect((await failure(bot.getProfilesInGroup('not-an-id'))).status_code).toBe(400);
  });

  it('searches name and display name, sorts by display name, filters by member and pages groups and members', async () => {
    const crowd = Array.from({ length: 7 }, (_, i) => `person-${i + 1}`);
    const seeded = createMattermostSandbox({
      users: [{ username: 'incident-bot', isBot: true, systemAdmin: true }, ...crowd.map((username) => ({ username }))],
      groups: [
        { name: 'ops', displayName: 'Ops', members: crowd },
        { name: 'ops-emea', displayName: 'EMEA ops', members: ['person-1'] },
        { name: 'dba', displayName: 'Database admins', members: [] },
      ],
    });
    const url = await seeded.server.start();
    try {
      const client = new SandboxClient();
      client.setUrl(url);
      client.setToken('mm-bot-token');
      expect((await client.searchGroups({ q: 'OPS', page: 0, per_page: 60 })).map((group) => group.name)).toEqual(['ops-emea', 'ops']);
      expect((await client.searchGroups({ q: 'admins', page: 0, per_page: 60 })).map((group) => group.name)).toEqual(['dba']);
      expect((await client.searchGroups({ q: '', page: 1, per_page: 2 })).map((group) => group.name)).toEqual(['ops']);
      const person1 = seeded.userId('person-1');
      expect((await client.searchGroups({ q: '', filter_has_member: person1, page: 0, per_page: 60 })).map((group) => group.name)).toEqual(['ops-emea', 'ops']);
      const ops = seeded.groupId('ops');
      const pages = [await client.getProfilesInGroup(ops, 0, 3), await client.getProfilesInGroup(ops, 1, 3), await client.getProfilesInGroup(ops, 2, 3)];
      expect(pages.map((page) => page.map((user) => user.username))).toEqual([crowd.slice(0, 3), crowd.slice(3, 6), crowd.slice(6)]);
      const state = (await (await fetch(`${url}/_sandbox/state`)).json()) as { groups: Array<{ name: string; members: string[] }> };
      expect(state.groups.map((group) => [group.name, group.members.length])).toEqual([['ops', 7], ['ops-emea', 1], ['dba', 0]]);
    } finally {
      await seeded.server.stop();
    }
  });

  it('answers every groups route with 501 when the server has no user groups', async () => {
    const unlicensed = createMattermostSandbox({ groupsEnabled: false });
    const url = await unlicensed.server.start();
    try {
      const client = new SandboxClient();
      client.setUrl(url);
      client.setToken('mm-bot-token');
      const sre = unlicensed.groupId('sre');
      const refusals = await Promise.all([
        failure(client.searchGroups({ q: 'sre', page: 0, per_page: 60 })),
        failure(client.getGroup(sre)),
        failure(client.getGroupStats(sre)),
        failure(client.getProfilesInGroup(sre)),
        failure(client.getGroupsByUserId(unlicensed.userId('bob'))),
      ]);
      expect(refusals.map((error) => [error.status_code, error.server_error_id])).toEqual(Array(5).fill([501, 'api.custom_groups.license_error']));
      // Listing users without in_group still works.
      expect((await client.getProfiles(0, 100)).map((user) => user.username)).toContain('bob');
    } finally {
      await unlicensed.server.stop();
    }
  });

  it('refuses to seed a group naming an unknown user, and leaves absent users out of the default group', () => {
    expect(() => createMattermostSandbox({ groups: [{ name: 'sre', members: ['nobody'] }] })).toThrow(/unknown user "nobody"/);
    expect(() => createMattermostSandbox({ groups: [{ name: 'Bad Name', members: [] }] })).toThrow(/invalid group name/);
    const few = createMattermostSandbox({ users: [{ username: 'incident-bot', isBot: true, systemAdmin: true }, { username: 'bob' }] });
    expect(few.groupId('sre')).toMatch(/^[a-z0-9]{26}$/);
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

  it('answers a bad member body as Mattermost does, and before 9.11 takes one user_id per call', async () => {
    const channel = await publicChannel();
    const empty = await failure(bot.postRaw(`/channels/${channel.id}/members`, '{}'));
    expect(empty).toMatchObject({ status_code: 400, server_error_id: 'api.context.invalid_body_param.app_error', message: 'Invalid or missing user_id or user_ids in request body.' });
    const old = createMattermostSandbox({ batchChannelMembers: false });
    await old.server.start({ port: 0 });
    try {
      const oldBot = new SandboxClient();
      oldBot.setUrl(old.server.url);
      oldBot.setIncludeCookies(false);
      oldBot.setToken('mm-bot-token');
      const oldChannel = await oldBot.createChannel({ team_id: old.teamId('default'), name: 'old-server', display_name: 'Old', type: 'O' } as never);
      const refused = await failure(oldBot.addToChannels([old.userId('alice'), old.userId('bob')], oldChannel.id));
      expect(refused).toMatchObject({ status_code: 400, server_error_id: 'api.context.invalid_body_param.app_error', message: 'Invalid or missing user_id in request body.' });
      expect((await oldBot.addToChannel(old.userId('alice'), oldChannel.id)).user_id).toBe(old.userId('alice'));
    } finally {
      await old.server.stop();
    }
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

  it('allows two custom categories of one name, deletes a custom one (its channels back to Channels) but not a default one', async () => {
    const botId = sandbox.userId('incident-bot');
    const mine = await publicChannel();
    const body = (channelIds: string[]) => ({ user_id: botId, team_id: teamId, display_name: 'Twice', type: 'custom', channel_ids: channelIds }) as never;
    const first = await bot.createChannelCategory(botId, teamId, body([]));
    const second = await bot.createChannelCategory(botId, teamId, body([mine.id]));
    expect(sandbox.categories(botId, teamId).filter((c) => c.display_name === 'Twice')).toHaveLength(2);
    expect(await bot.deleteChannelCategory(botId, teamId, second.id)).toEqual({ status: 'OK' });
    const after = await bot.getChannelCategories(botId, teamId);
    expect(after.categories.map((c) => c.id)).not.toContain(second.id);
    expect(after.categories.find((c) => c.type === 'channels')!.channel_ids).toContain(mine.id);
    const channels = after.categories.find((c) => c.type === 'channels')!;
    const refused = await failure(bot.deleteChannelCategory(botId, teamId, channels.id));
    expect([refused.status_code, refused.server_error_id]).toEqual([400, 'app.channel.sidebar_categories.app_error']);
    expect((await failure(bot.deleteChannelCategory(botId, teamId, 'nosuchcategoryzzzzzzzzzzzz'))).status_code).toBe(404);
    await bot.deleteChannelCategory(botId, teamId, first.id);
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

describe('Mattermost sandbox: users by id', () => {
  it('tells bots from people, and hides e-mail addresses from non-admins when the privacy setting says so', async () => {
    const profiles = await bot.getProfilesByIds([sandbox.userId('helper-bot'), sandbox.userId('alice')]);
    expect(profiles.map((p) => [p.username, p.is_bot, p.email])).toEqual([
      ['helper-bot', true, 'helper-bot@example.com'],
      ['alice', false, 'alice@example.com'],
    ]);
    const privateSandbox = createMattermostSandbox({ hideEmailAddresses: true, tokens: { admin: 'incident-bot', 'alice-token': 'alice' } });
    await privateSandbox.server.start();
    try {
      const at = (token: string) => {
        const client = new SandboxClient();
        client.setUrl(privateSandbox.server.url);
        client.setIncludeCookies(false);
        client.setToken(token);
        return client;
      };
      const ids = [privateSandbox.userId('alice'), privateSandbox.userId('bob')];
      expect((await at('alice-token').getProfilesByIds(ids)).map((p) => p.email)).toEqual(['alice@example.com', '']);
      expect((await at('alice-token').getUserByUsername('bob')).email).toBe('');
      expect((await at('admin').getProfilesByIds(ids)).map((p) => p.email)).toEqual(['alice@example.com', 'bob@example.com']);
    } finally {
      await privateSandbox.server.stop();
    }
  });
});

describe('Mattermost sandbox: direct messages', () => {
  it('opens one direct channel per pair, for one of the two or a system admin', async () => {
    const [botId, aliceId, bobId, carolId] = ['incident-bot', 'alice', 'bob', 'carol'].map((name) => sandbox.userId(name)) as [string, string, string, string];
    const dm = await bot.createDirectChannel([aliceId, botId]);
    expect(dm).toMatchObject({ type: 'D', team_id: '', name: [botId, aliceId].sort().join('__'), delete_at: 0 });
    expect((await bot.createDirectChannel([botId, aliceId])).id).toBe(dm.id);
    expect([...sandbox.members(dm.id)].sort()).toEqual([botId, aliceId].sort());
    const again = await fetch(`${sandbox.server.url}/api/v4/channels/direct`, {
      method: 'POST',
      headers: { authorization: 'BEARER mm-bot-token', 'content-type': 'application/json' },
      body: JSON.stringify([botId, aliceId]),
    });
    expect(again.status).toBe(201);

    expect((await alice.createDirectChannel([aliceId, bobId])).type).toBe('D');
    expect((await failure(alice.createDirectChannel([bobId, carolId]))).status_code).toBe(403);
    expect((await bot.createDirectChannel([bobId, carolId])).type).toBe('D');
    expect((await failure(bot.createDirectChannel([botId]))).status_code).toBe(400);
    const unknown = await failure(bot.createDirectChannel([botId, 'zzzzzzzzzzzzzzzzzzzzzzzzzz']));
    expect(unknown.status_code).toBe(400);
    expect(unknown.server_error_id).toBe('api.channel.create_direct_channel.invalid_user.app_error');
  });

  it('keeps a direct channel to its two members: nobody else reads, joins or archives it', async () => {
    const [botId, aliceId] = [sandbox.userId('incident-bot'), sandbox.userId('alice')];
    const dm = await bot.createDirectChannel([botId, aliceId]);
    const post = await bot.createPost({ channel_id: dm.id, message: 'Welcome' } as never);
    expect((await alice.getPosts(dm.id)).order).toContain(post.id);
    expect((await failure(clientFor('bob-token').getPosts(dm.id))).status_code).toBe(403);
    const join = await failure(bot.addToChannel(sandbox.userId('carol'), dm.id));
    expect(join.server_error_id).toBe('api.channel.add_user_to_channel.type.app_error');
    expect((await failure(bot.deleteChannel(dm.id))).status_code).toBe(400);
    // Direct channels belong to no team, so no team sidebar lists them.
    const { categories } = await bot.getChannelCategories(botId, teamId);
    expect(categories.flatMap((c) => c.channel_ids)).not.toContain(dm.id);
  });
});

describe('Mattermost sandbox: files', () => {
  const upload = (client: SandboxClient, channelId: string, name: string, content: string | Buffer, type = 'text/plain', clientId?: string) => {
    const form = new FormData();
    form.append('channel_id', channelId);
    form.append('files', new Blob([content], { type }), name);
    if (clientId) form.append('client_ids', clientId);
    return client.uploadFile(form);
  };
  const getFile = (path: string, token = 'mm-bot-token') => fetch(`${sandbox.server.url}/api/v4/files/${path}`, { headers: { authorization: `BEARER ${token}` } });

  it('uploads a file as Client4 sends it, serves its bytes and info, and attaches it to a post', async () => {
    const channel = await publicChannel();
    const botId = sandbox.userId('incident-bot');
    const uploaded = await upload(bot, channel.id, 'export.csv', 'a,b\n1,2\n', 'text/csv', 'client-1');
    expect(uploaded.client_ids).toEqual(['client-1']);
    expect(uploaded.file_infos).toHaveLength(1);
    const info = uploaded.file_infos[0]!;
    expect(info).toMatchObject({ name: 'export.csv', extension: 'csv', size: 8, mime_type: 'text/csv', channel_id: channel.id, user_id: botId, post_id: '', delete_at: 0 });
    expect(info.id).toMatch(/^[a-z0-9]{26}$/);

    const bytes = await getFile(info.id);
    expect(bytes.status).toBe(200);
    expect(bytes.headers.get('content-type')).toBe('text/csv');
    expect(bytes.headers.get('content-disposition')).toContain('filename="export.csv"');
    expect(await bytes.text()).toBe('a,b\n1,2\n');
    expect(await (await getFile(`${info.id}/info`)).json()).toMatchObject({ id: info.id, name: 'export.csv', size: 8 });
    // Until a post attaches it, the file is the uploader's alone.
    expect((await getFile(info.id, 'alice-token')).status).toBe(403);

    const post = await bot.createPost({ channel_id: channel.id, message: 'Export', file_ids: [info.id] } as never);
    expect(post.file_ids).toEqual([info.id]);
    expect((post.metadata as { files?: Array<{ id: string }> }).files?.map((f) => f.id)).toEqual([info.id]);
    expect((await getFile(info.id, 'alice-token')).status).toBe(200);
    expect(sandbox.files().find((f) => f.id === info.id)?.post_id).toBe(post.id);
    expect(sandbox.fileContent(info.id)?.toString()).toBe('a,b\n1,2\n');
    const state = (await (await fetch(`${sandbox.server.url}/_sandbox/state`)).json()) as { files: Array<{ id: string; post_id: string; content?: unknown }> };
    expect(state.files.find((f) => f.id === info.id)).toMatchObject({ post_id: post.id });
    expect(state.files.find((f) => f.id === info.id)).not.toHaveProperty('content');
    expect((await getFile('zzzzzzzzzzzzzzzzzzzzzzzzzz')).status).toBe(404);
  });

  it('attaches only files the poster uploaded to that channel and no post holds yet', async () => {
    const here = await publicChannel();
    const there = await publicChannel();
    await bot.addToChannel(sandbox.userId('alice'), here.id);
    const mine = (await upload(bot, here.id, 'mine.txt', 'm')).file_infos[0]!.id;
    const elsewhere = (await upload(bot, there.id, 'there.txt', 't')).file_infos[0]!.id;
    const hers = (await upload(alice, here.id, 'hers.txt', 'h')).file_infos[0]!.id;
    const post = await bot.createPost({ channel_id: here.id, message: 'files', file_ids: [mine, elsewhere, hers, 'zzzzzzzzzzzzzzzzzzzzzzzzzz'] } as never);
    expect(post.file_ids).toEqual([mine]);
    const second = await bot.createPost({ channel_id: here.id, message: 'again', file_ids: [mine] } as never);
    expect(second.file_ids).toBeUndefined();
    const tooMany = await failure(bot.createPost({ channel_id: here.id, message: 'x', file_ids: Array.from({ length: 11 }, () => mine) } as never));
    expect(tooMany.server_error_id).toBe('model.post.is_valid.file_ids.app_error');
  });

  it('takes a raw upload named by ?filename=', async () => {
    const channel = await publicChannel();
    const response = await fetch(`${sandbox.server.url}/api/v4/files?channel_id=${channel.id}&filename=notes.txt`, {
      method: 'POST',
      headers: { authorization: 'BEARER mm-bot-token', 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { file_infos: Array<{ name: string; size: number }> }).file_infos).toMatchObject([{ name: 'notes.txt', size: 5 }]);
  });

  it('refuses an upload without files (400), to a channel the user is not in (403), and over the size limit (413)', async () => {
    const closed = await bot.createChannel({ team_id: teamId, name: nextName('files'), display_name: 'Files', type: 'P' } as never);
    const empty = new FormData();
    empty.append('channel_id', closed.id);
    const none = await failure(bot.uploadFile(empty));
    expect(none.status_code).toBe(400);
    expect(none.server_error_id).toBe('api.file.upload_file.incorrect_number_of_files.app_error');
    expect((await failure(upload(alice, closed.id, 'x.txt', 'x'))).status_code).toBe(403);

    const small = createMattermostSandbox({ maxFileSize: 1000 });
    await small.server.start();
    try {
      const client = new SandboxClient();
      client.setUrl(small.server.url);
      client.setIncludeCookies(false);
      client.setToken('mm-bot-token');
      const channel = await client.createChannel({ team_id: small.teamId('default'), name: 'limits', display_name: 'Limits', type: 'O' } as never);
      expect((await upload(client, channel.id, 'fits.bin', Buffer.alloc(1000), 'application/octet-stream')).file_infos[0]!.size).toBe(1000);
      const over = await failure(upload(client, channel.id, 'over.bin', Buffer.alloc(1001), 'application/octet-stream'));
      expect(over.status_code).toBe(413);
      expect(over.server_error_id).toBe('api.file.upload_file.too_large_detailed.app_error');
      // A request far over the limit is read to its end and answered, not cut off.
      const huge = await failure(upload(client, channel.id, 'huge.bin', Buffer.alloc(3 * 1024 * 1024), 'application/octet-stream'));
      expect(huge.status_code).toBe(413);
      expect(small.files().map((f) => f.name)).toEqual(['fits.bin']);
    } finally {
      await small.server.stop();
    }
  });
});

describe('Mattermost sandbox: seeding posts', () => {
  it('seeds 20,000 posts in one inspection call; they page newest first, threads included', async () => {
    const channel = await publicChannel();
    const response = await fetch(`${sandbox.server.url}/_sandbox/channels/${channel.id}/seed-posts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 20_000, users: ['alice', 'bob'], startAt: Date.UTC(2024, 0, 1), intervalMs: 1000, threadEvery: 5 }),
    });
    expect(response.status).toBe(201);
    const seeded = (await response.json()) as { channel_id: string; created: number; post_ids: string[] };
    expect(seeded).toMatchObject({ channel_id: channel.id, created: 20_000 });
    expect(new Set(seeded.post_ids).size).toBe(20_000);

    const first = await bot.getPosts(channel.id, 0, 200);
    expect(first.order).toEqual(seeded.post_ids.slice(-200).reverse());
    const last = await bot.getPosts(channel.id, 99, 200);
    expect(last.order.at(-1)).toBe(seeded.post_ids[0]);
    expect(last.posts[seeded.post_ids[0]!]).toMatchObject({ create_at: Date.UTC(2024, 0, 1), user_id: sandbox.userId('alice'), message: 'Seeded post 1', root_id: '' });
    expect((await bot.getPosts(channel.id, 100, 200)).order).toEqual([]);
    // Every fifth post replies to the latest root before it.
    expect((await bot.getPost(seeded.post_ids[4]!)).root_id).toBe(seeded.post_ids[3]);
    expect((await bot.getPost(seeded.post_ids[3]!)).reply_count).toBe(1);
    expect((await bot.getChannel(channel.id)).total_msg_count).toBe(20_000);
  });

  it('keeps later posts newer than seeded ones, and refuses bad seeding requests', async () => {
    const channel = await publicChannel();
    const future = Date.now() + 3_600_000;
    const ids = sandbox.seedPosts(channel.id, { count: 3, startAt: future });
    expect(sandbox.posts(channel.id).map((post) => post.user_id)).toEqual(Array(3).fill(sandbox.userId('incident-bot')));
    const later = await bot.createPost({ channel_id: channel.id, message: 'after' } as never);
    expect(later.create_at).toBeGreaterThan(future + 2);
    expect((await bot.getPosts(channel.id, 0, 10)).order).toEqual([later.id, ...[...ids].reverse()]);

    const seed = (channelId: string, body: unknown) =>
      fetch(`${sandbox.server.url}/_sandbox/channels/${channelId}/seed-posts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await seed('zzzzzzzzzzzzzzzzzzzzzzzzzz', { count: 1 })).status).toBe(404);
    for (const bad of [{}, { count: 0 }, { count: 1, users: ['nobody'] }, { count: 2, threadEvery: 1 }, { count: 1, intervalMs: 0 }]) {
      const refused = await seed(channel.id, bad);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toHaveProperty('error');
    }
    expect(sandbox.posts(channel.id)).toHaveLength(4);
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
