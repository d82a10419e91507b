/**
 * The Mattermost sandbox's posts (create, threads, update, patch, pin, paging and since) and the sandbox-only bulk
 * seeding of posts. Shared set-up in harness.ts.
 */
import { describe, expect, it } from 'vitest';
import { alice, bot, failure, nextName, publicChannel, sandbox, teamId, useMattermostSandbox } from './harness.js';

useMattermostSandbox();

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

    // As the real server (9.11): a post made with is_pinned is pinned from the start.
    const pinned = await bot.createPost({ channel_id: channel.id, message: 'pinned at once', is_pinned: true } as never);
    expect(pinned.is_pinned).toBe(true);
    expect((await bot.getPinnedPosts(channel.id)).order).toEqual([pinned.id]);
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
