/**
 * What a new Mattermost sandbox starts with: the default users and group, and the seeding of users, teams and user
 * groups from the options (kept across reset, so their ids stay the same for a whole test run).
 */
import { newMattermostId } from './ids.js';
import type { MattermostWorld } from './state.js';
import type { MattermostSandboxGroup, MattermostSandboxUser } from './types.js';

export const DEFAULT_USERS: MattermostSandboxUser[] = [
  { username: 'incident-bot', isBot: true, systemAdmin: true },
  ...['alice', 'bob', 'carol', 'dave', 'erin', 'oscar'].map((username) => ({ username })),
];

export const DEFAULT_GROUPS: MattermostSandboxGroup[] = [{ name: 'sre', displayName: 'SRE', members: ['bob', 'carol'] }];
/** model.Group.IsValidName: lower-case letters, digits, ".", "-" and "_", at most 64 characters. */
const GROUP_NAME = /^[a-z0-9.\-_]{1,64}$/;

export function seedUser(world: MattermostWorld, input: MattermostSandboxUser, at: number): void {
  if (world.userByUsername(input.username)) throw new Error(`Mattermost sandbox: duplicate user "${input.username}"`);
  const id = newMattermostId();
  const human = !input.isBot;
  world.users.set(id, {
    id,
    username: input.username,
    email: input.email ?? `${input.username}@example.com`,
    first_name: human ? input.username.charAt(0).toUpperCase() + input.username.slice(1) : '',
    last_name: '',
    nickname: '',
    position: '',
    is_bot: Boolean(input.isBot),
    roles: input.systemAdmin ? 'system_admin system_user' : 'system_user',
    auth_service: '',
    create_at: at,
    update_at: at,
    delete_at: 0,
    locale: 'en',
  });
}

export function seedTeam(world: MattermostWorld, input: { name: string; displayName?: string }, at: number): void {
  const id = newMattermostId();
  world.teams.set(id, {
    id,
    create_at: at,
    update_at: at,
    delete_at: 0,
    display_name: input.displayName ?? input.name,
    name: input.name,
    description: '',
    email: '',
    type: 'O',
    company_name: '',
    allowed_domains: '',
    invite_id: newMattermostId(),
    allow_open_invite: false,
    scheme_id: '',
    group_constrained: false,
  });
}

export function seedGroup(world: MattermostWorld, input: MattermostSandboxGroup, at: number, lenient: boolean): void {
  if (!GROUP_NAME.test(input.name)) throw new Error(`Mattermost sandbox: invalid group name "${input.name}"`);
  if (world.groupByName(input.name)) throw new Error(`Mattermost sandbox: duplicate group "${input.name}"`);
  const memberIds: string[] = [];
  for (const username of new Set(input.members)) {
    const user = world.userByUsername(username);
    if (user) memberIds.push(user.id);
    else if (!lenient) throw new Error(`Mattermost sandbox: group "${input.name}" names unknown user "${username}"`);
  }
  const id = newMattermostId();
  world.groups.set(id, {
    id,
    name: input.name,
    display_name: input.displayName ?? input.name,
    description: '',
    source: 'custom',
    remote_id: null,
    create_at: at,
    update_at: at,
    delete_at: 0,
    has_syncables: false,
    scheme_admin: false,
    allow_reference: true,
  });
  world.groupMembers.set(id, memberIds);
}
