/**
 * Provisions a real Mattermost server for the contract suite through its REST API, as a new organisation would have it:
 * the first user (system admin on a new server), a team and people. The product's own part (the bot, its token and
 * role, the /incident command) is left to `npm run mattermost:setup`'s code, which the suite runs against it.
 * Idempotent: on a server provisioned before (a local rerun) it finds what exists and makes only what is missing.
 */
import { Client4 } from '@mattermost/client';
import type { Team } from '@mattermost/types/teams';
import type { UserProfile } from '@mattermost/types/users';

export const PASSWORD = 'Contract-Passw0rd!';
const ADMIN = 'contract-admin';

export interface Person {
  id: string;
  username: string;
  email: string;
  /** A client logged in as this person: what Mattermost's own apps do on their behalf. */
  client: Client4;
}

export interface ProvisionedMattermost {
  url: string;
  admin: Client4;
  team: Team;
  people: Record<string, Person>;
  /** The town square of the team: where incidents are started from. */
  townSquareId: string;
}

function client(url: string, token?: string): Client4 {
  const c = new Client4();
  c.setUrl(url);
  c.setIncludeCookies(false);
  if (token) c.setToken(token);
  return c;
}

async function loggedIn(url: string, username: string): Promise<Client4> {
  const c = client(url);
  await c.login(username, PASSWORD);
  return c;
}

const isStatus = (error: unknown, ...codes: number[]) => codes.includes((error as { status_code?: number }).status_code ?? 0);

async function userNamed(admin: Client4, username: string, email: string): Promise<UserProfile> {
  try {
    return await admin.getUserByUsername(username);
  } catch (error) {
    if (!isStatus(error, 404)) throw error;
    // The contract files run side by side on a fresh server: another may create the same person first.
    return admin.createUser({ username, email, password: PASSWORD } as UserProfile, '', '').catch((createError: unknown) => {
      if (!isStatus(createError, 400)) throw createError;
      return admin.getUserByUsername(username);
    });
  }
}

export async function provisionMattermost(url: string, teamName: string, usernames: string[]): Promise<ProvisionedMattermost> {
  // The first account on a new server is its system admin; on a server provisioned before, it exists already.
  await client(url)
    .createUser({ username: ADMIN, email: `${ADMIN}@contract.test`, password: PASSWORD } as UserProfile, '', '')
    .catch((error: unknown) => {
      if (!isStatus(error, 400, 403)) throw error;
    });
  const admin = await loggedIn(url, ADMIN);
  const me = await admin.getMe();
  if (!me.roles.includes('system_admin')) throw new Error(`${ADMIN} is not a system admin of ${url}: use a fresh Mattermost (its first user is the admin)`);

  let team: Team;
  try {
    team = await admin.getTeamByName(teamName);
  } catch (error) {
    if (!isStatus(error, 404)) throw error;
    team = await admin.createTeam({ name: teamName, display_name: teamName, type: 'O' } as Team);
  }

  const people: Record<string, Person> = {};
  for (const username of usernames) {
    const email = `${username}@contract.test`;
    const user = await userNamed(admin, username, email);
    await admin.addToTeam(team.id, user.id);
    people[username] = { id: user.id, username, email, client: await loggedIn(url, username) };
  }

  const townSquare = await admin.getChannelByName(team.id, 'town-square');
  return { url, admin, team, people, townSquareId: townSquare.id };
}
