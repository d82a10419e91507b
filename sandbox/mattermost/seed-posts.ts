/**
 * The sandbox's bulk seeding of posts (no such thing in Mattermost): plain posts from the users in turn, optionally
 * threaded, without HTTP (seedPosts()) or at POST /_sandbox/channels/{channel_id}/seed-posts.
 */
import { isRecord } from './ids.js';
import { postRecord } from './posts.js';
import type { MattermostWorld } from './state.js';
import type { SandboxPost, SandboxSeedPostsOptions } from './types.js';

const SEED_POSTS_MAX = 200_000;

/** Adds posts to a channel in bulk; a bad option throws a plain Error (the inspection route answers it with 400). */
export function seedPosts(world: MattermostWorld, channelId: string, options: SandboxSeedPostsOptions): SandboxPost[] {
  const channel = world.channels.get(channelId);
  if (!channel) throw new Error(`no channel ${channelId}`);
  const { count } = options;
  if (!Number.isInteger(count) || count < 1 || count > SEED_POSTS_MAX) throw new Error(`count must be an integer from 1 to ${SEED_POSTS_MAX}`);
  const intervalMs = options.intervalMs ?? 1;
  if (!Number.isInteger(intervalMs) || intervalMs < 1) throw new Error('intervalMs must be an integer of at least 1');
  const threadEvery = options.threadEvery;
  if (threadEvery !== undefined && (!Number.isInteger(threadEvery) || threadEvery < 2)) throw new Error('threadEvery must be an integer of at least 2');
  const startAt = options.startAt ?? world.now();
  if (!Number.isInteger(startAt) || startAt < 0) throw new Error('startAt must be a time in milliseconds');
  let userIds: string[];
  if (options.users) {
    userIds = options.users.map((username) => {
      const user = world.userByUsername(username);
      if (!user) throw new Error(`no user "${username}"`);
      return user.id;
    });
    if (userIds.length === 0) throw new Error('users must name at least one user');
  } else {
    const members = world.memberList(channelId).map((member) => member.user_id);
    userIds = members.length > 0 ? members : [...world.users.keys()];
  }
  const message = options.message ?? 'Seeded post';
  const seeded: SandboxPost[] = [];
  let root: SandboxPost | undefined;
  for (let i = 0; i < count; i++) {
    const at = startAt + i * intervalMs;
    const reply = threadEvery !== undefined && root !== undefined && (i + 1) % threadEvery === 0;
    const post = postRecord(at, {
      user_id: userIds[i % userIds.length]!,
      channel_id: channelId,
      root_id: reply && root ? root.id : '',
      message: `${message} ${i + 1}`,
    });
    world.posts.set(post.id, post);
    seeded.push(post);
    channel.total_msg_count += 1;
    if (reply && root) {
      root.reply_count += 1;
      root.last_reply_at = at;
    } else {
      root = post;
      channel.total_msg_count_root += 1;
      channel.last_root_post_at = Math.max(channel.last_root_post_at, at);
    }
    channel.last_post_at = Math.max(channel.last_post_at, at);
  }
  world.advanceClockTo(startAt + (count - 1) * intervalMs);
  return seeded;
}

/** The seed-posts request body, checked for types; seedPosts checks the ranges. */
export function seedOptions(body: unknown): SandboxSeedPostsOptions {
  if (!isRecord(body)) throw new Error('the body must be a JSON object');
  const number = (field: string): number | undefined => {
    const value = body[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'number') throw new Error(`${field} must be a number`);
    return value;
  };
  const users = body.users;
  if (users !== undefined && (!Array.isArray(users) || users.some((user) => typeof user !== 'string'))) throw new Error('users must be an array of usernames');
  if (body.message !== undefined && typeof body.message !== 'string') throw new Error('message must be a string');
  const count = number('count');
  if (count === undefined) throw new Error('count is required');
  const startAt = number('startAt');
  const intervalMs = number('intervalMs');
  const threadEvery = number('threadEvery');
  return {
    count,
    ...(users !== undefined ? { users: users as string[] } : {}),
    ...(startAt !== undefined ? { startAt } : {}),
    ...(intervalMs !== undefined ? { intervalMs } : {}),
    ...(threadEvery !== undefined ? { threadEvery } : {}),
    ...(typeof body.message === 'string' ? { message: body.message } : {}),
  };
}
