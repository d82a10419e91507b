/**
 * Every "may this person do that" of every door, in one place, so the REST API, slash commands, buttons and dialogs
 * cannot drift apart:
 *
 * - who may start an incident from a playbook (`permissions.run`) and who may change a stored playbook
 *   (`permissions.edit`): everyone when the playbook names nobody, otherwise the users and Mattermost groups it
 *   names, and incident admins (REST: the admin scope; chat: Mattermost system admins and INCIDENT_ADMINS);
 * - who may name someone else as the actor of a command or the reporter of an incident: a token with the act-for
 *   capability (the Mattermost bridge, trusted automation), or open mode on one's own machine.
 *
 * - who may change an incident, as a person Mattermost vouches for (chat, or the web app signed in with Mattermost):
 *   incident admins, and the members of the incident's channel (Mattermost's to say).
 */
import type { Playbook } from '../domain/playbook/schema.js';
import type { Caller } from './auth/api-tokens.js';
import { HttpError } from './http-error.js';
import { IntegrationError } from '../activities/ports/integration-error.js';

/** What the permission checks ask of Mattermost (the chat client answers it). */
export interface GroupDirectory {
  userIdOf(username: string): Promise<string | undefined>;
  groupNamesOf(userId: string): Promise<string[]>;
}

/** Someone acting: their username, their Mattermost user ID when known, and whether they are an incident admin. */
export interface Person {
  username: string;
  id?: string;
  admin: boolean;
}

type PeopleList = { users?: string[]; groups?: string[] } | undefined;

async function listAdmits(list: PeopleList, person: Person, directory: Pick<GroupDirectory, 'groupNamesOf'> & Partial<GroupDirectory> | undefined, what: string): Promise<boolean> {
  const users = list?.users ?? [];
  const groups = list?.groups ?? [];
  if (users.length === 0 && groups.length === 0) return true;
  if (person.admin || users.includes(person.username)) return true;
  // Groups count only with a directory to ask: without one, a group-only list admits nobody but admins.
  if (groups.length === 0 || !directory) return false;
  try {
    const userId = person.id ?? (await directory.userIdOf?.(person.username));
    if (!userId) return false;
    const mine = await directory.groupNamesOf(userId);
    return groups.some((group) => mine.includes(group));
  } catch (error) {
    if (error instanceof IntegrationError && error.kind === 'GroupsUnavailable') {
      // Not "no": the groups cannot be asked about at all, and the people in them should know why they are refused.
      throw new HttpError(403, 'forbidden', `only the groups ${groups.join(', ')} (and the users named) may ${what}, but ${error.message}; an incident admin can do it, or the playbook can name users`);
    }
    throw new HttpError(503, 'unavailable', `could not ask Mattermost whether "${person.username}" is in the groups that may ${what}; try again`);
  }
}

const permissionsOf = (playbook: Playbook) =>
  (playbook as { permissions?: { run?: PeopleList; edit?: PeopleList } }).permissions;

export function mayRunPlaybook(playbook: Playbook, person: Person, directory?: Pick<GroupDirectory, 'groupNamesOf'> & Partial<GroupDirectory>): Promise<boolean> {
  return listAdmits(permissionsOf(playbook)?.run, person, directory, `run playbook "${playbook.id}"`);
}

export function mayEditPlaybook(playbook: Playbook, caller: Caller, directory?: GroupDirectory): Promise<boolean> {
  return listAdmits(permissionsOf(playbook)?.edit, { username: caller.name, admin: caller.scope === 'admin' }, directory, `edit playbook "${playbook.id}"`);
}

/** The person a REST caller acts as: itself, or (with act-for) whom the body names. */
export function mayActFor(caller: Caller, username: string): boolean {
  return username === caller.name || caller.actFor === true;
}

/** The REST caller as a Person: admin scope is incident admin; a person signed in with Mattermost is themself. */
export function personOfCaller(caller: Caller, username: string): Person {
  if (caller.person && username === caller.name) return { username, id: caller.person.id, admin: caller.person.admin };
  return { username, admin: caller.scope === 'admin' };
}

/** What changing an incident asks of Mattermost. */
export interface ChannelMembership {
  isChannelMember(channelId: string, userId: string): Promise<boolean>;
}

export const NOT_A_MEMBER_MESSAGE = 'only members of the incident channel (or incident admins) can change the incident';

/**
 * Whether a person may change an incident: incident admins always, others while they are members of its channel. An
 * incident whose channel is not made yet (or failed) has no members to ask: admins only.
 */
export async function mayChangeIncident(person: { id: string; admin: boolean }, channelId: string | undefined, chat: ChannelMembership): Promise<boolean> {
  if (person.admin) return true;
  return channelId !== undefined && channelId !== '' && (await chat.isChannelMember(channelId, person.id));
}
