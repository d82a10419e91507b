/**
 * The post-mortem export through the real Mattermost adapter against the Mattermost sandbox, with 20,000-post channels:
 * every post exactly once and oldest first (also while people keep posting), CSV that parses back, memory bounded by a
 * page rather than by the channel, the spool file removed, and the export posted to the channel by the activity.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostmortemActivities, type PostmortemExportRequest, type PostmortemExportResult } from '../../activities/postmortem.js';
import type { IncidentView } from '../../domain/incident.js';
import { MattermostChat } from '../../integrations/mattermost/mattermost-chat.js';
import { exportPostmortemFiles, writePostmortemExport } from '../../exports/postmortem-export.js';
import { createMattermostSandbox } from '../../sandbox/mattermost/index.js';
import { parseCsv, REPORTED_AT, resolvedIncidentView } from '../helpers/postmortem-fixtures.js';

// A forced collection before each sample measures what the export keeps alive, not when V8 chose to collect garbage.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const POSTS = 20_000;
const TRICKY = 'Rolled back, "v2.3" is live\nnext: watch 5xx, then "close"';
const sandbox = createMattermostSandbox();
let chat: MattermostChat;
let work: string;

async function incidentChannel(name: string): Promise<{ view: IncidentView; channelId: string }> {
  const channel = await chat.createChannel({ team: 'default', name, displayName: name, purpose: '', private: false });
  await chat.addChannelMembers(channel.id, ['alice', 'bob', 'carol', 'incident-bot']);
  const base = resolvedIncidentView();
  return { view: { ...base, links: { ...base.links, channelId: channel.id, channelName: channel.name } }, channelId: channel.id };
}

beforeAll(async () => {
  const url = await sandbox.server.start();
  chat = new MattermostChat({ url, token: 'mm-bot-token', timeoutMs: 10_000 });
  work = await mkdtemp(join(tmpdir(), 'postmortem-test-'));
});
afterAll(async () => {
  await sandbox.server.stop();
  await rm(work, { recursive: true, force: true });
});

describe('post-mortem export of a 20,000-post channel', () => {
  let view: IncidentView;
  let channelId: string;
  let expectedIds: string[];

  beforeAll(async () => {
    ({ view, channelId } = await incidentChannel('incident-pm-7-orders'));
    // Threads every 4th post; the last two posts go through the API, one with commas, quotes and a line break.
    sandbox.seedPosts(channelId, { count: POSTS - 2, startAt: Date.parse(REPORTED_AT), intervalMs: 1_000, threadEvery: 4, users: ['alice', 'bob', 'carol'] });
    await chat.createPost(channelId, TRICKY, 'tricky');
    await chat.createPost(channelId, 'Closing the incident.', 'last');
    expectedIds = sandbox.posts(channelId).map((post) => post.id);
    expect(expectedIds).toHaveLength(POSTS);
  });

  it('writes every post once, oldest first, in all three formats, even while people keep posting', async () => {
    const pages: Array<[number, number, string]> = [];
    const spoolsBefore = await spoolFiles();
    const dir = join(work, 'all-formats');
    const result = await exportPostmortemFiles({
      chat,
      incident: view,
      formats: ['markdown', 'json', 'csv'],
      dir,
      onPage: (page, posts, phase) => {
        pages.push([page, posts, phase]);
        // New posts between two pages shift every later page: the ones pushed onto the next page must not repeat.
        if (phase === 'read' && (page === 3 || page === 40)) sandbox.seedPosts(channelId, { count: 37, users: ['dave'] });
      },
    });
    expect(result.posts).toBe(POSTS);
    expect(result.files.map((file) => file.name)).toEqual(['incident-pm-7-postmortem.md', 'incident-pm-7-postmortem.json', 'incident-pm-7-postmortem.csv']);
    // The 74 new posts pushed the oldest ones onto one more page; the 74 seen twice were dropped.
    const pageCount = Math.ceil((POSTS + 74) / 200);
    expect(pages.filter(([, , phase]) => phase === 'read').at(-1)).toEqual([pageCount, POSTS, 'read']);
    expect(pages.filter(([, , phase]) => phase === 'write').at(-1)).toEqual([pageCount, POSTS, 'write']);
    expect(await spoolFiles()).toEqual(spoolsBefore);

    const csv = await readFile(join(dir, 'incident-pm-7-postmortem.csv'), 'utf8');
    const rows = parseCsv(csv);
    expect(rows).toHaveLength(POSTS + 1);
    expect(rows[0]).toEqual(['Post Creation Time', 'User Id', 'User Email', 'User Type', 'User Name', 'Post Id', 'Parent Post Id', 'Post Message', 'Post Type']);
    for (const row of rows) expect(row).toHaveLength(9);
    expect(rows.slice(1).map((row) => row[5])).toEqual(expectedIds);
    expect(rows[1]).toEqual([REPORTED_AT, sandbox.userId('alice'), 'alice@example.com', 'user', 'alice', expectedIds[0], '', 'Seeded post 1', 'message']);
    expect(rows.at(-2)!.slice(3)).toEqual(['bot', 'incident-bot', expectedIds.at(-2), '', TRICKY, 'message']);
    expect(rows.at(-1)![7]).toBe('Closing the incident.');
    // Replies name their thread's root.
    expect(rows[4]!.slice(5, 7)).toEqual([expectedIds[3], expectedIds[2]]);
    const times = rows.slice(1).map((row) => Date.parse(row[0]!));
    expect(times.every((time, i) => i === 0 || time >= times[i - 1]!)).toBe(true);

    const json = JSON.parse(await readFile(join(dir, 'incident-pm-7-postmortem.json'), 'utf8'));
    expect(json.incident.id).toBe('pm-7');
    expect(json.posts.map((post: { id: string }) => post.id)).toEqual(expectedIds);
    expect(json.posts.at(-2)).toMatchObject({ message: TRICKY, username: 'incident-bot', userType: 'bot' });

    const markdown = await readFile(join(dir, 'incident-pm-7-postmortem.md'), 'utf8');
    expect(markdown.startsWith('# Post-mortem: Incident #42 (pm-7): Orders database down\n')).toBe(true);
    const conversation = markdown.slice(markdown.indexOf('\n## Conversation\n'));
    expect(conversation.indexOf('Seeded post 1\n')).toBeGreaterThan(0);
    expect(conversation.indexOf('Seeded post 1\n')).toBeLessThan(conversation.indexOf(`Seeded post ${POSTS - 2}\n`));
    expect(conversation.indexOf(`Seeded post ${POSTS - 2}\n`)).toBeLessThan(conversation.indexOf('Closing the incident.'));
    expect(conversation).toContain('> ↳ **');
    expect(conversation).toContain('_20,000 posts in the channel._');
  });

  it('keeps memory bounded by a page: heap growth stays far below the size of the CSV', async () => {
    // 2,600-character messages make a CSV of over 50 MB.
    const { view: big, channelId: bigChannel } = await incidentChannel('incident-pm-7-big');
    sandbox.seedPosts(bigChannel, { count: POSTS, intervalMs: 1_000, message: 'x'.repeat(2_600), users: ['alice', 'bob'] });
    // Flattens the seeded strings in the sandbox (V8 keeps them as ropes until first read), so that cost is not ours.
    // Not through expect(): it would keep the 50 MB copy alive into the measurement.
    const seeded = sandbox.posts(bigChannel).length;
    if (seeded !== POSTS) throw new Error(`seeded ${seeded} posts`);

    // Buffers live outside the JS heap: heapUsed alone would not see a spool held in memory.
    const used = () => {
      const { heapUsed, external } = process.memoryUsage();
      return heapUsed + external;
    };
    gc();
    const baseline = used();
    // Every page is sampled; every 10th sample first collects garbage (a full collection costs ~70 ms here, too much
    // for all 200), which gives the heap the export really holds at 20 points spread over both passes.
    let retainedPeak = 0;
    let rawPeak = 0;
    let samples = 0;
    const sample = () => {
      samples += 1;
      if (samples % 10 === 0) gc();
      const growth = used() - baseline;
      rawPeak = Math.max(rawPeak, growth);
      if (samples % 10 === 0) retainedPeak = Math.max(retainedPeak, growth);
    };
    const out = discard();
    const result = await writePostmortemExport({ chat, incident: big, format: 'csv', out, onPage: sample });
    expect(result.posts).toBe(POSTS);
    expect(out.bytes).toBe(result.bytes);
    expect(result.bytes).toBeGreaterThan(50 * 1024 * 1024);
    expect(samples).toBe(2 * (POSTS / 200));
    // A page is ~0.5 MB of posts; holding the channel would keep > 50 MB alive.
    expect(retainedPeak).toBeLessThan(16 * 1024 * 1024);
    // Uncollected garbage included, growth still stays below the output (a bound on GC timing, hence loose).
    expect(rawPeak).toBeLessThan(result.bytes);
  });

  it('stops with the spool removed when Mattermost fails, before or after the output began', async () => {
    const spoolsBefore = await spoolFiles();
    sandbox.server.addFault({ method: 'GET', path: `/api/v4/channels/${channelId}/posts`, status: 403, times: 1 });
    const early = discard();
    await expect(writePostmortemExport({ chat, incident: view, format: 'json', out: early })).rejects.toMatchObject({ system: 'chat', retryable: false, kind: 'Forbidden' });
    // Nothing was written: a caller can still answer with an error instead of a truncated file.
    expect(early.bytes).toBe(0);
    expect(await spoolFiles()).toEqual(spoolsBefore);

    // The authors are looked up while writing: the head is out when this fails.
    sandbox.server.addFault({ method: 'POST', path: '/api/v4/users/ids', status: 503, times: 1 });
    const late = discard();
    await expect(writePostmortemExport({ chat, incident: view, format: 'json', out: late })).rejects.toMatchObject({ system: 'chat', retryable: true, kind: 'Unavailable' });
    expect(late.bytes).toBeGreaterThan(0);
    expect(late.writableEnded).toBe(false);
    expect(await spoolFiles()).toEqual(spoolsBefore);
  });

  it('stops at the next page when its signal is aborted, spool removed, nothing written', async () => {
    const spoolsBefore = await spoolFiles();
    const stop = new AbortController();
    const reason = new Error('the client closed the connection');
    const out = discard();
    let lastPage = 0;
    const exporting = writePostmortemExport({
      chat,
      incident: view,
      format: 'csv',
      out,
      signal: stop.signal,
      onPage: (page) => {
        lastPage = page;
        if (page === 5) stop.abort(reason);
      },
    });
    await expect(exporting).rejects.toBe(reason);
    expect(lastPage).toBe(5);
    expect(out.bytes).toBe(0);
    expect(await spoolFiles()).toEqual(spoolsBefore);
  });

  it('the activity posts the files to the incident channel, heartbeating each page, and leaves nothing on disk', async () => {
    const { exportPostmortem } = createPostmortemActivities(chat);
    const environment = new MockActivityEnvironment({}, { logger: quiet });
    const heartbeats: unknown[] = [];
    environment.on('heartbeat', (details: unknown) => heartbeats.push(details));
    const before = await readdir(tmpdir());
    const request: PostmortemExportRequest = { key: 'pm-7:exportPostmortem-1', incident: view, formats: ['markdown', 'csv'], requestedBy: 'carol' };
    const result: PostmortemExportResult = await environment.run(exportPostmortem, request);
    expect(result.posts).toBeGreaterThanOrEqual(POSTS);
    expect(result.files.map((file) => file.name)).toEqual(['incident-pm-7-postmortem.md', 'incident-pm-7-postmortem.csv']);
    const progress = (phase: string) => heartbeats.filter((beat): beat is { page: number; posts: number } => (beat as { phase?: string } | undefined)?.phase === phase);
    const pages = Math.ceil(result.posts / 200);
    expect(progress('read').at(-1)).toEqual({ page: pages, posts: result.posts, phase: 'read' });
    expect(progress('write').map((beat) => beat.page)).toEqual(Array.from({ length: pages }, (_, i) => i + 1));

    const post = sandbox.posts(channelId).find((candidate) => candidate.id === result.postId)!;
    expect(post.message).toMatch(/^Post-mortem export for incident #42 pm-7 \(Orders database down\) requested by @carol: \d{2},\d{3} posts\.$/);
    const files = sandbox.files().filter((file) => file.post_id === result.postId);
    expect(files.map((file) => [file.name, file.size])).toEqual(result.files.map((file) => [file.name, file.bytes]));
    const csv = sandbox.fileContent(files[1]!.id)!.toString('utf8');
    expect(parseCsv(csv)).toHaveLength(result.posts + 1);
    expect((await readdir(tmpdir())).filter((name) => name.startsWith('postmortem-') && !before.includes(name))).toEqual([]);

    // A retry after the upload finds the post and makes no second one.
    const again = await new MockActivityEnvironment({}, { logger: quiet }).run(exportPostmortem, request);
    expect(again).toMatchObject({ postId: result.postId, reused: true });
  });

  it('the activity fails for good when the incident has no channel', async () => {
    const { exportPostmortem } = createPostmortemActivities(chat);
    const { channelId: _none, ...links } = view.links;
    const error = await new MockActivityEnvironment({}, { logger: quiet })
      .run(exportPostmortem, { key: 'pm-7:exportPostmortem-2', incident: { ...view, links }, formats: ['csv'], requestedBy: 'carol' } satisfies PostmortemExportRequest)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ nonRetryable: true, type: 'PostmortemNoChannel' });
  });
});

const ignore = () => undefined;
const quiet = { log: ignore, trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore };

/** A sink that counts bytes and drops them (slowly enough now and then that backpressure is exercised). */
function discard(): Writable & { bytes: number } {
  let writes = 0;
  const sink = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      sink.bytes += chunk.length;
      if (++writes % 10 === 0) setImmediate(callback);
      else callback();
    },
  }) as Writable & { bytes: number };
  sink.bytes = 0;
  return sink;
}

async function spoolFiles(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((name) => name.startsWith('postmortem-pm-7-') && name.endsWith('.ndjson')).sort();
}
