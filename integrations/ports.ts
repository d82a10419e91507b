/**
 * The small interfaces (ports) the activities use to reach the outside world. Each external system has one adapter
 * implementing its port (Mattermost, Jira, Zoom, Opsgenie, each on its npm client; PagerDuty on fetch, see its module)
 * and tests may use the in-memory ones. The on-call port has two adapters, Opsgenie and PagerDuty: the worker's
 * ON_CALL_PROVIDER picks one.
 * Every create has a lookup beside it, so that an activity retried after a crash finds what the first attempt made
 * instead of making a second one.
 */
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

/** One post of a channel's conversation, as the post-mortem export reads it. */
export interface ChannelPost {
  id: string;
  /** Milliseconds since the epoch. */
  createAt: number;
  userId: string;
  /** The thread's root post, or '' for a post that starts a thread. */
  rootId: string;
  message: string;
  /** Mattermost's post type: '' for a plain message, 'system_join_channel'… for system messages. */
  type: string;
}

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
  createPost(channelId: string, message: string, key: string, props?: Record<string, unknown>): Promise<Post>;
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

export interface Ticket {
  key: string;
  url: string;
}

export interface TicketPort {
  findIssueByLabel(label: string): Promise<Ticket | undefined>;
  /** Project and issue type fall back to the adapter's configured defaults; components are the project's, by name. */
  createIssue(request: {
    summary: string;
    description: string;
    labels: string[];
    project?: string;
    issueType?: string;
    components?: string[];
  }): Promise<Ticket>;
  /** Whether a comment on the issue already contains this marker (how a retried comment is recognised). */
  hasCommentContaining(issueKey: string, marker: string): Promise<boolean>;
  addComment(issueKey: string, body: string): Promise<void>;
  /** Moves the issue through the transition with this name (or to a status of this name). False when none matches. */
  transitionIssue(issueKey: string, transition: string): Promise<boolean>;
}

export interface Meeting {
  id: string;
  joinUrl: string;
}

export interface MeetingPort {
  /**
   * Meetings carry the idempotency key in their agenda, which is how a retry finds one. Meetings are listed per host, so
   * a retry names the same host as the create (the adapter's configured default host when absent).
   */
  findMeetingByKey(key: string, host?: string): Promise<Meeting | undefined>;
  /** `host`: the e-mail of the user who hosts the meeting; the adapter's configured default host when absent. */
  createMeeting(request: { topic: string; agenda: string; key: string; host?: string }): Promise<Meeting>;
}

/** The on-call services an on-call adapter can stand for. */
export const ON_CALL_PROVIDERS = ['opsgenie', 'pagerduty'] as const;
export type OnCallProvider = (typeof ON_CALL_PROVIDERS)[number];

/**
 * A page: an Opsgenie alert, or the PagerDuty incident an Events API alert opened. `alias` is the incident's own key for
 * it (Opsgenie's alias, PagerDuty's dedup_key), which is how a retry or the resolution finds it again.
 */
export interface Alert {
  /** The service's own ID when known (Opsgenie alert ID, PagerDuty incident ID), else the alias. */
  id: string;
  alias: string;
  status: 'open' | 'closed';
}

/** What a page says. Each service keeps what it can express and leaves out what it cannot. */
export interface PageRequest {
  alias: string;
  /** One line; the launch writes it as "[<severity>] <incident name>". */
  message: string;
  description: string;
  /** The playbook's Opsgenie-style priority, P1 (highest) to P5. */
  priority: string;
  /**
   * The incident's severity ("sev1"), when the caller passes it. Services that page by severity (PagerDuty) otherwise
   * read it from the "[<severity>]" tag the message starts with.
   */
  severity?: string;
}

/**
 * Who is on call, and paging them. Provider-neutral: schedules are named as the service names them (Opsgenie schedule
 * name; PagerDuty schedule name or ID) and people come back as e-mail addresses, which is how the chat knows them.
 * Paging is idempotent by alias: create after a find that came back empty, and a service that deduplicates by alias
 * (both do, for open pages) turns a retried create into the same page.
 */
export interface OnCallPort {
  /**
   * Which service this is: it labels the integration metrics. Absent means Opsgenie (the Opsgenie and in-memory adapters
   * were written before there was a choice).
   */
  readonly provider?: OnCallProvider;
  /** E-mail addresses of who is on call now for the schedule (or the configured default schedule), first responders first. */
  whoIsOnCall(schedule?: string): Promise<string[]>;
  findAlert(alias: string): Promise<Alert | undefined>;
  createAlert(request: PageRequest): Promise<Alert>;
  /** Closes (resolves) the open page with this alias; `note` says why, where the service keeps notes. */
  closeAlert(alias: string, note: string): Promise<void>;
}

export interface IntegrationPorts {
  chat: ChatPort;
  tickets: TicketPort;
  meetings: MeetingPort;
  onCall: OnCallPort;
}
