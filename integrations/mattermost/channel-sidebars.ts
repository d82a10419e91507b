/**
 * An incident channel in its members' sidebars: put into each person's custom category at launch, taken out of every
 * member's categories when the channel is archived. One person's category is written by sidebar-categories.ts.
 */
import { IntegrationError } from '../../activities/ports/integration-error.js';
import type { SharedLocks } from '../../activities/ports/shared-locks.js';
import type { IncidentBotClient } from './bot-client.js';
import { channelMemberIds } from './channels.js';
import { forEachPerson, SIDEBAR_CONCURRENCY, SidebarCategories } from './sidebar-categories.js';
import type { TeamsAndPeople } from './teams-and-people.js';

export class ChannelSidebars {
  /** People's sidebar categories, one write at a time per person and team (sidebar-categories.ts), across workers with a shared lock. */
  private readonly sidebars: SidebarCategories;

  constructor(
    private readonly client: IncidentBotClient,
    private readonly people: TeamsAndPeople,
    sharedLocks?: SharedLocks,
  ) {
    this.sidebars = new SidebarCategories(client, sharedLocks);
  }

  /**
   * For each person: read their categories in the team, then create the custom category with the channel, or add the
   * channel to it (the case-insensitive match of its name), keeping its other channels. Editing another user's sidebar
   * needs the bot to hold manage_system (the system admin role); a 403 says so. Mattermost silently drops a channel the
   * person is not a member of, so such a person is reported as missing too (and their sidebar is left alone).
   */
  async addToSidebarCategory(request: { team: string; channelId: string; usernames: string[]; category: string }): Promise<{
    placed: string[];
    missing: string[];
  }> {
    if (request.usernames.length === 0) return { placed: [], missing: [] };
    // The team, the people and who is in the channel (asked once, not once per person: a sidebar keeps only channels
    // its owner is in) at the same time: none needs another's answer, and each was a call on a launch's longest path.
    const [teamId, users, memberIds] = await Promise.all([
      this.people.teamId(request.team),
      this.client.getProfilesByUsernames([...new Set(request.usernames)]),
      channelMemberIds(this.client, request.channelId),
    ]);
    const idOf = new Map(users.map((user) => [user.username, user.id]));
    const members = new Set(memberIds);
    // Everyone at once (a few at a time): different people's sidebars never touch each other.
    const outcomes: boolean[] = new Array<boolean>(request.usernames.length).fill(false);
    await forEachPerson(request.usernames, SIDEBAR_CONCURRENCY, async (username, index) => {
      const userId = idOf.get(username);
      if (!userId || !members.has(userId)) return;
      try {
        outcomes[index] = await this.sidebars.place(userId, teamId, request.channelId, request.category);
      } catch (error) {
        if (error instanceof IntegrationError && error.kind === 'Forbidden') {
          throw new IntegrationError(
            'chat',
            `Mattermost refused to change @${username}'s sidebar (403): the incident bot needs permission to manage other users' ` +
              `sidebar categories (the system admin role, manage_system). ${error.message}`,
            false,
            'Forbidden',
          );
        }
        throw error;
      }
    });
    const placed = request.usernames.filter((_, index) => outcomes[index]);
    const missing = request.usernames.filter((_, index) => !outcomes[index]);
    return { placed, missing };
  }

  /** The channel out of every member's custom categories; nothing when the bot may not edit sidebars. */
  async takeOutOfSidebars(channelId: string): Promise<{ people: number }> {
    const channel = await this.client.getChannel(channelId);
    // Direct and group messages belong to no team and were never placed.
    if (!channel.team_id) return { people: 0 };
    const botId = await this.people.botId();
    const members = (await channelMemberIds(this.client, channelId)).filter((id) => id !== botId);
    let people = 0;
    try {
      await forEachPerson(members, SIDEBAR_CONCURRENCY, async (userId) => {
        if ((await this.sidebars.remove(userId, channel.team_id, channelId)) > 0) people++;
      });
    } catch (error) {
      // Without manage_system nothing was placed either (the launch's sidebar step said so).
      if (error instanceof IntegrationError && error.kind === 'Forbidden') return { people };
      throw error;
    }
    return { people };
  }
}
