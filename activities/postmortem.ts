/**
 * The post-mortem export as an activity: the incident's record and its channel's whole conversation written to files
 * (Markdown, JSON, CSV) in a fresh temporary directory, uploaded to the incident channel in one post, then removed.
 *
 * A big channel takes minutes, so the workflow gives this a long start-to-close timeout and a short heartbeat timeout;
 * the export heartbeats after every page with its progress, so a dead worker is noticed within seconds while a live
 * one may take as long as the channel needs. Idempotent by the key: a retry after the upload finds the post and stops.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { IncidentView } from '../domain/incident.js';
import type { TimelineStorePort } from './ports/record-store.js';
import type { ChatPort } from './ports/chat.js';
import { POSTMORTEM_FORMATS, type PostmortemFormat } from '../formats/postmortem-report.js';
import { exportPostmortemFiles } from '../exports/postmortem-export.js';
import { toActivityFailure } from './classify-failure.js';
import { whileHeartbeating } from './heartbeat.js';
import { readWholeIncident } from './incident-reader.js';
import { messageOf } from '../domain/errors.js';

export type PostmortemExportRequest = {
  key: string;
  formats: PostmortemFormat[];
  /** Username of whoever asked; named in the post. */
  requestedBy: string;
} & (
  /** The incident to export: read by the activity from the workflow (and the store's timeline)... */
  | { incidentId: string }
  /** ...or, from runs before the history budget, handed over whole. */
  | { incident: IncidentView }
);

export interface PostmortemExportResult {
  postId: string;
  /** Empty when an earlier attempt had already posted the export (`reused`). */
  files: Array<{ name: string; bytes: number }>;
  posts: number;
  reused?: boolean;
}

/** `timeline`: the store's timelines, for the events the incident's state no longer holds. */
export function createPostmortemActivities(chat: ChatPort, timeline?: TimelineStorePort) {
  return {
    async exportPostmortem(request: PostmortemExportRequest): Promise<PostmortemExportResult> {
      const { key } = request;
      const incident = 'incident' in request ? request.incident : await readWholeIncident(timeline);
      const channelId = incident.links.channelId;
      if (!channelId) {
        throw ApplicationFailure.nonRetryable(
          `incident ${incident.id} has no channel, so there is no conversation to export and nowhere to post it`,
          'PostmortemNoChannel',
        );
      }
      const formats = [...new Set(request.formats)];
      const unknown = formats.filter((format) => !POSTMORTEM_FORMATS.includes(format));
      if (formats.length === 0 || unknown.length > 0) {
        throw ApplicationFailure.nonRetryable(
          `export formats must be some of ${POSTMORTEM_FORMATS.join(', ')}; got ${JSON.stringify(request.formats)}`,
          'PostmortemInvalidFormat',
        );
      }
      const context = Context.current();
      context.heartbeat({ page: 0, posts: 0 });
      let dir: string | undefined;
      try {
        const earlier = await chat.findPostByKey(channelId, key);
        if (earlier) return { postId: earlier.id, files: [], posts: 0, reused: true };

        dir = await mkdtemp(join(tmpdir(), `postmortem-${incident.id}-`));
        const exported = await exportPostmortemFiles({
          chat,
          incident,
          formats,
          dir,
          onPage: (page, posts, phase) => context.heartbeat({ page, posts, phase }),
          // Cancellation arrives through heartbeats; stop paging rather than finish an export nobody wants.
          signal: context.cancellationSignal,
        });
        const message =
          `Post-mortem export for incident ${incident.number !== undefined ? `#${incident.number} ` : ''}${incident.id} (${incident.name}) ` +
          `requested by @${request.requestedBy}: ${exported.posts.toLocaleString('en-US')} ${exported.posts === 1 ? 'post' : 'posts'}.`;
        // An upload of tens of MB sends no page events: keep heartbeating while it runs.
        const post = await whileHeartbeating(() =>
          chat.postFiles(
            channelId,
            message,
            exported.files.map((file) => ({ name: file.name, path: file.path, contentType: file.contentType })),
            key,
          ),
        );
        return { postId: post.id, files: exported.files.map((file) => ({ name: file.name, bytes: file.bytes })), posts: exported.posts };
      } catch (error) {
        log.warn('post-mortem export failed', { key, error: messageOf(error) });
        throw toActivityFailure(error);
      } finally {
        if (dir) await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
