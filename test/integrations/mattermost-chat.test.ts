/** The Mattermost adapter through Client4 against the Mattermost sandbox: the happy path and every error class. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGroupActivities } from '../../activities/groups.js';
import { MattermostChat } from '../../integrations/mattermost/mattermost-chat.js';
import { GROUPS_NEED_LICENCE } from '../../integrations/mattermost/chat-failures.js';
import { POST_KEY_PROP } from '../../integrations/mattermost/posts.js';
import { createMattermostSandbox } from '../../sandbox/mattermost/index.js';
import { openDatabase } from '../../store/database.js';
import { StoreSharedLocks } from '../../store/shared-locks.js';
import { failureOf } from '../helpers/integration-errors.js';

/** Enough people for a channel whose members take two pages of 200. */
const crowd = Array.from({ length: 250 }, (_, i) => `member-${String(i + 1).padStart(3, '0')}`);
const sandbox = createMattermostSandbox({
  tokens: { 'mm-bot-token': 'incident-bot', 'plain-bot-token': 'plain-bot' },
  users: [
    { username: 'incident-bot', isBot: true, systemAdmin: true },
    // A bot without the system admin role: it may not arrange other people's sidebars.
    { username: 'plain-bot', isBot: true },
    ...['alice', 'bob', 'carol', 'dave', 'erin', 'oscar', ...crowd].map((username) => ({ username })),
  ],
  groups: [
    { name: 'sre', displayName: 'SRE', members: ['bob', 'carol'] },
    { name: 'dba', displayName: 'Database admins', members: ['carol', 'dave'] },
    // A search for "ops" finds both, "EMEA ops" first (groups are sorted by display name).
    { name: 'ops', displayName: 'Ops', members: ['erin'] },
    { name: 'ops-emea', displayName: 'EMEA ops', members: ['oscar'] },
    // Two pages of members.
    { name: 'everyone', displayName: 'Everyone', members: crowd },
  ],
});
let chat: MattermostChat;
let workDir: string;

beforeAll(async () => {
  const url = await sandbox.server.start();
  chat = new MattermostChat({ url, token: 'mm-bot-token', timeoutMs: 1_000 });
  workDir = await mkdtemp(join(tmpdir(), 'mattermost-chat-test-'));
});
afterAll(async () => {
  await sandbox.server.stop();
  await rm(workDir, { recursive: true, force: true });
});
beforeEach(() => sandbox.server.reset());

let channelCount = 0;
async function incidentChannel(members: string[] = []) {
  const channel = await chat.createChannel({ team: 'default', name: `incident-t${++channelCount}`, displayName: `Incident ${channelCount}`, purpose: '', private: true });
  if (members.length > 0) await chat.addChannelMembers(channel.id, members);
  return channel;
}

describe('Mattermost chat adapter', () => {
  it('creates a channel, finds it by name, adds members, posts, pins and sets the header', async () => {
    expect(await chat.findChannelByName('default', 'incident-abc-db-down')).toBeUndefined();
    const channel = await chat.createChannel({ team: 'default', name: 'incident-abc-db-down', displayName: 'DB down', purpose: 'Incident abc', private: true });
    expect(channel).toMatchObject({ name: 'incident-abc-db-down', displayName: 'DB down', private: true });
    expect(await chat.findChannelByName('default', 'incident-abc-db-down')).toEqual(channel);

    expect(await chat.addChannelMembers(channel.id, ['alice', 'oscar', 'nobody'])).toEqual({ added: ['alice', 'oscar'], missing: ['nobody'] });
    const members = sandbox.members(channel.id);
    expect(members).toContain(sandbox.userId('alice'));
    expect(members).toContain(sandbox.userId('oscar'));

    expect(await chat.findPostByKey(channel.id, 'abc:checklistPost')).toBeUndefined();
    const post = await chat.createPost(channel.id, '#### Checklist', 'abc:checklistPost');
    await chat.createPost(channel.id, 'something else', 'abc:notice:1');
    expect(await chat.findPostByKey(channel.id, 'abc:checklistPost')).toEqual(post);
    expect(sandbox.posts(channel.id).find((p) => p.id === post.id)?.is_pinned).toBe(false);
    await chat.pinPost(post.id);
    expect(sandbox.posts(channel.id).find((p) => p.id === post.id)?.is_pinned).toBe(true);
    // Pinned as it is made: one call.
    const calls = sandbox.server.requests.length;
    const pinnedAtOnce = await chat.createPost(channel.id, '#### Checklist again', 'abc:checklistPost:2', {}, { pinned: true });
    expect(sandbox.server.requests.length - calls).toBe(1);
    expect(sandbox.posts(channel.id).find((p) => p.id === pinnedAtOnce.id)?.is_pinned).toBe(true);

    await chat.setChannelHeader(channel.id, 'Commander: @alice');
    expect(sandbox.channels().find((c) => c.id === channel.id)?.header).toBe('Commander: @alice');
  });

  it('maps on-call e-mail addresses to usernames', async () => {
    expect(await chat.usernamesForEmails(['oscar@example.com', 'stranger@example.com'])).toEqual({
      found: ['oscar'],
      missing: ['stranger@example.com'],
    });
  });

  it('classifies a refused request as permanent, with the server message', async () => {
    const error = await failureOf(chat.createChannel({ team: 'default', name: 'Bad Name!', displayName: 'x', purpose: '', private: false }));
    expect(error).toMatchObject({ system: 'chat', retryable: false, kind: 'BadRequest' });
    expect(error.message).toMatch(/^Mattermost answered 400: /);
    const unknownTeam = await failureOf(chat.findChannelByName('no-such-team', 'x'));
    expect(unknownTeam).toMatchObject({ retryable: false, kind: 'TeamNotFound', message: 'Mattermost has no team named "no-such-team" (or the bot is not in it)' });
  });

  it('classifies bad credentials as permanent', async () => {
    const stranger = new MattermostChat({ url: sandbox.server.url, token: 'wrong', timeoutMs: 1_000 });
    expect(await failureOf(stranger.findChannelByName('default', 'x'))).toMatchObject({ retryable: false, kind: 'Unauthorized' });
  });

  it('keeps Retry-After of a 429, and treats 5xx as temporary', async () => {
    sandbox.server.addFault({ method: 'POST', path: '/api/v4/channels', status: 429, retryAfterSeconds: 2, times: 1 });
    const limited = await failureOf(chat.createChannel({ team: 'default', name: 'incident-x', displayName: 'x', purpose: '', private: false }));
    expect(limited).toMatchObject({ retryable: true, kind: 'RateLimited', retryAfterMs: 2_000 });
    sandbox.server.addFault({ method: 'PUT', path: '/api/v4/channels/[^/]+/patch', status: 503, times: 1 });
    const channel = await chat.createChannel({ team: 'default', name: 'incident-x', displayName: 'x', purpose: '', private: false });
    expect(await failureOf(chat.setChannelHeader(channel.id, 'h'))).toMatchObject({ retryable: true, kind: 'Unavailable' });
  });

  it('treats a dropped connection and a slow answer as temporary', async () => {
    sandbox.server.addFault({ path: '/api/v4/teams/[^/]+/channels/name/.*', drop: true, times: 1 });
    expect(await failureOf(chat.findChannelByName('default', 'x'))).toMatchObject({ retryable: true, kind: 'NetworkError' });
    sandbox.server.addFault({ path: '/api/v4/users/usernames', latencyMs: 1_500, times: 1 });
    expect(await failureOf(chat.addChannelMembers('whatever', ['alice']))).toMatchObject({ retryable: true, kind: 'Timeout' });
  });
});

describe('Mattermost chat adapter: after launch', () => {
  it('lists every member by username, paging through more than 200', async () => {
    const channel = await incidentChannel(['alice', ...crowd]);
    const members = await chat.listChannelMembers(channel.id);
    expect(members).toEqual(['incident-bot', 'alice', ...crowd]);
    const pages = sandbox.server.requestsTo('GET', new RegExp(`^/api/v4/channels/${channel.id}/members$`)).map((r) => r.query.page);
    expect(pages).toEqual(['0', '1']);
  });

  it('puts channels into one custom sidebar category per person, created once and then reused', async () => {
    const teamId = sandbox.teamId('default');
    const aliceId = sandbox.userId('alice');
    const first = await incidentChannel(['alice', 'bob']);
    const second = await incidentChannel(['alice', 'bob']);
    const watched = await incidentChannel(['alice']);
    // Alice's own arrangement, which must survive: a custom category of hers and a favourite.
    await chat.client.createChannelCategory(aliceId, teamId, { user_id: aliceId, team_id: teamId, type: 'custom', display_name: 'Watching', channel_ids: [watched.id] });
    const before = (await chat.client.getChannelCategories(aliceId, teamId)).categories;

    expect(await chat.addToSidebarCategory({ team: 'default', channelId: first.id, usernames: ['alice', 'bob', 'nobody', 'carol'], category: 'Incidents' })).toEqual({
      placed: ['alice', 'bob'],
      // carol exists but is not in the channel, so Mattermost would not keep it in her sidebar.
      missing: ['nobody', 'carol'],
    });
    expect(await chat.addToSidebarCategory({ team: 'default', channelId: second.id, usernames: ['alice', 'bob'], category: 'incidents' })).toEqual({ placed: ['alice', 'bob'], missing: [] });

    for (const username of ['alice', 'bob']) {
      const custom = sandbox.categories(sandbox.userId(username), teamId).filter((c) => c.type === 'custom' && c.display_name.toLowerCase() === 'incidents');
      expect(custom).toHaveLength(1);
      expect(custom[0]).toMatchObject({ display_name: 'Incidents', channel_ids: [first.id, second.id] });
    }
    const after = sandbox.categories(aliceId, teamId);
    expect(after.find((c) => c.display_name === 'Watching')?.channel_ids).toEqual([watched.id]);
    expect(after.filter((c) => c.type !== 'custom').map((c) => c.type)).toEqual(before.filter((c) => c.type !== 'custom').map((c) => c.type));
    // Watching, then Incidents for alice and for bob; nothing in carol's sidebar.
    expect(sandbox.server.requestsTo('POST', /\/channels\/categories$/)).toHaveLength(3);
    expect(sandbox.categories(sandbox.userId('carol'), teamId).some((c) => c.type === 'custom')).toBe(false);

    // Placing a channel already there changes nothing.
    const updates = sandbox.server.requestsTo('PUT', /\/channels\/categories/).length;
    await chat.addToSidebarCategory({ team: 'default', channelId: second.id, usernames: ['alice'], category: 'Incidents' });
    expect(sandbox.server.requestsTo('PUT', /\/channels\/categories/)).toHaveLength(updates);
  });

  it('keeps every channel when many incidents place theirs in the same person\'s sidebar at once', async () => {
    const teamId = sandbox.teamId('default');
    const channels = await Promise.all(Array.from({ length: 12 }, () => incidentChannel(['dave'])));
    // Twelve launches at once, as under an alert storm; two clients, as two workers would be.
    const other = new MattermostChat({ url: sandbox.server.url, token: 'mm-bot-token', timeoutMs: 5_000 });
    const results = await Promise.all(
      channels.map((channel, i) => (i % 2 ? other : chat).addToSidebarCategory({ team: 'default', channelId: channel.id, usernames: ['dave'], category: 'Incidents' })),
    );
    expect(results.filter((result) => result.placed.length !== 1)).toEqual([]);
    const custom = sandbox.categories(sandbox.userId('dave'), teamId).filter((c) => c.type === 'custom' && c.display_name === 'Incidents');
    expect(custom).toHaveLength(1);
    expect([...custom[0]!.channel_ids].sort()).toEqual(channels.map((channel) => channel.id).sort());
  });

  it('keeps every channel when four workers place theirs in the same person\'s sidebar at once, under the store\'s shared lock', async () => {
    const teamId = sandbox.teamId('default');
    const channels: Array<{ id: string }> = [];
    for (let i = 0; i < 16; i++) channels.push(await incidentChannel(['dave']));
    // Writes slower than reads, as on a real server: without a lock all workers share, a write from a stale read lands
    // after another worker read its own write back, and channels went missing unreported in every such run (a quarter
    // of them with four workers).
    sandbox.server.addFault({ method: 'GET', path: '/api/v4/users/.*/categories', latencyMs: 5 });
    sandbox.server.addFault({ method: 'PUT', path: '/api/v4/users/.*/categories/.*', latencyMs: 20 });
    const url = `sqlite:${join(workDir, 'shared-locks.sqlite')}`;
    const stores = await Promise.all(Array.from({ length: 4 }, () => openDatabase({ url })));
    try {
      // Four workers: each its own adapter and its own connection to the store they share.
      const workers = stores.map((store) => new MattermostChat({ url: sandbox.server.url, token: 'mm-bot-token', timeoutMs: 5_000 }, { sharedLocks: new StoreSharedLocks(store.db) }));
      const results = await Promise.all(
        channels.map((channel, i) => workers[i % workers.length]!.addToSidebarCategory({ team: 'default', channelId: channel.id, usernames: ['dave'], category: 'Incidents' })),
      );
      expect(results.filter((result) => result.placed.length !== 1)).toEqual([]);
      const custom = sandbox.categories(sandbox.userId('dave'), teamId).filter((c) => c.type === 'custom' && c.display_name === 'Incidents');
      expect(custom).toHaveLength(1);
      expect([...custom[0]!.channel_ids].sort()).toEqual(channels.map((channel) => channel.id).sort());
      // One read per write (under the shared lock nothing is read back), and fewer writes than placements: a worker's
      // placements that waited for their turn together went in one.
      const reads = sandbox.server.requestsTo('GET', /\/channels\/categories$/).length;
      const writes = sandbox.server.requestsTo('POST', /\/channels\/categories$/).length + sandbox.server.requestsTo('PUT', /\/channels\/categories\//).length;
      expect(reads).toBe(writes);
      expect(writes).toBeLessThan(16);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('reports a bot that may not edit other people\'s sidebars as Forbidden, not worth retrying', async () => {
    // The bot made the channel (so it is a member, as the incident bot always is), but holds no system admin role.
    const plainBot = new MattermostChat({ url: sandbox.server.url, token: 'plain-bot-token', timeoutMs: 1_000 });
    const channel = await plainBot.createChannel({ team: 'default', name: 'incident-plain', displayName: 'Plain', purpose: '', private: true });
    await plainBot.addChannelMembers(channel.id, ['alice']);
    const error = await failureOf(plainBot.addToSidebarCategory({ team: 'default', channelId: channel.id, usernames: ['alice'], category: 'Incidents' }));
    expect(error).toMatchObject({ system: 'chat', kind: 'Forbidden', retryable: false });
    expect(error.message).toMatch(/manage other users' sidebar categories/);
    expect(error.message).toMatch(/system admin role, manage_system/);
    expect(sandbox.categories(sandbox.userId('alice'), sandbox.teamId('default')).some((c) => c.type === 'custom')).toBe(false);
  });

  it('takes an archived channel out of its members\' custom categories, leaving the rest of their sidebars alone', async () => {
    const teamId = sandbox.teamId('default');
    const open = await incidentChannel(['erin', 'oscar']);
    const closing = await incidentChannel(['erin', 'oscar']);
    const watched = await incidentChannel(['erin']);
    for (const channel of [open, closing]) await chat.addToSidebarCategory({ team: 'default', channelId: channel.id, usernames: ['erin', 'oscar'], category: 'Incidents' });
    const erinId = sandbox.userId('erin');
    // Erin also keeps the closing channel under a category of her own: it leaves that one too.
    await chat.client.createChannelCategory(erinId, teamId, { user_id: erinId, team_id: teamId, type: 'custom', display_name: 'Watching', channel_ids: [watched.id] });
    const watching = sandbox.categories(erinId, teamId).find((c) => c.display_name === 'Watching')!;
    expect(watching.channel_ids).toEqual([watched.id]);

    await chat.archiveChannel(closing.id);
    for (const username of ['erin', 'oscar']) {
      const incidents = sandbox.categories(sandbox.userId(username), teamId).find((c) => c.display_name === 'Incidents');
      expect(incidents?.channel_ids, `${username}'s Incidents`).toEqual([open.id]);
    }
    expect(sandbox.categories(erinId, teamId).find((c) => c.display_name === 'Watching')?.channel_ids).toEqual([watched.id]);
    // Again (a retried archive step): nothing more is written.
    const writes = sandbox.server.requestsTo('PUT', /\/channels\/categories/).length;
    await chat.archiveChannel(closing.id);
    expect(sandbox.server.requestsTo('PUT', /\/channels\/categories/)).toHaveLength(writes);
  });

  it('sends a direct message once per key, and refuses an unknown person', async () => {
    const first = await chat.sendDirectMessage('alice', 'Welcome to the incident', 'abc:welcome:alice');
    const again = await chat.sendDirectMessage('alice', 'Welcome to the incident', 'abc:welcome:alice');
    expect(again).toEqual(first);
    const dm = sandbox.channels().find((c) => c.id === first.channelId)!;
    expect(dm.type).toBe('D');
    expect([...sandbox.members(dm.id)].sort()).toEqual([sandbox.userId('incident-bot'), sandbox.userId('alice')].sort());
    expect(sandbox.posts(dm.id).map((p) => [p.message, p.user_id, p.props[POST_KEY_PROP]])).toEqual([
      ['Welcome to the incident', sandbox.userId('incident-bot'), 'abc:welcome:alice'],
    ]);
    // Another key is another message, in the same channel; the bot's id was asked once.
    expect((await chat.sendDirectMessage('alice', 'Second', 'abc:welcome-2:alice')).channelId).toBe(dm.id);
    expect(sandbox.server.requestsTo('GET', /^\/api\/v4\/users\/me$/).length).toBeLessThanOrEqual(1);

    const unknown = await failureOf(chat.sendDirectMessage('nobody', 'hi', 'k'));
    expect(unknown).toMatchObject({ kind: 'NotFound', retryable: false, message: 'Mattermost has no user named "nobody"' });
  });

  it('archives a channel, and archiving it again (or a channel gone for good) is fine', async () => {
    const channel = await incidentChannel();
    await chat.archiveChannel(channel.id);
    await chat.archiveChannel(channel.id);
    expect(sandbox.channels().find((c) => c.id === channel.id)!.delete_at).toBeGreaterThan(0);
    expect(sandbox.server.requestsTo('DELETE', /^\/api\/v4\/channels\/[^/]+$/).map((r) => r.status)).toEqual([200, 400]);
    await chat.archiveChannel('zzzzzzzzzzzzzzzzzzzzzzzzzz');
    // A 400 for another reason stays an error: a direct-message channel cannot be archived.
    const dm = await chat.sendDirectMessage('bob', 'hi', 'k');
    expect(await failureOf(chat.archiveChannel(dm.channelId))).toMatchObject({ kind: 'BadRequest', retryable: false });
  });
});

describe('Mattermost chat adapter: post-mortem export', () => {
  it('pages through 450 posts newest first: three full or partial pages, then an empty one', async () => {
    const channel = await incidentChannel(['alice', 'bob']);
    const seeded = sandbox.seedPosts(channel.id, { count: 450, users: ['alice', 'bob'], startAt: Date.UTC(2024, 4, 1), intervalMs: 1000, threadEvery: 10 });
    const pages = [];
    for (let page = 0; page < 4; page++) pages.push(await chat.channelPostsPage(channel.id, page, 200));
    expect(pages.map((page) => page.length)).toEqual([200, 200, 50, 0]);
    const posts = pages.flat();
    expect(new Set(posts.map((post) => post.id)).size).toBe(450);
    expect(posts.map((post) => post.id)).toEqual([...seeded].reverse());
    for (let i = 1; i < posts.length; i++) expect(posts[i]!.createAt).toBeLessThan(posts[i - 1]!.createAt);
    expect(posts.at(-1)).toEqual({ id: seeded[0], createAt: Date.UTC(2024, 4, 1), userId: sandbox.userId('alice'), rootId: '', message: 'Seeded post 1', type: '' });
    // The 10th post replies to the 9th, the latest root before it.
    expect(posts.find((post) => post.id === seeded[9])).toMatchObject({ rootId: seeded[8], userId: sandbox.userId('bob'), message: 'Seeded post 10' });
  });

  it('names the people behind user ids, bots as bots, leaving unknown ids out', async () => {
    const [botId, aliceId] = [sandbox.userId('incident-bot'), sandbox.userId('alice')];
    expect(await chat.usersByIds([aliceId, 'zzzzzzzzzzzzzzzzzzzzzzzzzz', botId, aliceId])).toEqual([
      { id: aliceId, username: 'alice', email: 'alice@example.com', type: 'user' },
      { id: botId, username: 'incident-bot', email: 'incident-bot@example.com', type: 'bot' },
    ]);
    expect(await chat.usersByIds([])).toEqual([]);
  });

  it('gives an empty e-mail address when Mattermost hides it', async () => {
    const private_ = createMattermostSandbox({ hideEmailAddresses: true, tokens: { 'mm-bot-token': 'helper-bot' }, users: [{ username: 'helper-bot', isBot: true }, { username: 'alice' }] });
    const url = await private_.server.start();
    try {
      const helper = new MattermostChat({ url, token: 'mm-bot-token', timeoutMs: 1_000 });
      expect(await helper.usersByIds([private_.userId('alice')])).toEqual([{ id: private_.userId('alice'), username: 'alice', email: '', type: 'user' }]);
    } finally {
      await private_.server.stop();
    }
  });

  it('uploads files read from disk and posts them once per key', async () => {
    const channel = await incidentChannel(['alice']);
    const csv = join(workDir, 'export.csv');
    const csvBytes = Buffer.from(`id,message\n${Array.from({ length: 20_000 }, (_, i) => `${i},"line ${i}"`).join('\n')}\n`);
    await writeFile(csv, csvBytes);
    const summary = join(workDir, 'summary.md');
    await writeFile(summary, '# Post-mortem\n');
    const files = [
      { name: 'export.csv', path: csv, contentType: 'text/csv' },
      { name: 'summary.md', path: summary, contentType: 'text/markdown' },
    ];

    const post = await chat.postFiles(channel.id, 'Post-mortem export', files, 'abc:export:1');
    expect(await chat.postFiles(channel.id, 'Post-mortem export', files, 'abc:export:1')).toEqual(post);
    expect(sandbox.server.requestsTo('POST', /^\/api\/v4\/files$/)).toHaveLength(2);

    const posted = sandbox.posts(channel.id).find((p) => p.id === post.id)!;
    expect(posted.props[POST_KEY_PROP]).toBe('abc:export:1');
    expect(posted.file_ids).toHaveLength(2);
    const infos = sandbox.files();
    expect(infos.map((f) => [f.name, f.size, f.mime_type, f.post_id, f.channel_id])).toEqual([
      ['export.csv', csvBytes.length, 'text/csv', post.id, channel.id],
      ['summary.md', 14, 'text/markdown', post.id, channel.id],
    ]);
    expect(posted.file_ids).toEqual(infos.map((f) => f.id));
    expect(sandbox.fileContent(infos[0]!.id)!.equals(csvBytes)).toBe(true);
    expect(sandbox.fileContent(infos[1]!.id)!.toString()).toBe('# Post-mortem\n');
  });

  it('classifies a file over the server limit as too large, not worth retrying', async () => {
    const small = createMattermostSandbox({ maxFileSize: 1024 });
    const url = await small.server.start();
    try {
      const limited = new MattermostChat({ url, token: 'mm-bot-token', timeoutMs: 1_000 });
      const channel = await limited.createChannel({ team: 'default', name: 'incident-big', displayName: 'Big', purpose: '', private: false });
      const big = join(workDir, 'big.csv');
      await writeFile(big, Buffer.alloc(4096, 'a'));
      const error = await failureOf(limited.postFiles(channel.id, 'too big', [{ name: 'big.csv', path: big, contentType: 'text/csv' }], 'k'));
      expect(error).toMatchObject({ kind: 'TooLarge', retryable: false });
      expect(small.posts(channel.id)).toEqual([]);
      expect(small.files()).toEqual([]);
    } finally {
      await small.server.stop();
    }
  });
});

const ignore = (): void => undefined;
const quiet = { log: ignore, trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore };

/** A second server, without user groups (no licence for them): every groups route answers 501. */
async function withUnlicensedServer(test: (chat: MattermostChat) => Promise<void>): Promise<void> {
  const unlicensed = createMattermostSandbox({ groupsEnabled: false });
  const url = await unlicensed.server.start();
  try {
    await test(new MattermostChat({ url, token: 'mm-bot-token', timeoutMs: 1_000 }));
    expect(unlicensed.server.requestsTo('GET', /^\/api\/v4\/(groups|users\/[^/]+\/groups)$/).map((r) => r.status)).toContain(501);
  } finally {
    await unlicensed.server.stop();
  }
}

describe('Mattermost chat adapter: servers before 9.11', () => {
  it('adds channel members one call each when the server refuses a list, and asks it only once', async () => {
    const old = createMattermostSandbox({ batchChannelMembers: false });
    const url = await old.server.start();
    try {
      const oldChat = new MattermostChat({ url, token: 'mm-bot-token', timeoutMs: 1_000 });
      const first = await oldChat.createChannel({ team: 'default', name: 'inc-old-1', displayName: 'Old 1', purpose: '', private: true });
      expect(await oldChat.addChannelMembers(first.id, ['alice', 'bob', 'nobody'])).toEqual({ added: ['alice', 'bob'], missing: ['nobody'] });
      const second = await oldChat.createChannel({ team: 'default', name: 'inc-old-2', displayName: 'Old 2', purpose: '', private: true });
      expect(await oldChat.addChannelMembers(second.id, ['carol', 'alice'])).toEqual({ added: ['carol', 'alice'], missing: [] });
      for (const [channel, people] of [[first.id, ['alice', 'bob']], [second.id, ['carol', 'alice']]] as const) {
        expect(old.members(channel)).toEqual(expect.arrayContaining(people.map((name) => old.userId(name))));
      }
      // One refused list, on the first channel; afterwards one call per person.
      const adds = old.server.requestsTo('POST', /^\/api\/v4\/channels\/[^/]+\/members$/).map((r) => r.status);
      expect(adds).toEqual([400, 201, 201, 201, 201]);
    } finally {
      await old.server.stop();
    }
  });
});

describe('Mattermost chat adapter: user groups', () => {
  it('gives the members of several groups once each, and the group names Mattermost does not know', async () => {
    expect(await chat.groupMemberUsernames(['sre', 'dba', 'no-such-group', 'sre'])).toEqual({ found: ['bob', 'carol', 'dave'], missing: ['no-such-group'] });
    expect(await chat.groupMemberUsernames([])).toEqual({ found: [], missing: [] });
  });

  it('takes only the group of the exact name, though the search also finds others', async () => {
    expect(await chat.groupMemberUsernames(['ops'])).toEqual({ found: ['erin'], missing: [] });
    expect(await chat.groupMemberUsernames(['op'])).toEqual({ found: [], missing: ['op'] });
  });

  it('pages through a group of more than 200 members', async () => {
    const { found } = await chat.groupMemberUsernames(['everyone']);
    expect(found).toHaveLength(crowd.length);
    expect(new Set(found)).toEqual(new Set(crowd));
  });

  it('reports every group missing, and why, without failing, on a server without user groups (501)', async () => {
    await withUnlicensedServer(async (unlicensed) => {
      expect(await unlicensed.groupMemberUsernames(['sre', 'dba'])).toEqual({ found: [], missing: ['sre', 'dba'], unavailable: GROUPS_NEED_LICENCE });
      // Whose groups cannot be asked about there: said plainly, not "in no group" (which would refuse without a word).
      await expect(unlicensed.groupNamesOf((await unlicensed.client.getMe()).id)).rejects.toMatchObject({ kind: 'GroupsUnavailable', message: GROUPS_NEED_LICENCE });
    });
  });

  it('treats a 403 or 404 from the groups API as no groups, but a 503 as temporary', async () => {
    sandbox.server.addFault({ method: 'GET', path: '/api/v4/groups', status: 403, times: 1 });
    expect(await chat.groupMemberUsernames(['sre', 'dba'])).toEqual({ found: [], missing: ['sre', 'dba'] });
    sandbox.server.addFault({ method: 'GET', path: '/api/v4/groups', status: 404, times: 1 });
    expect(await chat.groupMemberUsernames(['sre'])).toEqual({ found: [], missing: ['sre'] });
    sandbox.server.addFault({ method: 'GET', path: '/api/v4/groups', status: 503, times: 1 });
    expect(await failureOf(chat.groupMemberUsernames(['sre']))).toMatchObject({ retryable: true, kind: 'Unavailable' });
    sandbox.server.addFault({ method: 'GET', path: '/api/v4/users', status: 503, times: 1 });
    expect(await failureOf(chat.groupMemberUsernames(['sre']))).toMatchObject({ retryable: true, kind: 'Unavailable' });
  });

  it('names the groups a user is in', async () => {
    expect((await chat.groupNamesOf(sandbox.userId('carol'))).sort()).toEqual(['dba', 'sre']);
    expect(await chat.groupNamesOf(sandbox.userId('alice'))).toEqual([]);
  });
});

describe('groupMembers activity over the Mattermost adapter', () => {
  it('answers the members found and the groups missing', async () => {
    const { groupMembers } = createGroupActivities(chat);
    const result = await new MockActivityEnvironment({}, { logger: quiet }).run(groupMembers, { key: 'g1:invite', groups: ['dba', 'sre', 'ghosts'] });
    expect(result).toEqual({ found: ['carol', 'dave', 'bob'], missing: ['ghosts'] });
  });

  it('answers every group missing on a server without user groups, so the incident starts all the same', async () => {
    await withUnlicensedServer(async (unlicensed) => {
      const { groupMembers } = createGroupActivities(unlicensed);
      const result = await new MockActivityEnvironment({}, { logger: quiet }).run(groupMembers, { key: 'g2:invite', groups: ['sre'] });
      expect(result).toEqual({ found: [], missing: ['sre'], unavailable: GROUPS_NEED_LICENCE });
    });
  });
});
