/**
 * Who may start an incident from a playbook: everyone in the team when the playbook names nobody, otherwise the users
 * and Mattermost groups it names, and incident admins.
 */
import type { Playbook } from '../../domain/playbook.js';
import type { MattermostChat } from '../../integrations/mattermost/mattermost-chat.js';
import type { ChatActor } from './chat-identity.js';

export async function mayRunPlaybook(playbook: Playbook, user: ChatActor, chat: Pick<MattermostChat, 'groupNamesOf'>): Promise<boolean> {
  const run = (playbook as { permissions?: { run?: { users?: string[]; groups?: string[] } } }).permissions?.run;
  const users = run?.users ?? [];
  const groups = run?.groups ?? [];
  if (users.length === 0 && groups.length === 0) return true;
  if (user.admin || users.includes(user.username)) return true;
  if (groups.length === 0) return false;
  const mine = await chat.groupNamesOf(user.id);
  return groups.some((group) => mine.includes(group));
}
