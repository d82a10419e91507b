/**
 * What the service does with Mattermost's events (integrations/mattermost/mattermost-events.ts):
 *
 * - someone joined or left an incident channel: the incident is told (membersChanged) and looks at its members at once,
 *   so a newcomer is welcomed and gets the channel in their sidebar within seconds, not at the next minute's look;
 * - a message was posted: channel-messages.ts decides (a timeline note in an incident channel, a playbook suggestion
 *   elsewhere), in the order the messages came, one channel at a time;
 * - the stream (re)started after a gap: every open incident looks at its members, and the timeline messages posted in
 *   its channel meanwhile are noted (each post's note has an Update ID of its own, so one noted before is not again).
 *
 * - every few minutes, one sweep compares each open incident channel's members with what the incident last saw and
 *   tells those that differ: a shared safety net in this one process, instead of a look per incident per minute (an
 *   API that listens starts incidents with their own look hours apart).
 */
import type { Logger } from 'pino';
import type { ChatEvent, ChatEventHandlers } from '../ports/chat-events.js';
import type { IncidentService } from '../incident-service.js';
import type { ChannelMessageHandler } from './channel-messages.js';
import type { IncidentDirectory } from './incident-directory.js';

/** The part of the Mattermost client the reactions use. */
export interface ChannelEventChat {
  ownUserId(): Promise<string>;
  teamNameOf(teamId: string): Promise<string>;
  postsSince(channelId: string, since: number): Promise<Array<{ id: string; userId: string; message: string; type: string; createAt: number }>>;
  listChannelMembers(channelId: string): Promise<string[]>;
}

export interface ChannelEventOptions {
  incidents: IncidentService;
  directory: IncidentDirectory;
  chat: ChannelEventChat;
  handleMessage: ChannelMessageHandler;
  logger: Logger;
  /** Joins and leaves in one channel within this long make one membersChanged. Default 500 ms. */
  membersSettleMs?: number;
  /** At the first connection, timeline messages this far back are looked for (a restart's gap). Default 5 minutes. */
  firstLookBackMs?: number;
  /** At most this many open incidents are caught up after a gap (newest first). Default 2,000. */
  maxCatchUpIncidents?: number;
  /**
   * How often one sweep compares every open incident channel's members with what its incident last saw, and tells
   * the incidents that differ (a join no event brought). It replaces each incident's own periodic look, which the
   * API sets far apart when it listens to events. Default 5 minutes; 0: no sweep.
   */
  sweepMs?: number;
}

/** After a gap, the catch-up looks this much further back than the last event heard: clocks differ a little. */
const CATCH_UP_MARGIN_MS = 60_000;
/** Catch-up calls to Mattermost and Temporal in flight at once: a reconnect with many open incidents is no flood. */
const CATCH_UP_CONCURRENCY = 4;

export interface ChannelEventReactions {
  handlers: ChatEventHandlers;
  /** One sweep now (the timer runs them every `sweepMs`); resolves with how many incidents were told. */
  sweep(): Promise<number>;
  /** Resolves when nothing is pending (for tests and a clean stop). */
  settled(): Promise<void>;
  /** Stops taking events and waits for what is under way. */
  stop(): Promise<void>;
}

export function channelEventReactions(options: ChannelEventOptions): ChannelEventReactions {
  const { logger } = options;
  const settleMs = options.membersSettleMs ?? 500;
  const memberTimers = new Map<string, NodeJS.Timeout>();
  /** Per channel, the tail of its message chain: messages are handled in the order they were posted. */
  const channelChains = new Map<string, Promise<void>>();
  const pending = new Set<Promise<unknown>>();
  let stopped = false;
  let botId: Promise<string> | undefined;

  function track(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) => logger.warn({ err: error }, 'a Mattermost event was not handled'));
    pending.add(tracked);
    void tracked.finally(() => pending.delete(tracked));
  }

  function membersChangedIn(channelId: string): void {
    clearTimeout(memberTimers.get(channelId));
    memberTimers.set(
      channelId,
      setTimeout(() => {
        memberTimers.delete(channelId);
        track(tellMembersChanged(channelId));
      }, settleMs),
    );
  }

  async function tellMembersChanged(channelId: string): Promise<void> {
    const incidentId = await options.directory.incidentOfChannel(channelId);
    if (incidentId) await options.incidents.membersChanged(incidentId);
  }

  function inOrder(channelId: string, work: () => Promise<unknown>): void {
    const next = (channelChains.get(channelId) ?? Promise.resolve()).then(work).then(
      () => undefined,
      (error: unknown) => logger.warn({ err: error, channelId }, 'a Mattermost message was not handled'),
    );
    channelChains.set(channelId, next);
    track(
      next.finally(() => {
        if (channelChains.get(channelId) === next) channelChains.delete(channelId);
      }),
    );
  }

  async function isFromBot(userId: string): Promise<boolean> {
    botId ??= options.chat.ownUserId().catch((error: unknown) => {
      botId = undefined;
      throw error;
    });
    return userId === (await botId);
  }

  function posted(event: Extract<ChatEvent, { kind: 'posted' }>): void {
    const { post } = event;
    // System messages (joins, header changes) and empty posts say nothing to the timeline or the playbooks.
    if (post.type !== '' || post.message.trim() === '') return;
    inOrder(event.channelId, async () => {
      if (await isFromBot(post.userId)) return;
      const teamName = event.teamId ? await options.chat.teamNameOf(event.teamId) : undefined;
      await options.handleMessage(
        { channelId: event.channelId, userId: post.userId, postId: post.id, text: post.message, ...(teamName ? { teamName } : {}) },
        // Suggestions in team channels only: a direct message to the bot is no channel to start an incident from.
        { suggest: event.channelType === 'O' || event.channelType === 'P' },
      );
    });
  }

  /**
   * Every open incident channel (newest first, at most maxCatchUpIncidents), a few at a time, until stopped; a channel
   * that fails is logged with `failure` and the others go on.
   */
  async function forEachOpenChannel(failure: string, work: (channel: { id: string; channelId: string; members?: string[] }) => Promise<void>): Promise<number> {
    const open = await options.directory.openChannels(options.maxCatchUpIncidents ?? 2_000);
    let next = 0;
    const worker = async () => {
      while (!stopped && next < open.length) {
        const channel = open[next++]!;
        try {
          await work(channel);
        } catch (error) {
          logger.warn({ err: error, incident: channel.id }, failure);
        }
      }
    };
    await Promise.all(Array.from({ length: CATCH_UP_CONCURRENCY }, worker));
    return open.length;
  }

  async function catchUp(since: number, first: boolean): Promise<void> {
    const incidents = await forEachOpenChannel('could not catch up with an incident channel', async ({ id, channelId }) => {
      await options.incidents.membersChanged(id);
      for (const post of await options.chat.postsSince(channelId, since)) {
        if (post.type !== '' || post.message.trim() === '') continue;
        inOrder(channelId, async () => {
          if (await isFromBot(post.userId)) return;
          // A catch-up notes timeline messages only: a suggestion minutes late would be noise.
          await options.handleMessage({ channelId, userId: post.userId, postId: post.id, text: post.message }, { suggest: false });
        });
      }
    });
    logger.info({ incidents, since: new Date(since).toISOString(), first }, 'caught up with Mattermost after a gap in its events');
  }

  /** One pass over the open incident channels: Mattermost's members against the incident's, told where they differ. */
  async function sweep(): Promise<number> {
    let told = 0;
    await forEachOpenChannel('could not compare the members of an incident channel', async ({ id, channelId, members }) => {
      const now = await options.chat.listChannelMembers(channelId);
      const same = members !== undefined && members.length === now.length && [...members].sort().join(',') === [...now].sort().join(',');
      if (!same && (await options.incidents.membersChanged(id))) told++;
    });
    return told;
  }
  const sweepMs = options.sweepMs ?? 5 * 60_000;
  let sweeping = false;
  const sweepTimer =
    sweepMs > 0
      ? setInterval(() => {
          if (sweeping || stopped) return;
          sweeping = true;
          track(sweep().finally(() => (sweeping = false)));
        }, sweepMs)
      : undefined;
  sweepTimer?.unref();

  const handlers: ChatEventHandlers = {
    onEvent(event) {
      if (stopped) return;
      if (event.kind === 'posted') posted(event);
      else membersChangedIn(event.channelId);
    },
    onGap({ first, since }) {
      if (stopped) return;
      const from = since !== undefined ? since - CATCH_UP_MARGIN_MS : Date.now() - (options.firstLookBackMs ?? 5 * 60_000);
      track(catchUp(from, first));
    },
    onConnection({ connected, failures, reason }) {
      if (connected) logger.info('listening to Mattermost events');
      else if (reason) logger.warn({ failures, reason }, 'the Mattermost event stream is down; it reconnects by itself');
      else logger.warn({ failures }, 'the Mattermost event stream closed; it reconnects by itself');
    },
  };

  async function settled(): Promise<void> {
    while (pending.size > 0 || memberTimers.size > 0) {
      if (pending.size > 0) await Promise.all([...pending]);
      else await new Promise((resolve) => setTimeout(resolve, settleMs));
    }
  }

  return {
    handlers,
    sweep,
    settled,
    async stop() {
      stopped = true;
      clearInterval(sweepTimer);
      for (const timer of memberTimers.values()) clearTimeout(timer);
      memberTimers.clear();
      await Promise.all([...pending]);
    },
  };
}
