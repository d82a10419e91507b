/**
 * In-memory stand-ins for Mattermost, Jira, Zoom and Opsgenie behind the same ports as the real adapters. They keep every
 * record they create and every call they receive, so tests can assert that each side effect happened exactly once.
 *
 * With a journal file the records survive the process: the crash test kills a worker mid-activity and lets a new worker
 * process see what the dead one created. Faults (failures, slow answers) can be injected per operation.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { IntegrationError, type IntegrationSystem } from '../errors.js';
import type {
  Alert,
  Channel,
  ChatPort,
  IntegrationPorts,
  Meeting,
  MeetingPort,
  OnCallPort,
  Post,
  Ticket,
  TicketPort,
} from '../ports.js';

export type WorkspaceOperation =
  | 'createChannel'
  | 'addChannelMembers'
  | 'createPost'
  | 'updatePost'
  | 'pinPost'
  | 'setChannelHeader'
  | 'createIssue'
  | 'addComment'
  | 'transitionIssue'
  | 'createMeeting'
  | 'whoIsOnCall'
  | 'createAlert'
  | 'closeAlert';

const SYSTEM_OF: Record<WorkspaceOperation, IntegrationSystem> = {
  createChannel: 'chat',
  addChannelMembers: 'chat',
  createPost: 'chat',
  updatePost: 'chat',
  pinPost: 'chat',
  setChannelHeader: 'chat',
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
}

export interface WorkspaceRecords {
  users: string[];
  onCall: Record<string, string[]>;
  channels: Array<Channel & { team: string; purpose: string; header: string; members: string[] }>;
  posts: Array<Post & { key: string; pinned: boolean; props?: Record<string, unknown>; edits?: number }>;
  issues: Array<Ticket & { summary: string; description: string; labels: string[]; status: string; comments: string[] }>;
  alerts: Array<Alert & { message: string; priority: string; notes: string[] }>;
  meetings: Array<Meeting & { topic: string; key: string }>;
  calls: Array<{ operation: WorkspaceOperation; at: string }>;
}

export interface InMemoryWorkspaceOptions {
  /** Users known to the chat; anyone else invited is reported missing. Default: anyone is known. */
  users?: string[];
  /** On-call e-mail addresses per schedule; "default" answers when no schedule is named. Users are <name>@example.com. */
  onCall?: Record<string, string[]>;
  journalPath?: string;
  faults?: Partial<Record<WorkspaceOperation, Fault>>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class InMemoryWorkspace implements IntegrationPorts {
  readonly records: WorkspaceRecords;
  private readonly faults: Partial<Record<WorkspaceOperation, Fault>>;
  private readonly knowsEveryone: boolean;

  constructor(private readonly options: InMemoryWorkspaceOptions = {}) {
    this.faults = { ...options.faults };
    this.knowsEveryone = options.users === undefined;
    if (options.journalPath) mkdirSync(dirname(options.journalPath), { recursive: true });
    this.records =
      options.journalPath && existsSync(options.journalPath)
        ? (JSON.parse(readFileSync(options.journalPath, 'utf8')) as WorkspaceRecords)
        : {
            users: options.users ?? [],
            onCall: options.onCall ?? { default: [] },
            channels: [],
            posts: [],
            issues: [],
            alerts: [],
            meetings: [],
            calls: [],
          };
  }

  /** Reads a journal written by another process. */
  static readJournal(path: string): WorkspaceRecords {
    return JSON.parse(readFileSync(path, 'utf8')) as WorkspaceRecords;
  }

  setFault(operation: WorkspaceOperation, fault: Fault | undefined): void {
    if (fault) this.faults[operation] = { ...fault };
    else delete this.faults[operation];
  }

  callCount(operation: WorkspaceOperation): number {
    return this.records.calls.filter((call) => call.operation === operation).length;
  }

  private persist(): void {
    const path = this.options.journalPath;
    if (!path) return;
    writeFileSync(`${path}.tmp`, JSON.stringify(this.records));
    renameSync(`${path}.tmp`, path);
  }

  /** Records the call, applies an injected failure, performs the effect, then applies an injected delay. */
  private async perform<T>(operation: WorkspaceOperation, effect: () => T): Promise<T> {
    this.records.calls.push({ operation, at: new Date().toISOString() });
    const fault = this.faults[operation];
    if (fault?.failures && fault.failures > 0) {
      fault.failures -= 1;
      this.persist();
      const retryable = fault.retryable ?? true;
      throw new IntegrationError(
        SYSTEM_OF[operation],
        `${operation} failed (injected ${retryable ? 'temporary' : 'permanent'} fault)`,
        retryable,
        retryable ? 'Unavailable' : 'BadRequest',
      );
    }
    const result = effect();
    this.persist();
    if (fault?.delayAfterMs) await sleep(fault.delayAfterMs);
    return result;
  }

  private nextId(prefix: string, count: number): string {
    return `${prefix}${String(count + 1).padStart(4, '0')}`;
  }

  readonly chat: ChatPort = {
    findChannelByName: async (team, name) => {
      const found = this.records.channels.find((channel) => channel.team === team && channel.name === name);
      return found && { id: found.id, name: found.name, displayName: found.displayName, private: found.private };
    },
    createChannel: (request) =>
      this.perform('createChannel', () => {
        if (this.records.channels.some((c) => c.team === request.team && c.name === request.name)) {
          throw new IntegrationError('chat', `a channel named ${request.name} already exists`, false, 'Conflict');
        }
        const channel = {
          id: this.nextId('ch', this.records.channels.length),
          name: request.name,
          displayName: request.displayName,
          private: request.private,
          team: request.team,
          purpose: request.purpose,
          header: '',
          members: [] as string[],
        };
        this.records.channels.push(channel);
        return { id: channel.id, name: channel.name, displayName: channel.displayName, private: channel.private };
      }),
    addChannelMembers: (channelId, usernames) =>
      this.perform('addChannelMembers', () => {
        const channel = this.channel(channelId);
        const added: string[] = [];
        const missing: string[] = [];
        for (const user of usernames) {
          if (!this.knowsEveryone && !this.records.users.includes(user)) missing.push(user);
          else {
            if (!channel.members.includes(user)) channel.members.push(user);
            added.push(user);
          }
        }
        return { added, missing };
      }),
    channelUrl: (team, channelName) => `http://chat.invalid/${team}/channels/${channelName}`,
    usernamesForEmails: async (emails) => {
      const found: string[] = [];
      const missing: string[] = [];
      for (const email of emails) {
        const name = /^([^@]+)@example\.com$/i.exec(email)?.[1]?.toLowerCase();
        if (name && (this.knowsEveryone || this.records.users.includes(name))) found.push(name);
        else missing.push(email);
      }
      return { found, missing };
    },
    findPostByKey: async (channelId, key) => {
      const post = this.records.posts.find((p) => p.channelId === channelId && p.key === key);
      return post && { id: post.id, channelId: post.channelId, message: post.message };
    },
    createPost: (channelId, message, key, props) =>
      this.perform('createPost', () => {
        this.channel(channelId);
        const post = { id: this.nextId('post', this.records.posts.length), channelId, message, key, pinned: false, ...(props ? { props } : {}) };
        this.records.posts.push(post);
        return { id: post.id, channelId, message };
      }),
    updatePost: (postId, message, _key, props) =>
      this.perform('updatePost', () => {
        const post = this.records.posts.find((p) => p.id === postId);
        if (!post) throw new IntegrationError('chat', `post ${postId} not found`, false, 'NotFound');
        post.message = message;
        if (props) post.props = props;
        post.edits = (post.edits ?? 0) + 1;
      }),
    pinPost: (postId) =>
      this.perform('pinPost', () => {
        const post = this.records.posts.find((p) => p.id === postId);
        if (!post) throw new IntegrationError('chat', `post ${postId} not found`, false, 'NotFound');
        post.pinned = true;
      }),
    setChannelHeader: (channelId, header) =>
      this.perform('setChannelHeader', () => {
        this.channel(channelId).header = header;
      }),
  };

  readonly tickets: TicketPort = {
    findIssueByLabel: async (label) => {
      const issue = this.records.issues.find((i) => i.labels.includes(label));
      return issue && { key: issue.key, url: issue.url };
    },
    createIssue: (request) =>
      this.perform('createIssue', () => {
        const key = `INC-${this.records.issues.length + 1}`;
        const issue = {
          key,
          url: `http://jira.invalid/browse/${key}`,
          summary: request.summary,
          description: request.description,
          labels: request.labels,
          status: 'Open',
          comments: [] as string[],
        };
        this.records.issues.push(issue);
        return { key, url: issue.url };
      }),
    hasCommentContaining: async (issueKey, marker) =>
      this.issue(issueKey).comments.some((comment) => comment.includes(marker)),
    addComment: (issueKey, body) =>
      this.perform('addComment', () => {
        this.issue(issueKey).comments.push(body);
      }),
    transitionIssue: (issueKey, transition) =>
      this.perform('transitionIssue', () => {
        this.issue(issueKey).status = transition;
        return true;
      }),
  };

  readonly meetings: MeetingPort = {
    findMeetingByKey: async (key) => {
      const meeting = this.records.meetings.find((m) => m.key === key);
      return meeting && { id: meeting.id, joinUrl: meeting.joinUrl };
    },
    createMeeting: (request) =>
      this.perform('createMeeting', () => {
        const id = String(9_000_000_000 + this.records.meetings.length + 1);
        const meeting = { id, joinUrl: `http://zoom.invalid/j/${id}`, ...request };
        this.records.meetings.push(meeting);
        return { id, joinUrl: meeting.joinUrl };
      }),
  };

  readonly onCall: OnCallPort = {
    whoIsOnCall: (schedule) =>
      this.perform('whoIsOnCall', () => [...(this.records.onCall[schedule ?? 'default'] ?? [])]),
    findAlert: async (alias) => {
      const alert = this.records.alerts.find((a) => a.alias === alias);
      return alert && { id: alert.id, alias: alert.alias, status: alert.status };
    },
    createAlert: (request) =>
      this.perform('createAlert', () => {
        const alert = { id: `alert-${this.records.alerts.length + 1}`, status: 'open' as const, notes: [] as string[], ...request };
        this.records.alerts.push(alert);
        return { id: alert.id, alias: alert.alias, status: alert.status };
      }),
    closeAlert: (alias, note) =>
      this.perform('closeAlert', () => {
        const alert = this.records.alerts.find((a) => a.alias === alias);
        if (!alert) throw new IntegrationError('oncall', `alert ${alias} not found`, false, 'NotFound');
        alert.status = 'closed';
        alert.notes.push(note);
      }),
  };

  private issue(key: string): WorkspaceRecords['issues'][number] {
    const issue = this.records.issues.find((i) => i.key === key);
    if (!issue) throw new IntegrationError('tickets', `issue ${key} not found`, false, 'NotFound');
    return issue;
  }

  private channel(channelId: string): WorkspaceRecords['channels'][number] {
    const channel = this.records.channels.find((c) => c.id === channelId);
    if (!channel) throw new IntegrationError('chat', `channel ${channelId} not found`, false, 'NotFound');
    return channel;
  }
}
