/**
 * Posts: create (threads one level deep, files attached), get, update and patch, pin and unpin, a channel's pinned
 * posts, and a channel's posts paged newest first or changed since a time. New posts go to the websocket as posted.
 */
import type { Request, Router } from 'express';
import { readableChannelParam } from './channels.js';
import { apiError, forbidden, invalidBodyParam, invalidUrlParam } from './errors.js';
import { attachFiles } from './files.js';
import { API, bodyObject, created, idParam, ok, optionalBoolean, optionalString, paging, queryString, route, statusOk, stringArray, type Reply } from './http.js';
import { copy, isRecord, isValidId, newMattermostId } from './ids.js';
import { isSystemAdmin, type MattermostWorld } from './state.js';
import type { SandboxPost, SandboxPostList, SandboxUserProfile } from './types.js';
import { checkMessage } from './validation.js';

/** model.Post.IsValid: at most this many files on a post. */
const POST_FILES_MAX = 10;

type PostFields = Pick<SandboxPost, 'user_id' | 'channel_id' | 'root_id' | 'message'> &
  Partial<Pick<SandboxPost, 'type' | 'props' | 'pending_post_id'>>;

/** A new post made at `at`: the given fields, not edited, pinned or replied to yet. Seeded posts are made here too. */
export function postRecord(at: number, fields: PostFields): SandboxPost {
  return {
    id: newMattermostId(),
    create_at: at,
    update_at: at,
    edit_at: 0,
    delete_at: 0,
    is_pinned: false,
    user_id: fields.user_id,
    channel_id: fields.channel_id,
    root_id: fields.root_id,
    original_id: '',
    message: fields.message,
    type: fields.type ?? '',
    props: fields.props ?? {},
    hashtags: '',
    pending_post_id: fields.pending_post_id ?? '',
    reply_count: 0,
    last_reply_at: 0,
    participants: null,
    metadata: {},
  };
}

function createPost(world: MattermostWorld, body: Record<string, unknown>, session: SandboxUserProfile): SandboxPost {
  const channelId = optionalString(body, 'channel_id') ?? '';
  if (!isValidId(channelId)) throw invalidBodyParam('channel_id');
  const channel = world.channels.get(channelId);
  // The real server checks the create_post permission first, so an unknown channel reads as "no permission".
  if (!channel) throw forbidden();
  world.requireMemberOrAdmin(channel, session);
  if (channel.delete_at) throw apiError(400, 'api.post.create_post.can_not_post_to_deleted.error', 'The channel is archived.');
  const rootId = optionalString(body, 'root_id') ?? '';
  const root = rootId ? world.posts.get(rootId) : undefined;
  // Threads are one level deep: a reply names the thread's root, never another reply.
  if (rootId && (!root || root.channel_id !== channelId || root.root_id !== '')) {
    throw apiError(400, 'api.post.create_post.root_id.app_error', 'root_id is not a root post in this channel.');
  }
  const props = body.props ?? {};
  if (!isRecord(props)) throw invalidBodyParam('props');
  const fileIds = body.file_ids === undefined || body.file_ids === null ? [] : stringArray(body.file_ids, 'file_ids');
  if (fileIds.length > POST_FILES_MAX) {
    throw apiError(400, 'model.post.is_valid.file_ids.app_error', `A post carries at most ${POST_FILES_MAX} files.`);
  }
  const type = optionalString(body, 'type') ?? '';
  const at = world.now();
  const post = postRecord(at, {
    user_id: session.id,
    channel_id: channelId,
    root_id: rootId,
    message: checkMessage(optionalString(body, 'message') ?? ''),
    // Clients may only create plain posts or plugin-defined "custom_" types.
    type: type.startsWith('custom_') ? type : '',
    props: copy(props),
    pending_post_id: optionalString(body, 'pending_post_id') ?? '',
  });
  // Taken on create, as the real server does (a pinned post from the start; checked on 9.11).
  if (optionalBoolean(body, 'is_pinned') === true) post.is_pinned = true;
  const files = attachFiles(world, [...new Set(fileIds)], post, session);
  if (files.length > 0) {
    post.file_ids = files.map((file) => file.id);
    post.metadata = { files: files.map(copy) };
  }
  world.posts.set(post.id, post);
  if (root) {
    root.reply_count += 1;
    root.last_reply_at = at;
  }
  channel.last_post_at = at;
  channel.total_msg_count += 1;
  if (!root) {
    channel.last_root_post_at = at;
    channel.total_msg_count_root += 1;
  }
  return post;
}

/** Edits need authorship or edit_others_posts (a system admin), and an unarchived channel. */
function requireEditable(world: MattermostWorld, post: SandboxPost, session: SandboxUserProfile): void {
  if (post.user_id !== session.id && !isSystemAdmin(session)) throw forbidden();
  if (world.channels.get(post.channel_id)?.delete_at) {
    throw apiError(400, 'api.post.update_post.can_not_update_post_in_deleted.error', 'The channel is archived.');
  }
}

function applyPostChanges(world: MattermostWorld, post: SandboxPost, changes: { message?: string; props?: unknown; is_pinned?: boolean }): void {
  if (changes.props !== undefined && !isRecord(changes.props)) throw invalidBodyParam('props');
  if (changes.message !== undefined) checkMessage(changes.message);
  const at = world.now();
  if (changes.message !== undefined && changes.message !== post.message) {
    post.message = changes.message;
    post.edit_at = at;
  }
  if (isRecord(changes.props)) post.props = copy(changes.props);
  if (changes.is_pinned !== undefined) post.is_pinned = changes.is_pinned;
  post.update_at = at;
}

function readablePost(world: MattermostWorld, req: Request, session: SandboxUserProfile): SandboxPost {
  const post = world.requirePost(idParam(req, 'post_id'));
  world.requireReadable(world.requireChannel(post.channel_id), session);
  return post;
}

/** Newest first, as the real server lists them. */
const newestFirst = (posts: SandboxPost[]): SandboxPost[] => [...posts].sort((a, b) => b.create_at - a.create_at);

function postList(posts: SandboxPost[], nextPostId = '', prevPostId = ''): SandboxPostList {
  return {
    order: posts.map((post) => post.id),
    posts: Object.fromEntries(posts.map((post) => [post.id, copy(post)])),
    next_post_id: nextPostId,
    prev_post_id: prevPostId,
    first_inaccessible_post_time: 0,
  };
}

function channelPostsReply(world: MattermostWorld, req: Request, channelId: string): Reply {
  if (queryString(req, 'before') !== undefined || queryString(req, 'after') !== undefined) {
    throw apiError(501, 'api.context.not_implemented.app_error', 'The sandbox does not page posts by before/after.');
  }
  const all = newestFirst(world.postsIn(channelId));
  const since = queryString(req, 'since');
  if (since !== undefined) {
    const sinceMs = Number(since);
    if (!Number.isFinite(sinceMs)) throw invalidUrlParam('since');
    // update_at starts at create_at, so this covers posts created and posts edited after `since`.
    return ok(postList(all.filter((post) => post.update_at > sinceMs)));
  }
  const { page, perPage } = paging(req);
  const start = page * perPage;
  const slice = all.slice(start, start + perPage);
  // next is the post just newer than this page, prev the one just older: the cursors the webapp pages with.
  return ok(postList(slice, slice.length ? (all[start - 1]?.id ?? '') : '', slice.length ? (all[start + perPage]?.id ?? '') : ''));
}

export function registerPostRoutes(router: Router, world: MattermostWorld): void {
  router.post(`${API}/posts`, route(world, (req, session) => {
    const post = createPost(world, bodyObject(req, 'post'), session);
    world.events.posted(world.requireChannel(post.channel_id), post);
    return created(copy(post));
  }));
  router.get(`${API}/posts/:post_id`, route(world, (req, session) => ok(copy(readablePost(world, req, session)))));
  router.put(`${API}/posts/:post_id`, route(world, (req, session) => {
    const post = world.requirePost(idParam(req, 'post_id'));
    const body = bodyObject(req, 'post');
    if (body.id !== post.id) throw invalidBodyParam('id');
    requireEditable(world, post, session);
    // PUT replaces the editable fields, like the real UpdatePost: a missing message becomes empty.
    applyPostChanges(world, post, { message: optionalString(body, 'message') ?? '', props: body.props ?? {} });
    return ok(copy(post));
  }));
  router.put(`${API}/posts/:post_id/patch`, route(world, (req, session) => {
    const post = world.requirePost(idParam(req, 'post_id'));
    const body = bodyObject(req, 'post');
    requireEditable(world, post, session);
    applyPostChanges(world, post, { message: optionalString(body, 'message'), props: body.props ?? undefined, is_pinned: optionalBoolean(body, 'is_pinned') });
    return ok(copy(post));
  }));
  for (const [action, pinned] of [['pin', true], ['unpin', false]] as const) {
    router.post(`${API}/posts/:post_id/${action}`, route(world, (req, session) => {
      const post = readablePost(world, req, session);
      post.is_pinned = pinned;
      post.update_at = world.now();
      return statusOk();
    }));
  }
  router.get(`${API}/channels/:channel_id/pinned`, route(world, (req, session) => {
    const channel = readableChannelParam(world, req, session);
    return ok(postList(newestFirst(world.postsIn(channel.id).filter((post) => post.is_pinned))));
  }));
  router.get(`${API}/channels/:channel_id/posts`, route(world, (req, session) => {
    const channel = readableChannelParam(world, req, session);
    return channelPostsReply(world, req, channel.id);
  }));
}
