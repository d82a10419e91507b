/**
 * Mattermost's user groups (a licensed feature): the members of groups named by a playbook, and the groups a person is
 * in (playbook permissions name groups).
 */
import type { Group } from '@mattermost/types/groups';
import { IntegrationError } from '../../activities/ports/integration-error.js';
import { PAGE_MAX, type IncidentBotClient } from './bot-client.js';
import { GROUPS_NEED_LICENCE, groupsUnavailable, isGroupsUnavailable, statusOf } from './chat-failures.js';

export class UserGroups {
  constructor(private readonly client: IncidentBotClient) {}

  /**
   * Each group is looked up by name (GET /groups?q=<name>, paged until the exact name turns up: `q` also matches other
   * names and display names containing it), then its members are read page by page (GET /users?in_group=<id>).
   * Deactivated members are left out: they cannot join a channel.
   */
  async groupMemberUsernames(groupNames: string[]): Promise<{ found: string[]; missing: string[]; unavailable?: string }> {
    const names = [...new Set(groupNames)];
    const found = new Set<string>();
    const missing: string[] = [];
    for (const [index, name] of names.entries()) {
      let group: Group | undefined;
      try {
        group = await this.groupByName(name);
      } catch (error) {
        if (!isGroupsUnavailable(error)) throw error;
        // A server without user groups (no licence for them, or too old) knows none of the names. The incident starts
        // all the same, without these invitees, and the caller reports why instead of failing the launch on a retry
        // that cannot help.
        missing.push(...names.slice(index));
        if (statusOf(error) === 501) return { found: [...found], missing, unavailable: GROUPS_NEED_LICENCE };
        break;
      }
      if (!group) {
        missing.push(name);
        continue;
      }
      if (group.member_count === 0) continue;
      try {
        for (const username of await this.groupMembers(group.id)) found.add(username);
      } catch (error) {
        // The group went away between the two calls (404), or its members are kept from the bot: as good as unknown.
        if (!isGroupsUnavailable(error)) throw error;
        missing.push(name);
      }
    }
    return { found: [...found], missing };
  }

  private async groupByName(name: string): Promise<Group | undefined> {
    const wanted = name.toLowerCase();
    for (let page = 0; ; page++) {
      const groups = await this.client.searchGroups({ q: name, include_member_count: true, page, per_page: PAGE_MAX });
      const group = groups.find((candidate) => candidate.name.toLowerCase() === wanted && !candidate.delete_at);
      if (group) return group;
      if (groups.length < PAGE_MAX) return undefined;
    }
  }

  private async groupMembers(groupId: string): Promise<string[]> {
    const usernames: string[] = [];
    for (let page = 0; ; page++) {
      const users = await this.client.getProfilesInGroup(groupId, page, PAGE_MAX);
      usernames.push(...users.filter((user) => !user.delete_at).map((user) => user.username));
      if (users.length < PAGE_MAX) return usernames;
    }
  }

  /** Names of the Mattermost user groups the user belongs to (playbook permissions name groups). */
  async groupNamesOf(userId: string): Promise<string[]> {
    try {
      const groups = (await this.client.getGroupsByUserId(userId)) as Array<{ name?: string }>;
      return groups.flatMap((group) => (group.name ? [group.name] : []));
    } catch (error) {
      // A server without user groups (a licensed feature: 501) cannot say who is in one; saying "nobody" would deny
      // everyone a group admits without a word, so the caller is told why.
      if (statusOf(error) === 501) throw groupsUnavailable();
      if (error instanceof IntegrationError && error.kind === 'NotFound') return [];
      throw error;
    }
  }
}
