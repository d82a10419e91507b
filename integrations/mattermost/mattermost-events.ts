/**
 * Mattermost's events as they happen: the websocket its own apps listen on (`/api/v4/websocket`), through the official
 * client's WebSocketClient with the bot's token. The bot hears what happens in the channels it is a member of (every
 * incident channel: it made them): posts, joins and leaves. Outgoing webhooks see only public channels and only a
 * message's first word, and a membership poll sees a join a minute late; this sees both at once, in private channels too.
 *
 * The client was written for browsers. On Node 20 it needs two globals it reads by name (`WebSocket.OPEN`, `new
 * CloseEvent(...)`): the `ws` package's WebSocket and a small CloseEvent stand in when the runtime has none. It logs
 * connects and reconnects with console.log; its error log gets the error's message only (the raw event would print the
 * socket and its request).
 *
 * Events missed while the socket was down are not replayed by Mattermost after a long gap (a new connection ID in the
 * `hello` says so): `onGap` tells the caller to look for itself, with the time of the last event heard.
 */
import mattermost from '@mattermost/client';
import WebSocket from 'ws';
import { z } from 'zod';
import type { ChatEvent, ChatEventHandlers, ChatEventStream } from '../../api/ports/chat-events.js';
import { messageOf } from '../../domain/errors.js';

// Native ESM cannot see the client's classes as named exports of the CommonJS package.
const { WebSocketClient } = mattermost;

export interface ChatEventStreamConfig {
  /** Server URL without a trailing slash, e.g. https://chat.example.com */
  url: string;
  /** The bot's access token. */
  token: string;
  /** First reconnect after this long (default 3 s, the client's), growing after repeated failures up to maxRetryMs. */
  minRetryMs?: number;
  /** Default 5 minutes. */
  maxRetryMs?: number;
  /** Random extra wait before a reconnect (default 2 s), so replicas do not reconnect in step. */
  retryJitterMs?: number;
  /** A ping this often; no pong by the next one means the socket is dead and is replaced. Default 30 s. */
  pingIntervalMs?: number;
}

const broadcastSchema = z.object({ channel_id: z.string().default(''), user_id: z.string().default('') }).partial().default({});

const postSchema = z.object({
  id: z.string().min(1),
  user_id: z.string().min(1),
  channel_id: z.string().min(1),
  message: z.string().default(''),
  type: z.string().default(''),
  root_id: z.string().default(''),
  create_at: z.number().default(0),
});

const messageSchema = z.object({
  event: z.string(),
  data: z.record(z.string(), z.unknown()).default({}),
  broadcast: broadcastSchema,
});

/** Turns one websocket message into a ChatEvent, or undefined for what is not ours or not well formed. */
export function toChatEvent(raw: unknown): ChatEvent | undefined {
  const parsed = messageSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const { event, data, broadcast } = parsed.data;
  if (event === 'posted') {
    if (typeof data.post !== 'string') return undefined;
    let postJson: unknown;
    try {
      postJson = JSON.parse(data.post);
    } catch {
      return undefined;
    }
    const post = postSchema.safeParse(postJson);
    if (!post.success) return undefined;
    return {
      kind: 'posted',
      channelId: post.data.channel_id,
      teamId: typeof data.team_id === 'string' ? data.team_id : '',
      channelType: typeof data.channel_type === 'string' ? data.channel_type : '',
      post: {
        id: post.data.id,
        userId: post.data.user_id,
        message: post.data.message,
        type: post.data.type,
        rootId: post.data.root_id,
        createAt: post.data.create_at,
      },
    };
  }
  if (event === 'user_added' || event === 'user_removed') {
    const channelId = broadcast.channel_id ?? '';
    const userId = typeof data.user_id === 'string' ? data.user_id : '';
    // A user_removed sent to the removed user alone names no channel in its broadcast: nothing to do with it.
    if (!channelId || !userId) return undefined;
    return { kind: event === 'user_added' ? 'member_added' : 'member_removed', channelId, userId };
  }
  return undefined;
}

/** The globals the browser-made client reads by name, where the runtime lacks them (Node before 22). */
function provideBrowserGlobals(): void {
  const scope = globalThis as Record<string, unknown>;
  scope.WebSocket ??= WebSocket;
  scope.CloseEvent ??= class CloseEvent extends Event {
    readonly code: number;
    readonly reason: string;
    readonly wasClean: boolean;
    constructor(type: string, init: { code?: number; reason?: string; wasClean?: boolean } = {}) {
      super(type);
      this.code = init.code ?? 0;
      this.reason = init.reason ?? '';
      this.wasClean = init.wasClean ?? false;
    }
  };
}

export function websocketUrl(serverUrl: string): string {
  const url = new URL(serverUrl.replace(/\/+$/, '') + '/api/v4/websocket');
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/** Connects and keeps connecting (with backoff) until close(). */
export function listenToMattermostEvents(config: ChatEventStreamConfig, handlers: ChatEventHandlers): ChatEventStream {
  provideBrowserGlobals();
  let socket: WebSocket | undefined;
  let closed = false;
  let connected = false;
  let heardHello = false;
  /** Whether the current socket got its hello: one closed before that was refused (or never got through). */
  let socketGreeted = false;
  let lastHeardAt: number | undefined;

  const client = new WebSocketClient({
    minWebSocketRetryTime: config.minRetryMs ?? 3_000,
    maxWebSocketRetryTime: config.maxRetryMs ?? 300_000,
    reconnectJitterRange: config.retryJitterMs ?? 2_000,
    clientPingInterval: config.pingIntervalMs ?? 30_000,
    newWebSocketFn: (url: string) => {
      const current = new WebSocket(url, { handshakeTimeout: 10_000 });
      socket = current;
      socketGreeted = false;
      // The client prints the whole error event to the console; give it the message only (our listener keeps the
      // socket's 'error' handled, so a refused connection never becomes an uncaught exception).
      let onerror: ((event: unknown) => void) | null = null;
      Object.defineProperty(current, 'onerror', {
        configurable: true,
        get: () => onerror,
        set: (handler: ((event: unknown) => void) | null) => {
          onerror = handler;
        },
      });
      current.on('error', (error: Error) => {
        onerror?.({ type: 'error', message: error.message });
        handlers.onConnection?.({ connected: false, failures: 0, reason: error.message });
      });
      // The authentication reply goes to no listener of the client: a refused token would only retry in silence.
      current.on('message', (data: WebSocket.RawData) => {
        const text = String(data);
        if (!text.includes('"seq_reply"') || !text.includes('"FAIL"')) return;
        handlers.onConnection?.({ connected: false, failures: 0, reason: `Mattermost refused the websocket: ${text.slice(0, 300)}` });
      });
      return current as unknown as globalThis.WebSocket;
    },
  });

  client.addMessageListener((message) => {
    lastHeardAt = Date.now();
    if (message.event === 'hello') {
      connected = true;
      socketGreeted = true;
      handlers.onConnection?.({ connected: true, failures: 0 });
      if (!heardHello) {
        heardHello = true;
        safely(() => handlers.onGap({ first: true }));
      }
      return;
    }
    const event = toChatEvent(message);
    if (event) safely(() => handlers.onEvent(event));
  });
  // A hello with a new connection ID after a reconnect: Mattermost had no more of what was sent meanwhile.
  client.addMissedMessageListener(() => {
    safely(() => handlers.onGap({ first: false, ...(lastHeardAt !== undefined ? { since: lastHeardAt } : {}) }));
  });
  client.addCloseListener((failures) => {
    connected = false;
    if (closed) return;
    // Mattermost closes the socket of a token it does not accept without a word (no reply to the challenge).
    const reason = socketGreeted ? undefined : 'closed before Mattermost accepted it: is MATTERMOST_BOT_TOKEN right and valid, and does every proxy pass websockets?';
    handlers.onConnection?.({ connected: false, failures, ...(reason ? { reason } : {}) });
  });

  client.initialize(websocketUrl(config.url), config.token);

  function safely(run: () => void): void {
    try {
      run();
    } catch (error) {
      handlers.onConnection?.({ connected, failures: 0, reason: `event handler failed: ${messageOf(error)}` });
    }
  }

  return {
    get connected() {
      return connected && !closed;
    },
    close() {
      closed = true;
      connected = false;
      client.close();
      // close() leaves a socket that is still connecting, whose close would schedule a reconnect: end it here.
      if (socket) {
        socket.onclose = null;
        socket.terminate();
      }
    },
  };
}
