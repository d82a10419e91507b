/**
 * Who may start an incident from a playbook: everyone in the team when the playbook names nobody, otherwise the users
 * and Mattermost groups it names, and incident admins.
 */
import type { Playbook } from '../../domain/playbook.js';
import type { MattermostChat } from '../../integrations/mattermost/mattermost-chat.js';

export async function mayRunPlaybook(
  playbook: Playbook,
  user: { id: string; username: string },
  chat: MattermostChat,
  admins: readonly string[],
): Promise<boolean> {
  const run = (playbook as { permissions?: { run?: { users?: string[]; groups?: string[] } } }).permissions?.run;
  const users = run?.users ?? [];
  const groups = run?.groups ?? [];
  if (users.length === 0 && groups.length === 0) return true;
  if (admins.includes(user.username) || users.includes(user.username)) return true;
  if (groups.length === 0) return false;
  const mine = await chat.groupNamesOf(user.id);
  return groups.some((group) => mine.includes(group));
}
