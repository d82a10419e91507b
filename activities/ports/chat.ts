/**
 * The chat role (Mattermost today): the incident channel, its posts and members, the sidebar, the bot's direct messages
 * and what the post-mortem export reads. Declared here, by the activities that use it; the chat adapter implements it.
 * Every create has a lookup beside it, so that an activity retried after a crash finds what the first attempt made
 * instead of making a second one.
 */
import type { ConversationPost } from '../../formats/postmortem-report.js';

export interface Channel {
  id: string;
  name: string;
  displayName: string;
  private: boolean;
}

export interface Post {
  id: string;
  channelId: string;
  message: string;
}

/** A person in the chat, as the post-mortem export's CSV names them (the columns of Mattermost's channel export). */
export interface ChatUser {
  id: string;
  username: string;
  email: string;
  /** "user" or "bot". */
  type: 'user' | 'bot';
}

/** One post of a channel's conversation, as the post-mortem export reads it (the report's shape of a post). */
export type ChannelPost = ConversationPost;

/** A file to attach to a post (the post-mortem export). */
export interface ChatFile {
  name: string;
  /** Path of a local file to upload: large exports are streamed from disk, never held in memory whole. */
  path: string;
  contentType: string;
}

export interface ChatPort {
  findChannelByName(team: string, name: string): Promise<Channel | undefined>;
  createChannel(request: {
    team: string;
    name: string;
    displayName: string;
    purpose: string;
    private: boolean;
  }): Promise<Channel>;
  /** Adds the people to the channel; those unknown to the chat are returned as missing instead of failing the call. */
  addChannelMembers(channelId: string, usernames: string[]): Promise<{ added: string[]; missing: string[] }>;
  /** Finds a post made earlier in the channel with this idempotency key. */
  findPostByKey(channelId: string, key: string): Promise<Post | undefined>;
  /** `props` carries Mattermost message attachments (buttons, menus); the key is stored with them. */
  /**
   * `pinned`: the post is pinned as it is made (Mattermost takes `is_pinned` on create), which saves the pin's call
   * where it would hold someone up, and leaves no moment with the post made but not pinned.
   */
  createPost(channelId: string, message: string, key: string, props?: Record<string, unknown>, options?: { pinned?: boolean }): Promise<Post>;
  updatePost(postId: string, message: string, key: string, props?: Record<string, unknown>): Promise<void>;
  pinPost(postId: string): Promise<void>;
  setChannelHeader(channelId: string, header: string): Promise<void>;
  /** The address people open to reach the channel (linked from the ticket). */
  channelUrl(team: string, channelName: string): string;
  /** Chat usernames of the people with these e-mail addresses (on-call tools know people by e-mail). */
  usernamesForEmails(emails: string[]): Promise<{ found: string[]; missing: string[] }>;
  /**
   * Usernames of the members of all these user groups (by group name, deduplicated), and the group names the chat does
   * not know. A chat without user groups (Mattermost without the licence for them) reports every group missing.
   */
  /** `unavailable`: why no group could be looked up at all (a server without user groups), when that is the case. */
  groupMemberUsernames(groupNames: string[]): Promise<{ found: string[]; missing: string[]; unavailable?: string }>;

  // --- The incident's life after launch ---

  /** Usernames of the channel's members (all of them, paged through), bots included. */
  listChannelMembers(channelId: string): Promise<string[]>;
  /**
   * Puts the channel into the custom sidebar category of this name (created when missing) for each of these people.
   * Throws a non-retryable IntegrationError of kind 'Forbidden' when the bot may not edit other users' sidebars.
   */
  addToSidebarCategory(request: { team: string; channelId: string; usernames: string[]; category: string }): Promise<{
    placed: string[];
    missing: string[];
  }>;
  /**
   * Takes the channel out of its members' custom sidebar categories (a closed incident's channel), so that the
   * categories hold the open incidents only. How many people's categories held it; doing it again changes nothing.
   */
  takeOutOfSidebars(channelId: string): Promise<{ people: number }>;
  /** A direct message from the bot, sent once per key (the welcome message). */
  sendDirectMessage(username: string, message: string, key: string): Promise<Post>;
  /** Archives the channel (Mattermost's delete, which keeps its content readable). Archiving twice is not an error. */
  archiveChannel(channelId: string): Promise<void>;

  // --- The post-mortem export ---

  /**
   * One page of the channel's conversation, newest first (Mattermost's own order); `page` counts from 0. An empty page
   * means the end. System messages are included.
   */
  channelPostsPage(channelId: string, page: number, perPage: number): Promise<ChannelPost[]>;
  /** The people with these user IDs; unknown IDs are left out. */
  usersByIds(ids: string[]): Promise<ChatUser[]>;
  /** Uploads the files to the channel and posts the message with them attached, once per key. */
  postFiles(channelId: string, message: string, files: ChatFile[], key: string): Promise<Post>;
}
