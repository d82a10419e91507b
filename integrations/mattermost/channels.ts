/**
 * Incident channels on Mattermost: found by name or created, members added and listed, the header set, archived. A
 * channel's posts are in posts.ts.
 */
import type { Channel as MattermostChannel } from '@mattermost/types/channels';
import { IntegrationError } from '../../activities/ports/integration-error.js';
import type { Channel } from '../../activities/ports/chat.js';
import { PAGE_MAX, type IncidentBotClient } from './bot-client.js';
import { isNotFound, statusOf } from './chat-failures.js';
import type { ChannelSidebars } from './channel-sidebars.js';
import type { TeamsAndPeople } from './teams-and-people.js';

function toChannel(channel: MattermostChannel): Channel {
  return { id: channel.id, name: channel.name, displayName: channel.display_name, private: channel.type === 'P' };
}

/** The user IDs of a channel's members, in membership order, page by page. */
export async function channelMemberIds(client: IncidentBotClient, channelId: string): Promise<string[]> {
  const userIds: string[] = [];
  for (let page = 0; ; page++) {
    const members = await client.getChannelMembers(channelId, page, PAGE_MAX);
    userIds.push(...members.map((member) => member.user_id));
    if (members.length < PAGE_MAX) break;
  }
  return userIds;
}

export class Channels {
  constructor(
    private readonly client: IncidentBotClient,
    private readonly people: TeamsAndPeople,
    private readonly sidebars: ChannelSidebars,
  ) {}

  async findChannelByName(team: string, name: string): Promise<Channel | undefined> {
    try {
      return toChannel(await this.client.getChannelByName(await this.people.teamId(team), name, false));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async createChannel(request: { team: string; name: string; displayName: string; purpose: string; private: boolean }): Promise<Channel> {
    const channel = await this.client.createChannel({
      team_id: await this.people.teamId(request.team),
      name: request.name,
      display_name: request.displayName,
      purpose: request.purpose,
      header: '',
      type: request.private ? 'P' : 'O',
    } as MattermostChannel);
    return toChannel(channel);
  }

  async addChannelMembers(channelId: string, usernames: string[]): Promise<{ added: string[]; missing: string[] }> {
    if (usernames.length === 0) return { added: [], missing: [] };
    const users = await this.client.getProfilesByUsernames(usernames);
    const found = new Map(users.map((user) => [user.username, user.id]));
    const added = usernames.filter((name) => found.has(name));
    const ids = added.map((name) => found.get(name)!);
    if (ids.length > 0 && !this.oneMemberPerCall) {
      try {
        await this.client.addToChannels(ids, channelId);
        return { added, missing: usernames.filter((name) => !found.has(name)) };
      } catch (error) {
        // Mattermost before 9.11 takes one user_id per call and refuses the list as a missing user_id; from then on
        // this server gets one call per person (adding someone already there is fine, so a retry is too).
        if (!(error instanceof IntegrationError && statusOf(error) === 400 && /user_id/.test(error.message))) throw error;
        this.oneMemberPerCall = true;
      }
    }
    for (const id of ids) await this.client.addToChannel(id, channelId);
    return { added, missing: usernames.filter((name) => !found.has(name)) };
  }

  /** Set once the server refused a list of members (before 9.11): members are then added one call each. */
  private oneMemberPerCall = false;

  async setChannelHeader(channelId: string, header: string): Promise<void> {
    await this.client.patchChannel(channelId, { header });
  }

  /** Whether the user (by ID) is a member of the channel. */
  async isChannelMember(channelId: string, userId: string): Promise<boolean> {
    try {
      await this.client.getChannelMember(channelId, userId);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  channelUrl(team: string, channelName: string): string {
    return `${this.client.getUrl()}/${team}/channels/${channelName}`;
  }

  async listChannelMembers(channelId: string): Promise<string[]> {
    const userIds = await channelMemberIds(this.client, channelId);
    const profiles = await this.people.profilesByIds(userIds);
    // In membership order; a member whose profile is gone (a deleted user) has no username to give.
    return userIds.flatMap((id) => {
      const username = profiles.get(id)?.username;
      return username ? [username] : [];
    });
  }

  /**
   * Archives the channel, then takes it out of its members' custom sidebar categories (Mattermost keeps archived
   * channels there; see sidebar-categories.ts). Both halves may be done again: a retry after a failure in the second
   * finds the channel archived already.
   */
  async archiveChannel(channelId: string): Promise<void> {
    try {
      await this.client.deleteChannel(channelId);
    } catch (error) {
      if (!(error instanceof IntegrationError)) throw error;
      // 404: the channel is gone altogether (deleted for good), which is as archived as it gets; no sidebar holds it.
      if (isNotFound(error)) return;
      // A channel already archived: Mattermost answers 400 (api.channel.delete_channel.deleted.app_error). The error
      // body is not kept by the classification, so ask for the channel and accept only when it is archived indeed.
      if (error.kind !== 'BadRequest' || !((await this.client.getChannel(channelId)).delete_at > 0)) throw error;
    }
    await this.sidebars.takeOutOfSidebars(channelId);
  }
}
