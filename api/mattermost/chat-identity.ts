/**
 * Who acts in chat. Mattermost vouches for the user ID of a slash command, button click, dialog submission or outgoing
 * webhook (the request comes from Mattermost, with its token or a context we signed); the username and the rights are
 * then asked of Mattermost for that ID, never taken from the `user_name` the request also carries, which anyone who can
 * reach the endpoint could write. Incident admins are Mattermost's system admins plus the usernames in INCIDENT_ADMINS.
 *
 * Answers are cached for a minute (a busy channel clicks and types a lot), unknown IDs too, so a flood of made-up IDs
 * asks Mattermost once each at most per minute, and the cache is bounded.
 */
import { HttpError } from '../http-error.js';

export interface ChatActor {
  id: string;
  username: string;
  /** May change any incident without being in its channel, and start restricted playbooks. */
  admin: boolean;
}

/** What identity needs of Mattermost: one user by ID. */
export interface ChatUserLookup {
  userOf(userId: string): Promise<{ id: string; username: string; roles: string[]; deleted?: boolean } | undefined>;
}

/** Mattermost user IDs: 26 lower-case letters and digits. Anything else is refused before asking. */
const USER_ID = /^[a-z0-9]{26}$/;

export class ChatIdentities {
  private readonly cache = new Map<string, { actor: ChatActor | undefined; until: number }>();

  constructor(
    private readonly users: ChatUserLookup,
    /** Usernames that are incident admins whatever their Mattermost role (INCIDENT_ADMINS). */
    private readonly admins: readonly string[],
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The user behind a Mattermost user ID, or undefined when Mattermost has no such (active) user. */
  async who(userId: string): Promise<ChatActor | undefined> {
    if (!USER_ID.test(userId)) return undefined;
    const cached = this.cache.get(userId);
    if (cached && cached.until > this.now()) return cached.actor;
    const user = await this.users.userOf(userId);
    const actor =
      user && !user.deleted
        ? { id: user.id, username: user.username.toLowerCase(), admin: user.roles.includes('system_admin') || this.admins.includes(user.username.toLowerCase()) }
        : undefined;
    if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(userId, { actor, until: this.now() + this.ttlMs });
    return actor;
  }

  /** As `who`, but a user Mattermost does not know is refused (403) with a word of why. */
  async require(userId: string): Promise<ChatActor> {
    const actor = await this.who(userId);
    if (!actor) throw new HttpError(403, 'forbidden', `Mattermost knows no active user ${JSON.stringify(userId.slice(0, 40))}; nothing was changed`);
    return actor;
  }
}
