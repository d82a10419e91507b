/**
 * Mattermost's events end to end, against the sandbox's websocket: the API listens as the bot (the official
 * WebSocketClient), a join reaches the incident at once (its periodic look is an hour away), a `#timeline` message in a
 * private channel becomes a note by its author, the stream comes back after Mattermost drops it, and a catch-up after a
 * gap notes what was posted meanwhile, once however often it runs.
 */
import mattermost from '@mattermost/client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelEventReactions } from '../../api/mattermost/channel-events.js';
import { channelMessageHandler } from '../../api/mattermost/channel-messages.js';
import { ChatIdentities } from '../../api/mattermost/chat-identity.js';
import { incidentDirectory } from '../../api/mattermost/incident-directory.js';
import type { IncidentView } from '../../domain/incident.js';
import type { MattermostChat } from '../../integrations/mattermost/mattermost-chat.js';
import { startChatStack, shippedPlaybooks, type ChatStack } from '../helpers/chat-stack.js';
import { waitFor } from '../helpers/wait-for.js';

const { Client4 } = mattermost;

let stack: ChatStack;
let alice: InstanceType<typeof Client4>;
let incident: IncidentView;

const view = (id = incident.id) => stack.incidents.view(id);
const notes = async (id = incident.id) => (await view(id)).timeline.filter((event) => event.kind === 'note').map((event) => [event.actor, event.text]);
const openSockets = async () => ((await (await fetch(`${stack.sandboxes.urls.mattermost}/_sandbox/state`)).json()) as { websocketConnections?: number }).websocketConnections;

beforeAll(async () => {
  stack = await startChatStack({
    name: 'mm-events',
    mattermost: { commandTokens: ['c'], admins: [], timelineTriggers: ['#timeline', '!note'] },
    listenToEvents: true,
    // The periodic look at members is an hour away: a join noticed within seconds came by the websocket.
    workflowOptions: { membershipCheckIntervalMs: 3_600_000 },
  });
  alice = new Client4();
  alice.setUrl(stack.sandboxes.urls.mattermost);
  alice.setToken('alice-token');
  const playbook = { ...(await shippedPlaybooks().get('blank'))!, id: 'private-room', channel: { private: true }, welcomeMessage: 'Welcome to {{channel}}.' };
  const { id } = await stack.incidents.start({ name: 'Leaked key', team: 'default', reporter: 'alice', playbook: playbook as never });
  incident = await waitFor(() => view(id), (v) => Object.values(v.launch).every((step) => step.status !== 'pending') && v.members !== undefined, {
    timeoutMs: 30_000,
    what: 'the launch and the first look at the members',
  });
  await waitFor(() => stack.records.forChannel(incident.links.channelId!), (record) => record?.id === id, { what: "the channel in the incident's record" });
  await waitFor(openSockets, (count) => count === 1, { what: 'the API listening on the websocket' });
}, 120_000);

afterAll(async () => {
  // The store's record written before the worker stops: a record write in flight at the stop would wait for its query.
  if (incident) {
    const revision = (await view()).revision;
    await waitFor(() => stack.records.forChannel(incident.links.channelId!), (record) => (record?.revision ?? 0) >= revision, { what: 'the last record write' });
  }
  await stack?.stop();
});

describe('Mattermost events', () => {
  it('welcomes someone added to the channel within seconds, and records the join', async () => {
    await stack.sandboxes.ports.chat.addChannelMembers(incident.links.channelId!, ['erin']);
    const joined = await waitFor(() => view(), (v) => v.timeline.some((event) => event.kind === 'member_joined'), { timeoutMs: 10_000, what: 'the join' });
    expect(joined.timeline.filter((event) => event.kind === 'member_joined').map((event) => event.text)).toEqual(['@erin joined the channel']);
    expect(joined.members).toContain('erin');
    const welcomes = await waitFor(
      async () => ((await (await fetch(`${stack.sandboxes.urls.mattermost}/_sandbox/state`)).json()) as { posts: Array<{ message: string }> }).posts.filter((post) => post.message.startsWith(`Welcome to ~${incident.links.channelName}`)),
      (found) => found.length > 0,
      { timeoutMs: 10_000, what: 'the welcome to erin' },
    );
    expect(welcomes).toHaveLength(1);
  });

  it('notes a #timeline message in a private incident channel, by its author, with a link to the post', async () => {
    const post = await alice.createPost({ channel_id: incident.links.channelId!, message: '#timeline revoked the leaked key' } as never);
    await waitFor(notes, (found) => found.length === 1, { timeoutMs: 10_000, what: 'the note' });
    const note = (await view()).timeline.find((event) => event.kind === 'note')!;
    expect([note.actor, note.text, note.data?.link]).toEqual(['alice', 'revoked the leaked key', `${stack.sandboxes.urls.mattermost}/default/pl/${post.id}`]);
  });

  it('leaves plain messages and the bot\'s own posts alone', async () => {
    await alice.createPost({ channel_id: incident.links.channelId!, message: 'anyone seen the key rotation runbook?' } as never);
    await stack.sandboxes.ports.chat.createPost(incident.links.channelId!, '#timeline written by the bot', 'bot-note');
    // A note after them, from the same channel's ordered stream: by then the two before it were handled.
    await alice.createPost({ channel_id: incident.links.channelId!, message: '!note audit log exported' } as never);
    await waitFor(notes, (found) => found.length === 2, { timeoutMs: 10_000, what: 'the second note' });
    expect(await notes()).toEqual([
      ['alice', 'revoked the leaked key'],
      ['alice', 'audit log exported'],
    ]);
  });

  it('listens again after Mattermost drops the websocket', async () => {
    const dropped = await fetch(`${stack.sandboxes.urls.mattermost}/_sandbox/websocket/drop`, { method: 'POST' });
    expect(dropped.ok).toBe(true);
    await waitFor(openSockets, (count) => count === 1, { what: 'the API listening again' });
    await alice.createPost({ channel_id: incident.links.channelId!, message: '#timeline keys rotated everywhere' } as never);
    await waitFor(notes, (found) => found.length === 3, { timeoutMs: 10_000, what: 'a note after the reconnect' });
    expect((await notes()).at(-1)).toEqual(['alice', 'keys rotated everywhere']);
  });

  it('catches up after a gap: the timeline messages posted since then are sent again, and noted once however often they come', async () => {
    // Reactions of their own, as the listener's gap handler runs them (the API's listener hears the post live too).
    const chat = stack.sandboxes.ports.chat as MattermostChat;
    const directory = incidentDirectory(stack.records);
    const logger = pino({ level: 'silent' });
    const handleMessage = channelMessageHandler({
      incidents: stack.incidents,
      directory,
      playbooks: shippedPlaybooks(),
      chat,
      people: new ChatIdentities(chat, []),
      timelineTriggers: ['#timeline'],
      logger,
    });
    const sent: string[] = [];
    const reactions = channelEventReactions({
      incidents: stack.incidents,
      directory,
      chat,
      handleMessage: (message, options) => {
        sent.push(message.text);
        return handleMessage(message, options);
      },
      logger,
    });
    const since = Date.now();
    await alice.createPost({ channel_id: incident.links.channelId!, message: '#timeline posted while nobody listened' } as never);
    for (let i = 0; i < 2; i++) {
      reactions.handlers.onGap({ first: false, since });
      await reactions.settled();
    }
    await reactions.stop();
    // Each catch-up found it (with the notes of the minute before: a catch-up looks a minute further back)...
    expect(sent.filter((text) => text === '#timeline posted while nobody listened')).toHaveLength(2);
    expect(sent).toContain('#timeline keys rotated everywhere');
    // ...and the incident has each once, though they came three times (live, and two catch-ups).
    const found = await waitFor(notes, (all) => all.some(([, text]) => text === 'posted while nobody listened'), { what: 'the note' });
    expect(found).toEqual([
      ['alice', 'revoked the leaked key'],
      ['alice', 'audit log exported'],
      ['alice', 'keys rotated everywhere'],
      ['alice', 'posted while nobody listened'],
    ]);
  });
});
