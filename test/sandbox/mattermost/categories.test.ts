/**
 * The Mattermost sandbox's sidebar categories: the defaults, custom ones, who may arrange a sidebar, moving channels
 * between categories. Shared set-up in harness.ts.
 */
import { describe, expect, it } from 'vitest';
import { alice, bot, failure, helper, publicChannel, sandbox, teamId, useMattermostSandbox } from './harness.js';

useMattermostSandbox();

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
