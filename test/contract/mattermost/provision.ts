/**
 * Provisions a real Mattermost server for the contract suite through its REST API, as an administrator would by hand:
 * the first user (system admin on a new server), a team, people, the incident bot with its token and the role it needs,
 * and the `/incident` slash command pointing at the product. Idempotent: on a server provisioned before (a local rerun)
 * it finds what exists and makes only what is missing.
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
  bot: { id: string; username: string; token: string };
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
    return admin.createUser({ username, email, password: PASSWORD } as UserProfile, '', '');
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

  // The bot: system admin, so it may put channels into people's sidebar categories and add anyone to channels.
  let botId: string;
  try {
    botId = (await admin.getUserByUsername('incident-bot')).id;
  } catch (error) {
    if (!isStatus(error, 404)) throw error;
    botId = (await admin.createBot({ username: 'incident-bot', display_name: 'Incident bot', description: 'Incident Collaboration on Temporal' })).user_id;
  }
  await admin.updateUserRoles(botId, 'system_user system_admin');
  await admin.addToTeam(team.id, botId);
  const token = (await admin.createUserAccessToken(botId, `contract ${new Date().toISOString()}`)).token ?? '';

  const townSquare = await admin.getChannelByName(team.id, 'town-square');
  return { url, admin, team, people, bot: { id: botId, username: 'incident-bot', token }, townSquareId: townSquare.id };
}

/** The `/incident` slash command of the team, pointing at the product (replaced when it points elsewhere). */
export async function registerSlashCommand(mattermost: ProvisionedMattermost, commandUrl: string): Promise<string> {
  const { admin, team } = mattermost;
  const existing = (await admin.getCustomTeamCommands(team.id)).filter((command) => command.trigger === 'incident');
  for (const command of existing) await admin.deleteCommand(command.id);
  const created = await admin.addCommand({
    team_id: team.id,
    trigger: 'incident',
    method: 'P',
    url: commandUrl,
    auto_complete: true,
    auto_complete_desc: 'Start and run incidents',
    auto_complete_hint: '[start|note|commander|resolve|help]',
    display_name: 'Incident',
    description: 'Incident Collaboration on Temporal',
    username: '',
    icon_url: '',
  } as never);
  return created.token;
}
