/** Mattermost outgoing webhooks in both encodings: timeline notes from incident channels, playbook suggestions elsewhere. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadPlaybookDirectory } from '../../store/playbook-files.js';
import { lookupFromFiles } from '../../store/playbook-lookup.js';
import { incidentViewQuery, incidentWorkflowId } from '../../workflows/messages.js';
import { startChatStack, type ChatStack } from '../helpers/chat-stack.js';
import { waitFor } from '../helpers/wait-for.js';

let stack: ChatStack;
let env: TestWorkflowEnvironment;
let api: ChatStack['api'];
let sandboxes: ChatStack['sandboxes'];
let incidentId: string;
let channelId: string;
const playbookDir = mkdtempSync(join(tmpdir(), 'hook-playbooks-'));

beforeAll(async () => {
  writeFileSync(join(playbookDir, 'db.yaml'), 'id: database-outage\ntitle: Database outage\nkeywords: [replication lag, "db down"]\n');
  writeFileSync(join(playbookDir, 'blank.yaml'), 'id: blank\ntitle: Blank\n');
  const playbooks = lookupFromFiles(loadPlaybookDirectory(playbookDir));
  stack = await startChatStack({
    name: 'hooks',
    playbooks,
    mattermost: { commandTokens: ['c'], admins: [], webhookTokens: ['hook-token'], timelineTriggers: ['#timeline', '!note'] },
  });
  ({ env, api, sandboxes } = stack);
  incidentId = (await stack.incidents.start({ name: 'Replica lag', team: 'default', reporter: 'alice', playbook: (await playbooks.get('blank'))! })).id;
  const view = await waitFor(() => env.client.workflow.getHandle(incidentWorkflowId(incidentId)).query(incidentViewQuery), (v) => v.launch.channelHeader.status !== 'pending', { timeoutMs: 30_000 });
  channelId = view.links.channelId!;
  // Mattermost lets only a channel's members post in it: the authors of these tests' messages are in it.
  await sandboxes.ports.chat.addChannelMembers(channelId, ['bob', 'carol']);
  // The API finds the incident of a channel in the store's records, written a moment after the channel exists.
  await waitFor(() => stack.records.forChannel(channelId), (record) => record?.id === incidentId, { what: "the channel in the incident's record" });
});

afterAll(async () => {
  await stack?.stop();
  rmSync(playbookDir, { recursive: true, force: true });
});

let postCount = 0;
/** Every post has an ID of its own (26 characters, as Mattermost's). */
const nextPostId = () => `p0st${String(++postCount).padStart(22, '0')}`;

function fields(text: string, channel: string, user = 'bob', postId = nextPostId()) {
  return {
    token: 'hook-token', team_id: sandboxes.mattermost.teamId('default'), team_domain: 'default', channel_id: channel, channel_name: 'x',
    timestamp: String(Date.now()), user_id: sandboxes.mattermost.userId(user), user_name: user, post_id: postId, text, trigger_word: '', file_ids: '',
  };
}

async function hook(body: Record<string, string>, encoding: 'form' | 'json') {
  const response = await fetch(`${api.url}/mattermost/webhook`, {
    method: 'POST',
    headers: { 'content-type': encoding === 'form' ? 'application/x-www-form-urlencoded' : 'application/json', accept: 'application/json' },
    body: encoding === 'form' ? new URLSearchParams(body).toString() : JSON.stringify({ ...body, timestamp: Number(body.timestamp) }),
  });
  return { status: response.status, body: await response.json() };
}

const notes = async () =>
  (await env.client.workflow.getHandle(incidentWorkflowId(incidentId)).query(incidentViewQuery)).timeline.filter((e) => e.kind === 'note');

describe('outgoing webhooks', () => {
  it('turns a #timeline message in an incident channel into a timeline entry with author and link (form encoding)', async () => {
    expect(await hook(fields('#timeline Failover to the replica in eu-west-1 started', channelId, 'bob', 'p0st1d0000000000000000000a'), 'form')).toEqual({ status: 200, body: {} });
    expect(await notes()).toEqual([
      expect.objectContaining({ actor: 'bob', text: 'Failover to the replica in eu-west-1 started', data: { link: `${sandboxes.urls.mattermost}/default/pl/p0st1d0000000000000000000a` } }),
    ]);
  });

  it('does the same for !note in JSON encoding, and ignores other messages', async () => {
    await hook(fields('!note Replica caught up', channelId, 'carol'), 'json');
    await hook(fields('just chatting about lunch', channelId), 'json');
    expect((await notes()).map((e) => [e.actor, e.text])).toEqual([
      ['bob', 'Failover to the replica in eu-west-1 started'],
      ['carol', 'Replica caught up'],
    ]);
  });

  it("suggests a playbook, ephemerally, when a message elsewhere matches the playbook's keywords", async () => {
    const outside = (await sandboxes.ports.chat.createChannel({ team: 'default', name: 'ops-chatter', displayName: 'Ops chatter', purpose: '', private: false })).id;
    expect(await hook(fields('is the DB DOWN for anyone else?', outside), 'form')).toEqual({ status: 200, body: {} });
    expect(sandboxes.mattermost.ephemeralPosts()).toEqual([
      expect.objectContaining({ to_user_id: sandboxes.mattermost.userId('bob'), channel_id: outside, message: expect.stringContaining('`/incident start database-outage <name>` (Database outage)') }),
    ]);
    await hook(fields('nothing to see here', outside), 'form');
    expect(sandboxes.mattermost.ephemeralPosts()).toHaveLength(1);
  });

  it('ignores a message whose author is not in the incident channel (a user_id made up by whoever holds the token)', async () => {
    const before = (await notes()).length;
    expect(await hook(fields('#timeline I was never here', channelId, 'dave'), 'form')).toEqual({ status: 200, body: {} });
    expect(await notes()).toHaveLength(before);
  });

  it('notes a post once when Mattermost delivers it twice (a retry, or the websocket too)', async () => {
    const again = fields('#timeline Writes paused on the primary', channelId, 'carol');
    await hook(again, 'form');
    await hook(again, 'json');
    expect((await notes()).filter((e) => e.text === 'Writes paused on the primary')).toHaveLength(1);
  });

  it('refuses a wrong token', async () => {
    const response = await hook({ ...fields('#timeline x', channelId), token: 'nope' }, 'form');
    expect(response.status).toBe(401);
    expect((await notes()).length).toBe(3);
  });
});
