/**
 * The shared membership sweep (api/mattermost/channel-events.ts): it tells an incident that its members changed only
 * when Mattermost's list differs from what the incident last saw (or it never looked), whatever the order, and goes
 * on past a channel it cannot read.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { channelEventReactions } from '../../api/mattermost/channel-events.js';

describe('the membership sweep', () => {
  it('tells only the incidents whose channel members differ from what they last saw', async () => {
    const told: string[] = [];
    const mattermost: Record<string, string[]> = {
      c1: ['alice', 'bob'],
      c2: ['bob', 'alice'],
      c3: ['alice', 'bob', 'erin'],
      c4: ['alice'],
      c5: ['alice'],
    };
    const reactions = channelEventReactions({
      incidents: { membersChanged: async (id: string) => (told.push(id), true) } as never,
      directory: {
        incidentOfChannel: async () => undefined,
        openIncidents: async () => [],
        openChannels: async () => [
          { id: 'same', channelId: 'c1', members: ['alice', 'bob'] },
          { id: 'reordered', channelId: 'c2', members: ['alice', 'bob'] },
          { id: 'joined', channelId: 'c3', members: ['alice', 'bob'] },
          { id: 'never-looked', channelId: 'c4' },
          { id: 'unreadable', channelId: 'gone', members: ['alice'] },
          { id: 'left', channelId: 'c5', members: ['alice', 'dave'] },
        ],
      },
      chat: {
        ownUserId: async () => 'bot',
        teamNameOf: async () => 'default',
        postsSince: async () => [],
        listChannelMembers: async (channelId: string) => {
          const members = mattermost[channelId];
          if (!members) throw new Error('no such channel');
          return members;
        },
      },
      handleMessage: async () => 'ignored',
      logger: pino({ level: 'silent' }),
      sweepMs: 0,
    });
    expect(await reactions.sweep()).toBe(3);
    expect(told.sort()).toEqual(['joined', 'left', 'never-looked']);
    await reactions.stop();
  });
});
