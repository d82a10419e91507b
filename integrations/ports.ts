/**
 * The small interfaces (ports) the launch activities use to reach the outside world. Each external system has one adapter
 * implementing its port; tests and the embedded default use the in-memory adapters. Every create has a lookup beside it, so
 * that an activity retried after a crash finds what the first attempt made instead of making a second one.
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
  /** Finds a post made earlier with this idempotency key. */
  findPostByKey(channelId: string, key: string): Promise<Post | undefined>;
  createPost(channelId: string, message: string, key: string): Promise<Post>;
  pinPost(postId: string): Promise<void>;
  setChannelHeader(channelId: string, header: string): Promise<void>;
}

export interface Ticket {
  key: string;
  url: string;
}

export interface TicketPort {
  findIssueByLabel(label: string): Promise<Ticket | undefined>;
  createIssue(request: { summary: string; description: string; labels: string[] }): Promise<Ticket>;
}

export interface Meeting {
  id: string;
  joinUrl: string;
}

export interface MeetingPort {
  /** Meetings carry the idempotency key in their agenda, which is how a retry finds one. */
  findMeetingByKey(key: string): Promise<Meeting | undefined>;
  createMeeting(request: { topic: string; key: string }): Promise<Meeting>;
}

export interface OnCallPort {
  /** Usernames of who is on call now for the schedule (or the default schedule). */
  whoIsOnCall(schedule?: string): Promise<string[]>;
}

export interface IntegrationPorts {
  chat: ChatPort;
  tickets: TicketPort;
  meetings: MeetingPort;
  onCall: OnCallPort;
}
