/**
 * Posts on Mattermost: the bot's keyed posts (made once per idempotency key), pins, direct and ephemeral messages,
 * permalinks, files, and a channel's conversation read back (the post-mortem export, the event listener's catch-up).
 */
import { openAsBlob } from 'node:fs';
import type { Post as MattermostPost } from '@mattermost/types/posts';
import { IntegrationError } from '../../activities/ports/integration-error.js';
import type { ChannelPost, ChatFile, Post } from '../../activities/ports/chat.js';
import type { IncidentBotClient } from './bot-client.js';
import type { TeamsAndPeople } from './teams-and-people.js';

/** Where a post's idempotency key is kept: Mattermost stores custom props with the post. */
export const POST_KEY_PROP = 'incident_key';

export class Posts {
  constructor(
    private readonly client: IncidentBotClient,
    private readonly people: TeamsAndPeople,
    private readonly uploadTimeoutMs: number,
  ) {}

  async findPostByKey(channelId: string, key: string): Promise<Post | undefined> {
    // The bot's keyed posts are made right after the channel, so the newest 200 posts hold them.
    const list = await this.client.getPosts(channelId, 0, 200);
    const post = Object.values(list.posts).find((candidate) => candidate.props?.[POST_KEY_PROP] === key);
    return post && { id: post.id, channelId: post.channel_id, message: post.message };
  }

  async createPost(channelId: string, message: string, key: string, props: Record<string, unknown> = {}, options: { pinned?: boolean } = {}): Promise<Post> {
    const post = await this.client.createPost({
      channel_id: channelId,
      message,
      props: { ...props, [POST_KEY_PROP]: key },
      // Mattermost (9.11 checked) pins a post made with is_pinned, as POST /posts/{id}/pin would.
      ...(options.pinned ? { is_pinned: true } : {}),
    } as unknown as MattermostPost);
    return { id: post.id, channelId: post.channel_id, message: post.message };
  }

  async updatePost(postId: string, message: string, key: string, props: Record<string, unknown> = {}): Promise<void> {
    await this.client.patchPost({ id: postId, message, props: { ...props, [POST_KEY_PROP]: key } } as unknown as MattermostPost);
  }

  async pinPost(postId: string): Promise<void> {
    await this.client.pinPost(postId);
  }

  /** A message only this user sees, in this channel (the bot needs the create_post_ephemeral permission). */
  async postEphemeral(userId: string, channelId: string, message: string): Promise<void> {
    await this.client.createPostEphemeral(userId, { channel_id: channelId, message } as unknown as MattermostPost);
  }

  /** A permalink to a post. */
  postUrl(team: string, postId: string): string {
    return `${this.client.getUrl()}/${team}/pl/${postId}`;
  }

  /** The bot's direct-message channel with the person, then the keyed post in it unless an earlier attempt made it. */
  async sendDirectMessage(username: string, message: string, key: string): Promise<Post> {
    const userId = await this.people.userIdOf(username);
    if (!userId) throw new IntegrationError('chat', `Mattermost has no user named "${username}"`, false, 'NotFound');
    const channel = await this.client.createDirectChannel([await this.people.botId(), userId]);
    return (await this.findPostByKey(channel.id, key)) ?? (await this.createPost(channel.id, message, key));
  }

  async channelPostsPage(channelId: string, page: number, perPage: number): Promise<ChannelPost[]> {
    // Without thread fetching the answer holds only this page's posts; `order` is newest first.
    const list = await this.client.getPosts(channelId, page, perPage, false);
    return list.order.flatMap((id) => {
      const post = list.posts[id];
      return post ? [{ id: post.id, createAt: post.create_at, userId: post.user_id, rootId: post.root_id ?? '', message: post.message, type: post.type ?? '' }] : [];
    });
  }

  /**
   * Posts created in a channel since this instant (ms), oldest first, deleted ones left out: what the event listener
   * missed while its websocket was down. Mattermost answers everything changed since then, which the filter narrows.
   */
  async postsSince(channelId: string, since: number): Promise<ChannelPost[]> {
    const list = await this.client.getPostsSince(channelId, since, false);
    return list.order
      .flatMap((id) => {
        const post = list.posts[id];
        return post && post.create_at >= since && !post.delete_at
          ? [{ id: post.id, createAt: post.create_at, userId: post.user_id, rootId: post.root_id ?? '', message: post.message, type: post.type ?? '' }]
          : [];
      })
      .sort((a, b) => a.createAt - b.createAt);
  }

  /**
   * Each file is uploaded on its own (POST /files with channel_id first), read from disk by fetch as the request goes
   * out: `openAsBlob` gives a Blob backed by the file, so an export of tens of MB is never held in memory whole. Then
   * one post carries every file_id and the key. A retry after a failed post uploads again; the earlier uploads stay
   * unattached, which Mattermost tolerates (it cleans up orphan files).
   */
  async postFiles(channelId: string, message: string, files: ChatFile[], key: string): Promise<Post> {
    const earlier = await this.findPostByKey(channelId, key);
    if (earlier) return earlier;
    const fileIds: string[] = [];
    for (const file of files) {
      const form = new FormData();
      form.append('channel_id', channelId);
      form.append('files', await openAsBlob(file.path, { type: file.contentType }), file.name);
      const { file_infos: infos } = await this.client.uploadFileWithTimeout(form, this.uploadTimeoutMs);
      const info = infos[0];
      if (!info) throw new IntegrationError('chat', `Mattermost accepted ${file.name} but returned no file info`, true, 'Unavailable');
      fileIds.push(info.id);
    }
    const post = await this.client.createPost({
      channel_id: channelId,
      message,
      file_ids: fileIds,
      props: { [POST_KEY_PROP]: key },
    } as unknown as MattermostPost);
    return { id: post.id, channelId: post.channel_id, message: post.message };
  }
}
