/**
 * Writes an incident's post-mortem export (Markdown, JSON or CSV; see formats/postmortem-report.ts) with the channel's
 * whole conversation, oldest post first, in memory bounded by about one page of posts, whatever the channel's size.
 *
 * The chat hands out pages newest first, and page numbers shift when people post during the export. So:
 * 1. Read newest → oldest, appending each page's posts to a temporary NDJSON spool file and remembering where each page
 *    starts. A post that a shift pushed onto the next page appears twice; the previous page's ids catch it.
 * 2. Read the spool backwards, a page at a time, reverse each page, and write it out: oldest first.
 * Authors are looked up per page in batches and cached (a channel has few distinct authors). The spool is removed
 * whatever happens. Writes respect the output's backpressure, so a slow reader (an HTTP client) slows the export down
 * instead of filling memory.
 *
 * Posts deleted during the export can shift pages the other way and be missed; the export is a snapshot of a live
 * channel and says so only by its time.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rm, stat, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { IncidentView } from '../domain/incident.js';
import {
  csvHeader,
  csvPost,
  jsonPost,
  jsonReportHead,
  jsonReportTail,
  markdownConversation,
  markdownReportHead,
  postmortemFileName,
  POSTMORTEM_FILE_TYPES,
  type PostmortemFormat,
} from '../formats/postmortem-report.js';
import { IntegrationError } from '../activities/ports/integration-error.js';
import type { ChannelPost, ChatPort, ChatUser } from '../activities/ports/chat.js';

/** Mattermost's largest page. */
export const DEFAULT_PER_PAGE = 200;
/** Authors remembered between pages; past this the oldest are forgotten (and asked for again if they post again). */
const USER_CACHE_LIMIT = 5_000;
const USER_BATCH = 200;

/** `phase`: 'read' while the channel is paged (newest first), 'write' while the output is written (oldest first). */
export type PageListener = (pageNumber: number, postsSoFar: number, phase: 'read' | 'write') => void;

export interface PostmortemExportOptions {
  chat: ChatPort;
  incident: IncidentView;
  perPage?: number;
  /** Called after every page of both passes: heartbeats and progress. */
  onPage?: PageListener;
  /** When the export is made (ISO 8601); now by default. */
  now?: string;
  /** Where the spool goes; the OS's temporary directory by default. */
  spoolDir?: string;
  /** Stops the export at the next page (an HTTP client gone, an activity cancelled); rejects with its reason. */
  signal?: AbortSignal;
}

export interface PostmortemExportResult {
  posts: number;
  /** Bytes written to each output, in the order given. */
  bytes: number[];
}

/**
 * Writes one format to `out` and ends it (resolving once it has finished, so a file is complete on disk). On failure
 * `out` is left open for the caller to destroy: an HTTP response must be cut off, not ended as if complete.
 */
export async function writePostmortemExport(
  options: PostmortemExportOptions & { format: PostmortemFormat; out: Writable },
): Promise<{ posts: number; bytes: number }> {
  const result = await exportToOutputs(options, [{ format: options.format, out: options.out }]);
  return { posts: result.posts, bytes: result.bytes[0]! };
}

/** One file per format in `dir` (created when missing), from a single pass over the channel. */
export async function exportPostmortemFiles(
  options: PostmortemExportOptions & { formats: readonly PostmortemFormat[]; dir: string },
): Promise<{ posts: number; files: Array<{ format: PostmortemFormat; name: string; path: string; bytes: number; contentType: string }> }> {
  const formats = [...new Set(options.formats)];
  if (formats.length === 0) throw new IntegrationError('chat', 'name at least one export format', false, 'BadRequest');
  await mkdir(options.dir, { recursive: true });
  const files = formats.map((format) => {
    const name = postmortemFileName(options.incident.id, format);
    return { format, name, path: join(options.dir, name), contentType: POSTMORTEM_FILE_TYPES[format].contentType };
  });
  const outputs = files.map((file) => ({ format: file.format, out: createWriteStream(file.path, { mode: 0o600 }) }));
  try {
    const result = await exportToOutputs(options, outputs);
    // Sizes from the disk, not our count: what will be uploaded is what is there.
    const sizes = await Promise.all(files.map((file) => stat(file.path).then((s) => s.size)));
    return { posts: result.posts, files: files.map((file, i) => ({ ...file, bytes: sizes[i]! })) };
  } finally {
    for (const { out } of outputs) if (!out.closed) out.destroy();
  }
}

interface Output {
  format: PostmortemFormat;
  out: Writable;
}

/** What each format writes before, for and after the posts. */
interface FormatRenderer {
  head(): string;
  post(post: ChannelPost, author: ChatUser | undefined, index: number): string;
  tail(count: number): string;
}

function renderer(format: PostmortemFormat, incident: IncidentView, now: string): FormatRenderer {
  switch (format) {
    case 'markdown': {
      const conversation = markdownConversation();
      return { head: () => markdownReportHead(incident, now), post: conversation.post, tail: (count: number) => conversation.end(count) };
    }
    case 'csv':
      return { head: csvHeader, post: csvPost, tail: () => '' };
    case 'json':
      return { head: () => jsonReportHead(incident, now), post: jsonPost, tail: jsonReportTail };
  }
}

interface SpooledPage {
  offset: number;
  length: number;
}

async function exportToOutputs(options: PostmortemExportOptions, outputs: Output[]): Promise<PostmortemExportResult> {
  const { chat, incident } = options;
  const channelId = incident.links.channelId;
  if (!channelId) {
    throw new IntegrationError('chat', `incident ${incident.id} has no channel (yet), so there is no conversation to export`, false, 'NoChannel');
  }
  const perPage = options.perPage ?? DEFAULT_PER_PAGE;
  const now = options.now ?? new Date().toISOString();
  const renderers = outputs.map((output) => renderer(output.format, incident, now));
  const bytes = outputs.map(() => 0);
  const emit = async (chunks: string[]) => {
    // All outputs in parallel, each at its own pace; none is written to again before all drained.
    await Promise.all(
      outputs.map(async ({ out }, i) => {
        const chunk = chunks[i]!;
        if (chunk === '') return;
        bytes[i]! += Buffer.byteLength(chunk);
        await writeRespectingBackpressure(out, chunk);
      }),
    );
  };

  const spoolPath = join(options.spoolDir ?? tmpdir(), `postmortem-${incident.id}-${randomUUID()}.ndjson`);
  // Chat content is private: the spool is readable by this user only, and created fresh (never an existing file).
  const spool = await open(spoolPath, 'wx+', 0o600);
  try {
    // Pass 1: newest → oldest into the spool.
    const pages: SpooledPage[] = [];
    let spoolSize = 0;
    let previousIds = new Set<string>();
    let read = 0;
    for (let page = 0; ; page++) {
      options.signal?.throwIfAborted();
      const posts = await chat.channelPostsPage(channelId, page, perPage);
      if (posts.length === 0) break;
      const fresh = posts.filter((post) => !previousIds.has(post.id));
      previousIds = new Set(posts.map((post) => post.id));
      if (fresh.length > 0) {
        const data = Buffer.from(fresh.map((post) => JSON.stringify(post)).join('\n') + '\n');
        await writeFully(spool, data, spoolSize);
        pages.push({ offset: spoolSize, length: data.length });
        spoolSize += data.length;
        read += fresh.length;
      }
      options.onPage?.(page + 1, read, 'read');
      // A short page is the last one: no need to ask for an empty page to learn that.
      if (posts.length < perPage) break;
    }

    // Pass 2: oldest → newest out of the spool.
    await emit(renderers.map((r) => r.head()));
    const users = new UserCache(chat);
    let written = 0;
    for (let p = pages.length - 1; p >= 0; p--) {
      options.signal?.throwIfAborted();
      const { offset, length } = pages[p]!;
      const buffer = Buffer.alloc(length);
      await readFully(spool, buffer, offset);
      const posts = buffer
        .toString('utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as ChannelPost)
        .reverse();
      const authors = await users.resolve(posts.map((post) => post.userId));
      const chunks = renderers.map((r) => {
        let text = '';
        for (const [i, post] of posts.entries()) text += r.post(post, authors.get(post.userId), written + i);
        return text;
      });
      written += posts.length;
      await emit(chunks);
      options.onPage?.(pages.length - p, written, 'write');
    }
    await emit(renderers.map((r) => r.tail(written)));
    await Promise.all(outputs.map(({ out }) => endAndFinish(out)));
    return { posts: written, bytes };
  } finally {
    await spool.close().catch(() => undefined);
    await rm(spoolPath, { force: true });
  }
}

/** Users by ID, looked up in batches for the IDs not seen yet; forgets the oldest past USER_CACHE_LIMIT. */
class UserCache {
  private readonly known = new Map<string, ChatUser | null>();

  constructor(private readonly chat: ChatPort) {}

  async resolve(ids: string[]): Promise<Map<string, ChatUser | undefined>> {
    const wanted = [...new Set(ids)];
    const missing = wanted.filter((id) => !this.known.has(id));
    for (let i = 0; i < missing.length; i += USER_BATCH) {
      const batch = missing.slice(i, i + USER_BATCH);
      const found = new Map((await this.chat.usersByIds(batch)).map((user) => [user.id, user]));
      // Unknown users (deleted, or never seen by the bot) are remembered as such, so they are asked for once.
      for (const id of batch) this.remember(id, found.get(id) ?? null);
    }
    return new Map(wanted.map((id) => [id, this.known.get(id) ?? undefined]));
  }

  private remember(id: string, user: ChatUser | null): void {
    if (this.known.size >= USER_CACHE_LIMIT) this.known.delete(this.known.keys().next().value!);
    this.known.set(id, user);
  }
}

async function writeFully(file: FileHandle, data: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await file.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}

async function readFully(file: FileHandle, buffer: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buffer.length) {
    const { bytesRead } = await file.read(buffer, done, buffer.length - done, position + done);
    if (bytesRead === 0) throw new Error('the post-mortem spool file is shorter than what was written to it');
    done += bytesRead;
  }
}

/** Writes, and when the stream's buffer is full waits for it to drain (or fails if it closes first). */
async function writeRespectingBackpressure(out: Writable, chunk: string): Promise<void> {
  if (out.destroyed || out.writableEnded) throw new Error('the export output was closed before the export finished');
  if (out.write(chunk)) return;
  await new Promise<void>((resolve, reject) => {
    const cleanup = () => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      out.off('error', onError);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    // An HTTP client that goes away closes the response without a drain: stop instead of waiting forever.
    const onClose = () => {
      cleanup();
      reject(new Error('the export output was closed before the export finished'));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    out.on('drain', onDrain);
    out.on('close', onClose);
    out.on('error', onError);
  });
}

async function endAndFinish(out: Writable): Promise<void> {
  if (out.writableFinished) return;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    out.once('error', onError);
    out.end(() => {
      out.off('error', onError);
      resolve();
    });
  });
}
