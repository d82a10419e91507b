/**
 * The Mattermost sandbox's channels (create, validate, get by name, patch, archive) and direct-message channels. Shared
 * set-up in harness.ts.
 */
import { describe, expect, it } from 'vitest';
import { alice, bot, clientFor, failure, nextName, publicChannel, sandbox, teamId, useMattermostSandbox } from './harness.js';

useMattermostSandbox();

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
