/**
 * Chat in the browser tests: slash commands sent to the API exactly as Mattermost sends them (form-encoded, the
 * command token, the user's ID as Mattermost vouches for it), so a test can change an incident "from chat" while a
 * page shows it.
 */
import { waitFor } from '../../helpers/wait-for.js';
import type { WebStack } from './web-stack.js';

const TOWN_SQUARE = 'townsquare0000000000000000a';

/** Runs `/incident <text>` as the user in a channel; the command's reply text. */
export async function slashCommand(stack: WebStack, username: string, text: string, channelId = TOWN_SQUARE): Promise<string> {
  const form = new URLSearchParams({
    token: 'browser-command-token',
    team_id: stack.sandboxes.mattermost.teamId('default'),
    team_domain: 'default',
    channel_id: channelId,
    channel_name: 'town-square',
    user_id: stack.sandboxes.mattermost.userId(username),
    user_name: username,
    command: '/incident',
    text,
    trigger_id: '',
    response_url: 'http://mattermost.invalid/hooks/commands/x',
  });
  const response = await fetch(`${stack.api.url}/mattermost/command`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Token browser-command-token' },
    body: form.toString(),
  });
  const body = (await response.json()) as { text?: string; error?: { message: string } };
  if (!response.ok) throw new Error(`/incident ${text}: ${response.status} ${body.error?.message ?? ''}`);
  return body.text ?? '';
}

/**
 * Starts an incident from chat and waits until it is launched (the channel made and the people invited: membership
 * decides who may change it) and listed (its record has its channel).
 */
export async function startFromChat(stack: WebStack, username: string, text: string): Promise<{ id: string; channelId: string }> {
  const reply = await slashCommand(stack, username, `start ${text}`);
  const id = /`([a-z0-9-]{3,48})`/.exec(reply)?.[1];
  if (!id) throw new Error(`no incident ID in the reply to /incident start: ${reply}`);
  await waitFor(() => stack.incidents.view(id), (view) => Object.values(view.launch).every((step) => step.status !== 'pending'), { timeoutMs: 30_000, what: `incident ${id} to be launched` });
  const record = await waitFor(() => stack.records.get(id), (found) => Boolean(found?.channelId), { timeoutMs: 30_000, what: `incident ${id} to be recorded` });
  return { id, channelId: record!.channelId! };
}
