/**
 * What the in-memory workspace (in-memory-workspace.ts) keeps and how a test configures it: the operations it counts
 * and can fail, the faults, the records every stand-in writes (and the journal holds), and the options.
 */
import type { Channel, ChannelPost, Post } from '../../activities/ports/chat.js';
import type { IntegrationSystem } from '../../activities/ports/integration-error.js';
import type { Meeting } from '../../activities/ports/meeting.js';
import type { Alert } from '../../activities/ports/on-call.js';
import type { Ticket } from '../../activities/ports/ticket.js';

export type WorkspaceOperation =
  | 'createChannel'
  | 'addChannelMembers'
  | 'createPost'
  | 'updatePost'
  | 'pinPost'
  | 'setChannelHeader'
  | 'takeOutOfSidebars'
  | 'addToSidebarCategory'
  | 'sendDirectMessage'
  | 'archiveChannel'
  | 'postFiles'
  | 'groupMemberUsernames'
  | 'usernamesForEmails'
  | 'createIssue'
  | 'addComment'
  | 'transitionIssue'
  | 'createMeeting'
  | 'whoIsOnCall'
  | 'createAlert'
  | 'closeAlert';

/** The role an operation belongs to: its injected failures are that role's IntegrationError. */
export const SYSTEM_OF: Record<WorkspaceOperation, IntegrationSystem> = {
  createChannel: 'chat',
  addChannelMembers: 'chat',
  createPost: 'chat',
  updatePost: 'chat',
  pinPost: 'chat',
  setChannelHeader: 'chat',
  addToSidebarCategory: 'chat',
  takeOutOfSidebars: 'chat',
  sendDirectMessage: 'chat',
  archiveChannel: 'chat',
  postFiles: 'chat',
  groupMemberUsernames: 'chat',
  usernamesForEmails: 'chat',
  createIssue: 'tickets',
  addComment: 'tickets',
  transitionIssue: 'tickets',
  createMeeting: 'meetings',
  whoIsOnCall: 'oncall',
  createAlert: 'oncall',
  closeAlert: 'oncall',
};

export interface Fault {
  /** Fail this many calls, then succeed. Infinity fails every call. */
  failures?: number;
  /** Whether the failure is one a retry can fix (a 503) or not (a 400). */
  retryable?: boolean;
  /** Answer this much later, after the side effect is done: a slow network on the way back. */
  delayAfterMs?: number;
  /** Fail (as `failures` counts) after the side effect is done: the answer is lost, what was asked was done. */
  afterEffect?: boolean;
}

export interface WorkspaceRecords {
  users: string[];
  /** Usernames that are bots (usersByIds answers type "bot" for them). */
  bots: string[];
  onCall: Record<string, string[]>;
  channels: Array<Channel & { team: string; purpose: string; header: string; members: string[]; archived?: boolean }>;
  /** `fileIds` on posts made by postFiles (ids into `files`). */
  posts: Array<Post & { key: string; pinned: boolean; props?: Record<string, unknown>; edits?: number; fileIds?: string[] }>;
  /** username -> that user's custom sidebar categories, in creation order. */
  sidebars: Record<string, Array<{ team: string; category: string; channelIds: string[] }>>;
  /** Direct messages from the bot; channelId is "dm-<username>". */
  directMessages: Array<Post & { username: string; key: string }>;
  /** Each channel's conversation as tests seeded it (seedChannelPosts), in the order given; channelPostsPage reads it. */
  channelPosts: Record<string, ChannelPost[]>;
  /** Files uploaded by postFiles, with their bytes in base64 (read them with fileContent). */
  files: Array<{ id: string; channelId: string; postId: string; name: string; contentType: string; size: number; contentBase64: string }>;
  /** `components` only when the create named some. */
  issues: Array<Ticket & { summary: string; description: string; labels: string[]; components?: string[]; status: string; comments: string[] }>;
  alerts: Array<Alert & { message: string; priority: string; notes: string[] }>;
  /** `host` only when the create named one (otherwise the adapter's default host holds it). */
  meetings: Array<Meeting & { topic: string; key: string; host?: string }>;
  calls: Array<{ operation: WorkspaceOperation; at: string }>;
}

export interface InMemoryWorkspaceOptions {
  /** Users known to the chat; anyone else invited is reported missing. Default: anyone is known. */
  users?: string[];
  /** Which usernames are bots. Default: incident-bot. */
  bots?: string[];
  /** addToSidebarCategory refuses as Mattermost does when the bot may not edit other users' sidebars (Forbidden). */
  sidebarForbidden?: boolean;
  /**
   * Mattermost user groups: group name -> member usernames. Default: none, so every group a playbook names is reported
   * missing (as by a server without user groups).
   */
  groups?: Record<string, string[]>;
  /** On-call e-mail addresses per schedule; "default" answers when no schedule is named. Users are <name>@example.com. */
  onCall?: Record<string, string[]>;
  journalPath?: string;
  faults?: Partial<Record<WorkspaceOperation, Fault>>;
}
