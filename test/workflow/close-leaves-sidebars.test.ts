/**
 * Closing an incident takes its channel out of the sidebar categories the launch put it in (Mattermost would keep it
 * there for good, and every later placement would carry it): once, as a follow-up, and not when the playbook archives
 * the channel (archiving takes it out already).
 */
import { expect, it } from 'vitest';
import { InMemoryWorkspace } from '../fakes/in-memory-workspace.js';
import { commandUpdates, incidentViewQuery } from '../../workflows/messages.js';
import { startTestIncident, testPlaybook, workerForTests } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait-for.js';

const workspace = new InMemoryWorkspace({ users: ['alice', 'bob', 'oscar'], onCall: { default: ['oscar@example.com'] } });
const tested = workerForTests('close-sidebars', { integrations: workspace });


async function launchedAndClosed(playbook: Record<string, unknown>) {
  const { handle } = await startTestIncident(tested.env.client, tested.taskQueue, { playbook: { ...testPlaybook, ...playbook } });
  const launched = await waitFor(() => handle.query(incidentViewQuery), (v) => Object.values(v.launch).every((step) => step.status !== 'pending'), {
    what: 'the launch',
  });
  expect(launched.launch.sidebar.status).toBe('done');
  const channelId = launched.links.channelId!;
  const holders = () => Object.entries(workspace.records.sidebars).filter(([, categories]) => categories.some((c) => c.channelIds.includes(channelId)));
  expect(holders().map(([username]) => username).sort()).toEqual(['alice', 'oscar']);
  await handle.executeUpdate(commandUpdates.acknowledge, { args: [{ actor: 'alice' }] });
  await handle.executeUpdate(commandUpdates.resolve, { args: [{ actor: 'alice' }] });
  await handle.executeUpdate(commandUpdates.close, { args: [{ actor: 'alice' }] });
  await handle.result();
  return { holders, view: await handle.query(incidentViewQuery) };
}

it('takes the channel out of every sidebar that held it when the incident closes', async () => {
  const other = await startTestIncident(tested.env.client, tested.taskQueue);
  const { holders, view } = await launchedAndClosed({});
  expect(holders()).toEqual([]);
  expect(view.timeline.filter((e) => e.data?.step === 'leaveSidebars').map((e) => [e.kind, e.text])).toEqual([
    ['integration_succeeded', "Channel taken out of 2 people's sidebar"],
  ]);
  expect(workspace.callCount('takeOutOfSidebars')).toBe(1);
  // Another incident's channel, still open, stays where it is.
  const otherView = await waitFor(() => other.handle.query(incidentViewQuery), (v) => v.launch.sidebar.status === 'done', { what: 'the other launch' });
  expect(workspace.records.sidebars.alice!.some((c) => c.channelIds.includes(otherView.links.channelId!))).toBe(true);
});

it('leaves it to the archive when the playbook archives the channel', async () => {
  const before = workspace.callCount('takeOutOfSidebars');
  const { holders, view } = await launchedAndClosed({ archiveChannelOnClose: true });
  expect(holders()).toEqual([]);
  expect(workspace.callCount('takeOutOfSidebars')).toBe(before);
  expect(view.timeline.some((e) => e.data?.step === 'leaveSidebars')).toBe(false);
  expect(view.timeline.some((e) => e.data?.step === 'archiveChannel' && e.kind === 'integration_succeeded')).toBe(true);
});
