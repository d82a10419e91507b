/**
 * The launch activities: what an incident does to the outside world when it starts. Each one is idempotent by the
 * explicit key the workflow passes (`<incident id>:<step>`, never the activity ID, which restarts at 1 after
 * continue-as-new): it first looks for what an earlier attempt made (channel by name, issue by label, meeting and post by
 * key) and only creates when nothing is there.
 */
import { log } from '@temporalio/activity';
import type { IntegrationPorts } from '../integrations/ports.js';
import { toActivityFailure } from './classify-failure.js';
import { whileHeartbeating } from './heartbeat.js';

export interface LaunchActivityDependencies {
  integrations: IntegrationPorts;
}

async function run<T>(step: string, key: string, work: () => Promise<T>): Promise<T> {
  try {
    return await whileHeartbeating(work);
  } catch (error) {
    log.warn(`launch step ${step} failed`, { key, error: error instanceof Error ? error.message : String(error) });
    throw toActivityFailure(error);
  }
}

export function createLaunchActivities({ integrations }: LaunchActivityDependencies) {
  const { chat, tickets, meetings, onCall } = integrations;
  return {
    async openIncidentChannel(request: {
      key: string;
      team: string;
      name: string;
      displayName: string;
      purpose: string;
      private: boolean;
    }): Promise<{ channelId: string; channelName: string; reused: boolean }> {
      return run('channel', request.key, async () => {
        const existing = await chat.findChannelByName(request.team, request.name);
        if (existing) return { channelId: existing.id, channelName: existing.name, reused: true };
        const channel = await chat.createChannel(request);
        return { channelId: channel.id, channelName: channel.name, reused: false };
      });
    },

    async lookUpOnCall(request: { key: string; schedule?: string }): Promise<{ users: string[] }> {
      return run('oncall', request.key, async () => ({ users: await onCall.whoIsOnCall(request.schedule) }));
    },

    async inviteParticipants(request: {
      key: string;
      channelId: string;
      usernames: string[];
    }): Promise<{ added: string[]; missing: string[] }> {
      // Adding a member twice is harmless in Mattermost, so a retry simply adds again.
      return run('invite', request.key, () => chat.addChannelMembers(request.channelId, [...new Set(request.usernames)]));
    },

    async openTicket(request: {
      key: string;
      summary: string;
      description: string;
    }): Promise<{ ticketKey: string; url: string; reused: boolean }> {
      const label = ticketLabel(request.key);
      return run('ticket', request.key, async () => {
        const existing = await tickets.findIssueByLabel(label);
        if (existing) return { ticketKey: existing.key, url: existing.url, reused: true };
        const issue = await tickets.createIssue({ summary: request.summary, description: request.description, labels: [label] });
        return { ticketKey: issue.key, url: issue.url, reused: false };
      });
    },

    async startMeeting(request: { key: string; topic: string }): Promise<{ meetingId: string; joinUrl: string; reused: boolean }> {
      return run('meeting', request.key, async () => {
        const existing = await meetings.findMeetingByKey(request.key);
        if (existing) return { meetingId: existing.id, joinUrl: existing.joinUrl, reused: true };
        const meeting = await meetings.createMeeting({ topic: request.topic, key: request.key });
        return { meetingId: meeting.id, joinUrl: meeting.joinUrl, reused: false };
      });
    },

    async postChecklist(request: { key: string; channelId: string; message: string }): Promise<{ postId: string; reused: boolean }> {
      return run('checklistPost', request.key, async () => {
        const existing = await chat.findPostByKey(request.channelId, request.key);
        const post = existing ?? (await chat.createPost(request.channelId, request.message, request.key));
        // Pinning again is a no-op, so it is safe to repeat after a crash between post and pin.
        await chat.pinPost(post.id);
        return { postId: post.id, reused: existing !== undefined };
      });
    },

    async setChannelHeader(request: { key: string; channelId: string; header: string }): Promise<void> {
      return run('channelHeader', request.key, () => chat.setChannelHeader(request.channelId, request.header));
    },
  };
}

/** Jira labels cannot hold ":" or spaces; the label carries the incident's key so a retry finds the issue. */
export function ticketLabel(key: string): string {
  return `incident-${key.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
}

export type LaunchActivities = ReturnType<typeof createLaunchActivities>;
