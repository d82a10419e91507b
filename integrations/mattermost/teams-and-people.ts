/**
 * Who and where on Mattermost: the bot's own ID, teams by name and ID (remembered), and users by ID, username and
 * e-mail address.
 */
import type { UserProfile } from '@mattermost/types/users';
import { IntegrationError } from '../../activities/ports/integration-error.js';
import type { ChatUser } from '../../activities/ports/chat.js';
import { PAGE_MAX, type IncidentBotClient } from './bot-client.js';
import { isNotFound } from './chat-failures.js';

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

export class TeamsAndPeople {
  private readonly teamIds = new Map<string, string>();
  private botUserId: string | undefined;

  constructor(private readonly client: IncidentBotClient) {}

  /** The bot's own user ID (asked once). */
  async botId(): Promise<string> {
    this.botUserId ??= (await this.client.getMe()).id;
    return this.botUserId;
  }

  /** Profiles of these user IDs, asked in batches; unknown IDs are absent from the map. */
  async profilesByIds(ids: string[]): Promise<Map<string, UserProfile>> {
    const profiles = new Map<string, UserProfile>();
    for (const batch of chunks([...new Set(ids)], PAGE_MAX)) {
      for (const profile of await this.client.getProfilesByIds(batch)) profiles.set(profile.id, profile);
    }
    return profiles;
  }

  async teamId(team: string): Promise<string> {
    const cached = this.teamIds.get(team);
    if (cached) return cached;
    try {
      const found = await this.client.getTeamByName(team);
      this.teamIds.set(team, found.id);
      return found.id;
    } catch (error) {
      // Not "channel not found": the incident names a team the bot cannot see, which no retry will fix.
      if (isNotFound(error)) {
        throw new IntegrationError('chat', `Mattermost has no team named "${team}" (or the bot is not in it)`, false, 'TeamNotFound');
      }
      throw error;
    }
  }

  /** The names of the teams the bot is in. */
  async teamNames(): Promise<string[]> {
    return (await this.client.getMyTeams()).map((team) => team.name);
  }

  /** A team's name (what permalinks use) from its ID, asked once per team. */
  async teamNameOf(teamId: string): Promise<string> {
    for (const [name, id] of this.teamIds) if (id === teamId) return name;
    const team = await this.client.getTeam(teamId);
    this.teamIds.set(team.name, team.id);
    return team.name;
  }

  /** Who a user ID is (username and Mattermost roles), or undefined when Mattermost has no such user. */
  async userOf(userId: string): Promise<{ id: string; username: string; roles: string[]; deleted: boolean } | undefined> {
    try {
      const user = await this.client.getUser(userId);
      return { id: user.id, username: user.username, roles: (user.roles ?? '').split(/\s+/).filter(Boolean), deleted: Boolean(user.delete_at) };
    } catch (error) {
      if (isNotFound(error) || (error instanceof IntegrationError && error.kind === 'BadRequest')) return undefined;
      throw error;
    }
  }

  /** The username of a user ID, or undefined when Mattermost has no such user. */
  async usernameOf(userId: string): Promise<string | undefined> {
    return (await this.userOf(userId))?.username;
  }

  /** The user ID of a username, or undefined when Mattermost has no such user. */
  async userIdOf(username: string): Promise<string | undefined> {
    try {
      return (await this.client.getUserByUsername(username)).id;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async usernamesForEmails(emails: string[]): Promise<{ found: string[]; missing: string[] }> {
    // One lookup per address (Mattermost has no batch by e-mail), all at once: they sit on the launch's on-call path.
    const usernames = await Promise.all(
      emails.map((email) =>
        this.client.getUserByEmail(email).then(
          (user) => user.username,
          (error: unknown) => {
            if (!isNotFound(error)) throw error;
            return undefined;
          },
        ),
      ),
    );
    return {
      found: usernames.filter((username): username is string => username !== undefined),
      missing: emails.filter((_, index) => usernames[index] === undefined),
    };
  }

  async usersByIds(ids: string[]): Promise<ChatUser[]> {
    const profiles = await this.profilesByIds(ids);
    return [...new Set(ids)].flatMap((id) => {
      const user = profiles.get(id);
      // Mattermost blanks e-mail addresses the bot may not see (ShowEmailAddress off, no manage_system).
      return user ? [{ id: user.id, username: user.username, email: user.email ?? '', type: user.is_bot ? ('bot' as const) : ('user' as const) }] : [];
    });
  }
}
