/**
 * In-memory stand-ins for Mattermost, Jira, Zoom and Opsgenie behind the same ports as the real adapters, for tests (the
 * product's fakes are the HTTP sandboxes in sandbox/). They keep every record they create and every call they receive,
 * so tests can assert that each side effect happened exactly once.
 *
 * With a journal file the records survive the process: the crash test kills a worker mid-activity and lets a new worker
 * process see what the dead one created. Faults (failures, slow answers) can be injected per operation.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ChannelPost, ChatPort, ChatUser } from '../../activities/ports/chat.js';
import { IntegrationError } from '../../activities/ports/integration-error.js';
import type { IntegrationPorts } from '../../activities/ports/integration-ports.js';
import type { MeetingPort } from '../../activities/ports/meeting.js';
import type { OnCallPort } from '../../activities/ports/on-call.js';
import type { TicketPort } from '../../activities/ports/ticket.js';
import { SYSTEM_OF, type Fault, type InMemoryWorkspaceOptions, type WorkspaceOperation, type WorkspaceRecords } from './in-memory-workspace-records.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class InMemoryWorkspace implements IntegrationPorts {
  readonly records: WorkspaceRecords;
  private readonly faults: Partial<Record<WorkspaceOperation, Fault>>;
  private readonly knowsEveryone: boolean;
  private sidebarForbidden: boolean;

  constructor(private readonly options: InMemoryWorkspaceOptions = {}) {
    this.faults = { ...options.faults };
    this.knowsEveryone = options.users === undefined;
    this.sidebarForbidden = options.sidebarForbidden ?? false;
    if (options.journalPath) mkdirSync(dirname(options.journalPath), { recursive: true });
    this.records =
      options.journalPath && existsSync(options.journalPath)
        ? InMemoryWorkspace.readJournal(options.journalPath)
        : {
            users: options.users ?? [],
            bots: options.bots ?? ['incident-bot'],
            onCall: options.onCall ?? { default: [] },
            channels: [],
            posts: [],
            sidebars: {},
            directMessages: [],
            channelPosts: {},
            files: [],
            issues: [],
            alerts: [],
            meetings: [],
            calls: [],
          };
  }

  /** Reads a journal written by another process (one written before a record kind existed gets it empty). */
  static readJournal(path: string): WorkspaceRecords {
    const records = JSON.parse(readFileSync(path, 'utf8')) as Partial<WorkspaceRecords> &
      Omit<WorkspaceRecords, 'bots' | 'sidebars' | 'directMessages' | 'channelPosts' | 'files'>;
    return { bots: ['incident-bot'], sidebars: {}, directMessages: [], channelPosts: {}, files: [], ...records };
  }

  /** Makes addToSidebarCategory refuse (Forbidden) or work again. */
  setSidebarForbidden(forbidden: boolean): void {
    this.sidebarForbidden = forbidden;
  }

  /**
   * Seeds a channel's conversation for the post-mortem export (appended to what was seeded before); `id` and `createAt`
   * default to "<channel id>-post-<n>" and one millisecond after the previous post, `rootId` and `type` to ''.
   */
  seedChannelPosts(channelId: string, posts: Array<Partial<ChannelPost> & Pick<ChannelPost, 'userId' | 'message'>>): ChannelPost[] {
    const list = (this.records.channelPosts[channelId] ??= []);
    const seeded = posts.map((post) => {
      const previous = list.at(-1);
      const full: ChannelPost = {
        id: post.id ?? `${channelId}-post-${list.length + 1}`,
        createAt: post.createAt ?? (previous ? previous.createAt + 1 : Date.UTC(2024, 0, 1)),
        userId: post.userId,
        rootId: post.rootId ?? '',
        message: post.message,
        type: post.type ?? '',
      };
      list.push(full);
      return full;
    });
    this.persist();
    return seeded.map((post) => ({ ...post }));
  }

  /** The bytes of a file postFiles uploaded, or undefined for an unknown id. */
  fileContent(fileId: string): Buffer | undefined {
    const file = this.records.files.find((f) => f.id === fileId);
    return file && Buffer.from(file.contentBase64, 'base64');
  }

  setFault(operation: WorkspaceOperation, fault: Fault | undefined): void {
    if (fault) this.faults[operation] = { ...fault };
    else delete this.faults[operation];
  }

  /** Runs `body` with these faults set, and clears them after it, whether it passed or threw. */
  async withFaults<T>(faults: Partial<Record<WorkspaceOperation, Fault>>, body: () => Promise<T>): Promise<T> {
    const operations = Object.keys(faults) as WorkspaceOperation[];
    for (const operation of operations) this.setFault(operation, faults[operation]);
    try {
      return await body();
    } finally {
      for (const operation of operations) this.setFault(operation, undefined);
    }
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

  /**
   * Records the call, applies an injected failure, performs the effect, then applies an injected delay. A failure
   * `afterEffect` comes after the effect: done, but the caller never hears so.
   */
  private async perform<T>(operation: WorkspaceOperation, effect: () => T): Promise<T> {
    this.records.calls.push({ operation, at: new Date().toISOString() });
    const fault = this.faults[operation];
    if (fault?.failures && fault.failures > 0) {
      fault.failures -= 1;
      if (fault.afterEffect) effect();
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
          archived: false,
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
    groupMemberUsernames: (groupNames) =>
      this.perform('groupMemberUsernames', () => {
        const groups = this.options.groups ?? {};
        const found = new Set<string>();
        const missing: string[] = [];
        for (const name of new Set(groupNames)) {
          const members = Object.hasOwn(groups, name) ? groups[name] : undefined;
          if (!members) missing.push(name);
          else for (const member of members) if (this.knows(member)) found.add(member);
        }
        return { found: [...found], missing };
      }),
    usernamesForEmails: (emails) =>
      this.perform('usernamesForEmails', () => {
        const found: string[] = [];
        const missing: string[] = [];
        for (const email of emails) {
          const name = /^([^@]+)@example\.com$/i.exec(email)?.[1]?.toLowerCase();
          if (name && (this.knowsEveryone || this.records.users.includes(name))) found.push(name);
          else missing.push(email);
        }
        return { found, missing };
      }),
    findPostByKey: async (channelId, key) => {
      const post = this.records.posts.find((p) => p.channelId === channelId && p.key === key);
      return post && { id: post.id, channelId: post.channelId, message: post.message };
    },
    createPost: (channelId, message, key, props, options) =>
      this.perform('createPost', () => {
        this.openChannel(channelId);
        const post = { id: this.nextId('post', this.records.posts.length), channelId, message, key, pinned: options?.pinned === true, ...(props ? { props } : {}) };
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

    listChannelMembers: async (channelId) => [...this.channel(channelId).members],
    addToSidebarCategory: (request) =>
      this.perform('addToSidebarCategory', () => {
        const channel = this.channel(request.channelId);
        const placed: string[] = [];
        const missing: string[] = [];
        for (const username of request.usernames) {
          if (!this.knows(username)) {
            missing.push(username);
            continue;
          }
          if (this.sidebarForbidden) {
            throw new IntegrationError(
              'chat',
              `Mattermost refused to change @${username}'s sidebar (403): the incident bot needs permission to manage other ` +
                `users' sidebar categories (the system admin role, manage_system).`,
              false,
              'Forbidden',
            );
          }
          // Mattermost drops a channel the person is not a member of from their sidebar: reported missing too.
          if (!channel.members.includes(username)) {
            missing.push(username);
            continue;
          }
          const categories = (this.records.sidebars[username] ??= []);
          const wanted = request.category.trim().toLowerCase();
          const existing = categories.find((c) => c.team === request.team && c.category.trim().toLowerCase() === wanted);
          if (!existing) categories.push({ team: request.team, category: request.category, channelIds: [request.channelId] });
          else if (!existing.channelIds.includes(request.channelId)) existing.channelIds.push(request.channelId);
          placed.push(username);
        }
        return { placed, missing };
      }),
    sendDirectMessage: (username, message, key) =>
      this.perform('sendDirectMessage', () => {
        if (!this.knows(username)) throw new IntegrationError('chat', `Mattermost has no user named "${username}"`, false, 'NotFound');
        const earlier = this.records.directMessages.find((dm) => dm.username === username && dm.key === key);
        if (earlier) return { id: earlier.id, channelId: earlier.channelId, message: earlier.message };
        const dm = { id: this.nextId('dm', this.records.directMessages.length), channelId: `dm-${username}`, message, username, key };
        this.records.directMessages.push(dm);
        return { id: dm.id, channelId: dm.channelId, message };
      }),
    archiveChannel: (channelId) =>
      this.perform('archiveChannel', () => {
        // Archiving twice is fine, and a channel that is gone altogether counts as archived (as the adapter's 404 does).
        const channel = this.records.channels.find((c) => c.id === channelId);
        if (channel) channel.archived = true;
        // As the Mattermost adapter does: an archived channel leaves every sidebar category it was put in.
        this.removeFromSidebars(channelId);
      }),
    takeOutOfSidebars: (channelId) => this.perform('takeOutOfSidebars', () => ({ people: this.removeFromSidebars(channelId) })),
    channelPostsPage: async (channelId, page, perPage) => {
      const seeded = this.records.channelPosts[channelId];
      if (!seeded) this.channel(channelId);
      // Newest first; posts seeded with the same time keep the later-seeded one first, as a stable sort gives.
      const newest = [...(seeded ?? [])].reverse().sort((a, b) => b.createAt - a.createAt);
      const size = Math.min(Math.max(perPage, 0), 200);
      return newest.slice(page * size, page * size + size).map((post) => ({ ...post }));
    },
    usersByIds: async (ids) =>
      [...new Set(ids)].flatMap((id): ChatUser[] =>
        // In memory a user's ID is the username.
        this.knows(id) ? [{ id, username: id, email: `${id}@example.com`, type: this.records.bots.includes(id) ? 'bot' : 'user' }] : [],
      ),
    postFiles: (channelId, message, files, key) =>
      this.perform('postFiles', () => {
        const earlier = this.records.posts.find((p) => p.channelId === channelId && p.key === key);
        if (earlier) return { id: earlier.id, channelId, message: earlier.message };
        this.openChannel(channelId);
        const postId = this.nextId('post', this.records.posts.length);
        const fileIds = files.map((file) => {
          const content = readFileSync(file.path);
          const record = {
            id: this.nextId('file', this.records.files.length),
            channelId,
            postId,
            name: file.name,
            contentType: file.contentType,
            size: content.length,
            contentBase64: content.toString('base64'),
          };
          this.records.files.push(record);
          return record.id;
        });
        this.records.posts.push({ id: postId, channelId, message, key, pinned: false, fileIds });
        return { id: postId, channelId, message };
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
          ...(request.components?.length ? { components: [...request.components] } : {}),
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
    sameIncidentIssues: async (issueKey) => {
      const label = this.issue(issueKey).labels.find((l) => l.startsWith('incident-'));
      return label ? this.records.issues.filter((i) => i.key !== issueKey && i.labels.includes(label)).map((i) => ({ key: i.key, url: i.url })) : [];
    },
  };

  readonly meetings: MeetingPort = {
    findMeetingByKey: async (key, host) => {
      // Zoom lists meetings per host: a meeting made for another host is not found (undefined host: the default one).
      const meeting = this.records.meetings.find((m) => m.key === key && m.host === host);
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
    // Its pages are found again by alias and closed with a note, as Opsgenie's are; the metrics label it so, as before.
    provider: 'opsgenie',
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

  /** Takes the channel out of every sidebar category; how many people's categories held it. */
  private removeFromSidebars(channelId: string): number {
    let people = 0;
    for (const categories of Object.values(this.records.sidebars)) {
      let held = false;
      for (const category of categories) {
        held ||= category.channelIds.includes(channelId);
        category.channelIds = category.channelIds.filter((id) => id !== channelId);
      }
      if (held) people++;
    }
    return people;
  }

  private channel(channelId: string): WorkspaceRecords['channels'][number] {
    const channel = this.records.channels.find((c) => c.id === channelId);
    if (!channel) throw new IntegrationError('chat', `channel ${channelId} not found`, false, 'NotFound');
    return channel;
  }

  /** A channel that takes posts: Mattermost refuses posts in an archived channel with a 400. */
  private openChannel(channelId: string): WorkspaceRecords['channels'][number] {
    const channel = this.channel(channelId);
    if (channel.archived) throw new IntegrationError('chat', `channel ${channelId} is archived`, false, 'BadRequest');
    return channel;
  }

  private knows(username: string): boolean {
    return this.knowsEveryone || this.records.users.includes(username);
  }
}
