/**
 * The Mattermost sandbox's websocket, driven by the real @mattermost/client WebSocketClient (the one the incident
 * service listens with) and, for what that client hides (replies, close codes), by a bare `ws` socket.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import mm from '@mattermost/client';
import WebSocket from 'ws';
import { createMattermostSandbox } from '../../../sandbox/mattermost/index.js';
import { waitFor } from '../../helpers/wait-for.js';

// Under native ESM the CommonJS package only exposes its classes on the default export.
const { Client4, WebSocketClient } = mm;
type Listener = InstanceType<typeof WebSocketClient>;

// The client was written for browsers: it reads WebSocket.OPEN and constructs CloseEvent by global name, and Node 20 has
// neither.
const scope = globalThis as Record<string, unknown>;
scope.WebSocket ??= WebSocket;
scope.CloseEvent ??= class CloseEvent extends Event {
  readonly code: number;
  readonly wasClean: boolean;
  constructor(type: string, init: { code?: number; wasClean?: boolean } = {}) {
    super(type);
    this.code = init.code ?? 0;
    this.wasClean = init.wasClean ?? false;
  }
};

const sandbox = createMattermostSandbox({
  tokens: { 'mm-bot-token': 'incident-bot', 'alice-token': 'alice', 'bob-token': 'bob' },
});

let wsUrl = '';
let teamId = '';
let uniqueName = 0;
const ids = { bot: '', alice: '', bob: '' };
const clients: Listener[] = [];
const rawSockets: WebSocket[] = [];

function rest(token: string): InstanceType<typeof Client4> {
  const client = new Client4();
  client.setUrl(sandbox.server.url);
  client.setIncludeCookies(false);
  client.setToken(token);
  return client;
}

interface Heard {
  client: Listener;
  /** Every event (hello included), in arrival order. */
  events: any[];
  reconnects: number;
  missed: number;
  closes: number;
}

/** A WebSocketClient as the service would run it, with quick reconnects so a dropped socket comes back at once. */
function listen(token: string): Heard {
  const heard: Heard = {
    client: new WebSocketClient({
      newWebSocketFn: (url: string) => new WebSocket(url) as never,
      minWebSocketRetryTime: 50,
      reconnectJitterRange: 0,
      maxWebSocketFails: 100,
    }),
    events: [],
    reconnects: 0,
    missed: 0,
    closes: 0,
  };
  heard.client.addMessageListener((message) => heard.events.push(message));
  heard.client.addReconnectListener(() => heard.reconnects++);
  heard.client.addMissedMessageListener(() => heard.missed++);
  heard.client.addCloseListener(() => heard.closes++);
  heard.client.initialize(wsUrl, token);
  clients.push(heard.client);
  return heard;
}

const helloCount = (heard: Heard) => heard.events.filter((event) => event.event === 'hello').length;
const connected = (heard: Heard) => waitFor(() => helloCount(heard), (count) => count > 0, { intervalMs: 10, what: 'the hello' });

/** The first event accepted, once it has arrived. */
function eventOf(heard: Heard, accept: (event: any) => boolean, what: string): Promise<any> {
  return waitFor(() => heard.events.find(accept), (event) => event !== undefined, { intervalMs: 10, what });
}

/**
 * Every connection's events number 0 (its hello), 1, 2... without a gap. The client would reconnect on a gap, so the
 * count of reconnects staying put is checked alongside by the tests.
 */
function expectGaplessSeqs(heard: Heard): void {
  let expected = 0;
  for (const event of heard.events) {
    if (event.event === 'hello') expected = 0;
    expect(event.seq).toBe(expected);
    expected += 1;
  }
}

/** A bare socket, with every frame it receives parsed, and its close code once closed. */
function rawSocket(headers: Record<string, string> = {}) {
  const socket = new WebSocket(`${wsUrl}?connection_id=&sequence_number=0`, { headers });
  rawSockets.push(socket);
  const frames: any[] = [];
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  socket.on('message', (data) => frames.push(JSON.parse(String(data))));
  socket.on('error', () => undefined);
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
  });
  const send = (message: object) => socket.send(JSON.stringify(message));
  const frame = (accept: (frame: any) => boolean, what: string) => waitFor(() => frames.find(accept), (found) => found !== undefined, { intervalMs: 10, what });
  return { socket, frames, closed, opened, send, frame };
}

async function channelWithBot(extraMembers: string[] = []) {
  const name = `ws-${++uniqueName}`;
  const channel = await rest('mm-bot-token').createChannel({ team_id: teamId, name, display_name: name.toUpperCase(), type: 'O' } as never);
  if (extraMembers.length) await rest('mm-bot-token').addToChannels(extraMembers, channel.id);
  return channel;
}

beforeAll(async () => {
  // The client logs every connect, close and reconnect with console.log.
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const url = await sandbox.server.start({ port: 0 });
  wsUrl = `${url.replace(/^http/, 'ws')}/api/v4/websocket`;
  teamId = sandbox.teamId('default');
  ids.bot = sandbox.userId('incident-bot');
  ids.alice = sandbox.userId('alice');
  ids.bob = sandbox.userId('bob');
});

afterEach(() => {
  // Closed by hand so their reconnect timers cannot outlive the test.
  clients.splice(0).forEach((client) => client.close());
  rawSockets.splice(0).forEach((socket) => socket.terminate());
});

afterAll(async () => {
  await sandbox.server.stop();
  vi.restoreAllMocks();
});

describe('Mattermost sandbox websocket: the handshake', () => {
  it('answers an authentication challenge with the hello, then OK; pings with pong', async () => {
    const raw = rawSocket();
    await raw.opened;
    raw.send({ action: 'authentication_challenge', seq: 1, data: { token: 'mm-bot-token' } });
    await raw.frame((frame) => frame.seq_reply === 1, 'the challenge reply');
    const [hello, reply] = raw.frames;
    expect(hello).toEqual({
      event: 'hello',
      data: { connection_id: expect.stringMatching(/^[a-z0-9]{26}$/), server_hostname: 'mattermost-sandbox', server_version: '9.11.0.sandbox' },
      broadcast: { omit_users: null, user_id: ids.bot, channel_id: '', team_id: '', connection_id: '', omit_connection_id: '' },
      seq: 0,
    });
    expect(reply).toEqual({ status: 'OK', seq_reply: 1 });

    const before = Date.now();
    raw.send({ action: 'ping', seq: 2 });
    raw.send({ action: 'user_typing', seq: 3, data: { channel_id: 'x', parent_id: '' } });
    raw.send({ action: 'ping', seq: 0 });
    await raw.frame((frame) => frame.seq_reply === 3, 'the user_typing reply');
    const pong = raw.frames.find((frame) => frame.seq_reply === 2);
    expect(pong).toEqual({ status: 'OK', seq_reply: 2, data: { text: 'pong', version: '9.11.0.sandbox', server_time: expect.any(Number) } });
    expect(pong.data.server_time).toBeGreaterThanOrEqual(before);
    expect(raw.frames.find((frame) => frame.seq_reply === 3)).toEqual({ status: 'OK', seq_reply: 3 });
    // A seq below 1 is refused by the real router; seq_reply is omitempty, so the reply carries none.
    const badSeq = await raw.frame((frame) => frame.status === 'FAIL', 'the bad_seq error');
    expect(badSeq).toEqual({ status: 'FAIL', error: expect.objectContaining({ id: 'api.web_socket_router.bad_seq.app_error', status_code: 400 }) });
  });

  it('closes the connection on an unknown token without a reply, as the real router does', async () => {
    const raw = rawSocket();
    await raw.opened;
    raw.send({ action: 'ping', seq: 1 });
    const refused = await raw.frame((frame) => frame.seq_reply === 1, 'the unauthenticated ping reply');
    expect(refused).toEqual({
      status: 'FAIL',
      seq_reply: 1,
      error: { id: 'api.web_socket_router.not_authenticated.app_error', message: expect.any(String), detailed_error: '', status_code: 401 },
    });
    raw.send({ action: 'authentication_challenge', seq: 2, data: { token: 'wrong-token' } });
    // 1006: the connection is cut without a close frame.
    expect(await raw.closed).toBe(1006);
    expect(raw.frames.map((frame) => frame.event ?? frame.seq_reply)).toEqual([1]);
  });

  it('refuses the real client with a bad token: it closes and keeps retrying, never hearing a hello', async () => {
    const heard = listen('wrong-token');
    await waitFor(() => heard.closes, (closes) => closes >= 2, { intervalMs: 10, what: 'two refused connections' });
    expect(heard.events).toEqual([]);
  });

  it('authenticates from an Authorization header at the upgrade, sending the hello at once', async () => {
    const raw = rawSocket({ Authorization: 'Bearer alice-token' });
    const hello = await raw.frame((frame) => frame.event === 'hello', 'the hello');
    expect(hello.broadcast.user_id).toBe(ids.alice);
    raw.send({ action: 'ping', seq: 1 });
    expect((await raw.frame((frame) => frame.seq_reply === 1, 'the pong')).data.text).toBe('pong');
  });

  it('records the upgrade without the token, counts open sockets, and applies fault rules to the upgrade', async () => {
    sandbox.server.requests.splice(0);
    const raw = rawSocket({ Authorization: 'Bearer alice-token' });
    await raw.opened;
    await waitFor(() => sandbox.webSocketConnections(), (count) => count >= 1, { intervalMs: 10, what: 'the open socket' });
    const state = (await (await fetch(`${sandbox.server.url}/_sandbox/state`)).json()) as { websocketConnections: number };
    expect(state.websocketConnections).toBeGreaterThanOrEqual(1);
    expect(sandbox.server.requestsTo('GET', /^\/api\/v4\/websocket$/)).toEqual([
      expect.objectContaining({ status: 101, query: { connection_id: '', sequence_number: '0' }, headers: expect.objectContaining({ authorization: 'Bearer [redacted]' }) }),
    ]);

    sandbox.server.addFault({ path: '/api/v4/websocket', status: 503, retryAfterSeconds: 5, times: 1 });
    const refused = rawSocket();
    await expect(refused.opened).rejects.toThrow('upgrade refused with 503');
    sandbox.server.clearFaults();
  });
});

describe('Mattermost sandbox websocket: events', () => {
  it('sends posted for a post in a channel the bot is in, with the post as REST answered it', async () => {
    const bot = listen('mm-bot-token');
    await connected(bot);
    const channel = await channelWithBot([ids.alice]);
    const post = await rest('alice-token').createPost({ channel_id: channel.id, message: 'database is down' } as never);
    const posted = await eventOf(bot, (event) => event.event === 'posted', 'the posted event');
    expect(posted).toEqual({
      event: 'posted',
      data: {
        channel_display_name: channel.display_name,
        channel_name: channel.name,
        channel_type: 'O',
        post: expect.any(String),
        sender_name: '@alice',
        set_online: true,
        team_id: teamId,
      },
      broadcast: { omit_users: null, user_id: '', channel_id: channel.id, team_id: '', connection_id: '', omit_connection_id: '' },
      seq: expect.any(Number),
    });
    expect(JSON.parse(posted.data.post)).toEqual(post);
    // Its own posts too: the bot hears everything in its channels.
    await rest('mm-bot-token').createPost({ channel_id: channel.id, message: 'on it' } as never);
    await eventOf(bot, (event) => event.event === 'posted' && JSON.parse(event.data.post).message === 'on it', "the bot's own post");
    expectGaplessSeqs(bot);
    expect(bot.reconnects).toBe(0);
  });

  it('keeps posts in channels the bot is not in to their members', async () => {
    const bot = listen('mm-bot-token');
    const alice = listen('alice-token');
    await Promise.all([connected(bot), connected(alice)]);
    const shared = await channelWithBot([ids.alice]);
    const name = `ws-alice-${++uniqueName}`;
    const own = await rest('alice-token').createChannel({ team_id: teamId, name, display_name: name, type: 'P' } as never);
    await rest('alice-token').createPost({ channel_id: own.id, message: 'private matter' } as never);
    await rest('alice-token').createPost({ channel_id: shared.id, message: 'marker' } as never);
    // Events reach one connection in order: once the later marker is in, the earlier private post would have been.
    await eventOf(bot, (event) => event.event === 'posted' && event.broadcast.channel_id === shared.id, 'the marker');
    expect(bot.events.filter((event) => event.broadcast.channel_id === own.id)).toEqual([]);
    const heardByAlice = await eventOf(alice, (event) => event.event === 'posted' && event.broadcast.channel_id === own.id, "alice's private post");
    expect(heardByAlice.data.channel_type).toBe('P');
  });

  it('names a direct channel after the sender and gives it no team', async () => {
    const alice = listen('alice-token');
    await connected(alice);
    const dm = await rest('mm-bot-token').createDirectChannel([ids.bot, ids.alice]);
    await rest('mm-bot-token').createPost({ channel_id: dm.id, message: 'you are on call' } as never);
    const posted = await eventOf(alice, (event) => event.event === 'posted', 'the direct message');
    expect(posted.data).toMatchObject({ channel_type: 'D', channel_display_name: '@incident-bot', channel_name: dm.name, sender_name: '@incident-bot', team_id: '' });
  });

  it('announces bob joining and leaving: user_added to the members, user_removed to the rest and to bob', async () => {
    const bot = listen('mm-bot-token');
    const bob = listen('bob-token');
    await Promise.all([connected(bot), connected(bob)]);
    const channel = await channelWithBot();
    await rest('mm-bot-token').addToChannel(ids.bob, channel.id);
    const added = await eventOf(bot, (event) => event.event === 'user_added', 'user_added');
    expect(added).toEqual({
      event: 'user_added',
      data: { team_id: teamId, user_id: ids.bob },
      broadcast: { omit_users: null, user_id: '', channel_id: channel.id, team_id: '', connection_id: '', omit_connection_id: '' },
      seq: expect.any(Number),
    });
    // The added user is a member by then, so hears it too.
    await eventOf(bob, (event) => event.event === 'user_added' && event.broadcast.channel_id === channel.id, "bob's user_added");
    // Adding a member again announces nothing: the next event the bot hears is the removal.
    await rest('mm-bot-token').addToChannel(ids.bob, channel.id);

    await rest('mm-bot-token').removeFromChannel(ids.bob, channel.id);
    const removed = await eventOf(bot, (event) => event.event === 'user_removed', 'user_removed');
    expect(removed).toEqual({
      event: 'user_removed',
      data: { remover_id: ids.bot, user_id: ids.bob },
      broadcast: { omit_users: null, user_id: '', channel_id: channel.id, team_id: '', connection_id: '', omit_connection_id: '' },
      seq: expect.any(Number),
    });
    expect(bot.events.map((event) => event.event)).toEqual(['hello', 'user_added', 'user_removed']);
    // Bob is out of the channel's audience: his copy is addressed to him and names the channel in its data.
    const bobsCopy = await eventOf(bob, (event) => event.event === 'user_removed', "bob's user_removed");
    expect(bobsCopy).toEqual({
      event: 'user_removed',
      data: { channel_id: channel.id, remover_id: ids.bot },
      broadcast: { omit_users: null, user_id: ids.bob, channel_id: '', team_id: '', connection_id: '', omit_connection_id: '' },
      seq: expect.any(Number),
    });

    // Leaving on one's own: the remover is the user.
    await rest('bob-token').addToChannel(ids.bob, channel.id);
    await rest('bob-token').removeFromChannel(ids.bob, channel.id);
    await waitFor(() => bot.events.filter((event) => event.event === 'user_removed'), (events) => events.length === 2, { intervalMs: 10, what: 'the second removal' });
    expect(bot.events.at(-1).data).toEqual({ remover_id: ids.bob, user_id: ids.bob });
    for (const heard of [bot, bob]) {
      expectGaplessSeqs(heard);
      expect(heard.reconnects).toBe(0);
    }
  });

  it('sends an ephemeral post to its one user', async () => {
    const alice = listen('alice-token');
    const bob = listen('bob-token');
    await Promise.all([connected(alice), connected(bob)]);
    const channel = await channelWithBot([ids.alice, ids.bob]);
    await rest('mm-bot-token').createPostEphemeral(ids.alice, { channel_id: channel.id, message: 'only for you' } as never);
    const ephemeral = await eventOf(alice, (event) => event.event === 'ephemeral_message', 'the ephemeral post');
    expect(ephemeral.broadcast).toMatchObject({ user_id: ids.alice, channel_id: channel.id });
    expect(JSON.parse(ephemeral.data.post)).toMatchObject({ type: 'system_ephemeral', user_id: ids.bot, channel_id: channel.id, message: 'only for you' });
    // A later post to both shows bob had nothing before it.
    await rest('mm-bot-token').createPost({ channel_id: channel.id, message: 'to all' } as never);
    await eventOf(bob, (event) => event.event === 'posted', "bob's posted");
    expect(bob.events.some((event) => event.event === 'ephemeral_message')).toBe(false);
  });
});

describe('Mattermost sandbox websocket: dropped connections', () => {
  it('drops every socket with 1001; the client reconnects, gets a new connection id and calls its missed-message listeners', async () => {
    const bot = listen('mm-bot-token');
    await connected(bot);
    const channel = await channelWithBot([ids.alice]);
    await eventOf(bot, (event) => event.event === 'user_added', "alice's user_added");
    const firstId = bot.events[0].data.connection_id;
    // The client asks to resume after the last event it heard.
    const lastSeq = bot.events.at(-1).seq;

    const raw = rawSocket({ Authorization: 'Bearer alice-token' });
    await raw.frame((frame) => frame.event === 'hello', 'the bare hello');
    const dropped = await fetch(`${sandbox.server.url}/_sandbox/websocket/drop`, { method: 'POST' });
    expect(await dropped.json()).toEqual({ dropped: expect.any(Number) });
    expect(await raw.closed).toBe(1001);

    await waitFor(() => helloCount(bot), (count) => count === 2, { intervalMs: 10, what: 'the second hello' });
    expect(bot.reconnects).toBe(1);
    expect(bot.missed).toBe(1);
    const secondHello = bot.events.filter((event) => event.event === 'hello')[1];
    expect(secondHello.data.connection_id).not.toBe(firstId);
    // The reconnect named the old connection and its sequence number; the sandbox never resumes, whatever they are.
    const reconnect = sandbox.server.requestsTo('GET', /^\/api\/v4\/websocket$/).at(-1);
    expect(reconnect?.query).toMatchObject({ connection_id: firstId, sequence_number: String(lastSeq + 1) });

    await rest('alice-token').createPost({ channel_id: channel.id, message: 'after the drop' } as never);
    await eventOf(bot, (event) => event.event === 'posted', 'a post after the reconnect');
    expectGaplessSeqs(bot);
    expect(bot.reconnects).toBe(1);
  });

  it('closes its sockets on stop, so stop() ends', async () => {
    const other = createMattermostSandbox();
    const url = await other.server.start({ port: 0 });
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v4/websocket`, { headers: { Authorization: 'Bearer mm-bot-token' } });
    rawSockets.push(socket);
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    await new Promise((resolve) => socket.once('message', resolve));
    await other.server.stop();
    expect(await closed).toBe(1001);
    expect(other.webSocketConnections()).toBe(0);
  });
});
