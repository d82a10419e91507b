/**
 * The small interfaces (ports) the activities use to reach the outside world. Each external system has one adapter
 * implementing its port (Mattermost, Jira, Zoom, Opsgenie, each on its npm client) and tests may use the in-memory ones.
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
}

export interface Ticket {
  key: string;
  url: string;
}

export interface TicketPort {
  findIssueByLabel(label: string): Promise<Ticket | undefined>;
  /** Project and issue type fall back to the adapter's configured defaults. */
  createIssue(request: { summary: string; description: string; labels: string[]; project?: string; issueType?: string }): Promise<Ticket>;
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
  /** Meetings carry the idempotency key in their agenda, which is how a retry finds one. */
  findMeetingByKey(key: string): Promise<Meeting | undefined>;
  createMeeting(request: { topic: string; agenda: string; key: string }): Promise<Meeting>;
}

export interface Alert {
  id: string;
  alias: string;
  status: 'open' | 'closed';
}

export interface OnCallPort {
  /** E-mail addresses of who is on call now for the schedule (or the configured default schedule). */
  whoIsOnCall(schedule?: string): Promise<string[]>;
  findAlert(alias: string): Promise<Alert | undefined>;
  createAlert(request: { alias: string; message: string; description: string; priority: string }): Promise<Alert>;
  closeAlert(alias: string, note: string): Promise<void>;
}

export interface IntegrationPorts {
  chat: ChatPort;
  tickets: TicketPort;
  meetings: MeetingPort;
  onCall: OnCallPort;
}
