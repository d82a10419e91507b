/**
 * The Mattermost sandbox's what integrations call: dialogs and slash commands. Shared set-up in harness.ts.
 */
import { describe, expect, it } from 'vitest';
import { alice, bot, failure, publicChannel, sandbox, teamId, useMattermostSandbox } from './harness.js';

useMattermostSandbox();

describe('Mattermost sandbox: dialogs and commands', () => {
  const dialog = { callback_id: 'start', title: 'Start an incident', elements: [{ display_name: 'Name', name: 'name', type: 'text' }] };

  it('opens a valid dialog and records it', async () => {
    expect(await bot.openDialog({ trigger_id: 'trigger-1', url: 'http://svc/dialog', dialog })).toEqual({ status: 'OK' });
    expect(sandbox.dialogs()).toContainEqual({ trigger_id: 'trigger-1', url: 'http://svc/dialog', dialog });
  });

  it('refuses an invalid dialog with a 400 AppError', async () => {
    const before = sandbox.dialogs().length;
    const invalid = [
      { trigger_id: '', url: 'http://svc/dialog', dialog },
      { trigger_id: 't', url: '', dialog },
      { trigger_id: 't', url: 'http://svc/dialog', dialog: { ...dialog, title: 'x'.repeat(25) } },
      { trigger_id: 't', url: 'http://svc/dialog', dialog: { ...dialog, title: '' } },
      { trigger_id: 't', url: 'http://svc/dialog', dialog: { ...dialog, elements: [...dialog.elements, ...dialog.elements] } },
      { trigger_id: 't', url: 'http://svc/dialog', dialog: { ...dialog, elements: [{ display_name: 'Nameless', name: '', type: 'text' }] } },
    ];
    for (const request of invalid) expect((await failure(bot.openDialog(request))).status_code).toBe(400);
    expect(sandbox.dialogs()).toHaveLength(before);
  });

  it('executes a slash command in a channel the user is in', async () => {
    const channel = await publicChannel();
    const reply = await bot.executeCommand('/incident start db down', { channel_id: channel.id, team_id: teamId });
    expect(reply).toEqual({ response_type: 'ephemeral', text: '/incident start db down executed in the sandbox' });
    expect(sandbox.executedCommands()).toContainEqual({ user_id: sandbox.userId('incident-bot'), channel_id: channel.id, team_id: teamId, command: '/incident start db down' });
    expect((await failure(bot.executeCommand('/incident', { channel_id: 'zzzzzzzzzzzzzzzzzzzzzzzzzz' }))).status_code).toBe(404);
    expect((await failure(alice.executeCommand('/incident', { channel_id: channel.id }))).status_code).toBe(403);
  });
});
