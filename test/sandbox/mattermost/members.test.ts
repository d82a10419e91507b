/**
 * The Mattermost sandbox's channel members: add one or many (one per call before 9.11), read, page and remove. Shared
 * set-up in harness.ts.
 */
import { describe, expect, it } from 'vitest';
import { createMattermostSandbox } from '../../../sandbox/mattermost/index.js';
import { bot, failure, publicChannel, sandbox, SandboxClient, useMattermostSandbox } from './harness.js';

useMattermostSandbox();

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
