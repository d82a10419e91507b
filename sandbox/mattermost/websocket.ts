/**
 * The Mattermost sandbox's websocket, `/api/v4/websocket`: the event stream a real Mattermost 9.11 sends its apps, good
 * enough for `@mattermost/client`'s WebSocketClient (and so for the incident service's event listener) to run against.
 *
 * The protocol, as the real server speaks it (server/channels/app/platform: web_conn.go, websocket_router.go):
 *   - The client connects to `/api/v4/websocket?connection_id=<id or empty>&sequence_number=<n>` and sends
 *     `{"action":"authentication_challenge","seq":1,"data":{"token":"..."}}`. A token the REST API accepts (the sandbox's
 *     static token map) authenticates the connection: the server sends the `hello` event (seq 0), then answers
 *     `{"status":"OK","seq_reply":1}`. An unknown token gets no answer: the server closes the connection without a close
 *     frame (the client sees 1006), as the real router does. An `Authorization: Bearer <token>` header on the upgrade
 *     authenticates at once (hello straight away; a later challenge is ignored, unanswered, as the real router ignores
 *     a second one); a bad header token leaves the connection unauthenticated, as the real server's TrustRequester does.
 *   - `{"action":"ping","seq":n}` is answered `{"status":"OK","seq_reply":n,"data":{"text":"pong","version":...,
 *     "server_time":<ms>}}`; any other action `{"status":"OK","seq_reply":n}`. Before authentication every other action
 *     fails with api.web_socket_router.not_authenticated.app_error; a missing action or a seq below 1 fails with the
 *     real router's no_action / bad_seq errors.
 *   - Events are `{"event","data","broadcast","seq"}`, `seq` counting from 0 (the hello) per connection with no gaps: the
 *     client reconnects when a number is skipped. `data` keys come sorted, as Go marshals a map.
 *
 * Deliberately simpler than the real server: it never resumes a connection. Every connect, whatever connection_id and
 * sequence_number the query carries, gets a new connection_id in its hello and events missed while disconnected are
 * not replayed; the client takes the new id as "events were missed" and calls its missed-message listeners, as it does
 * after a long outage or a restart of a real server. (A client with no missed-message listener keeps its old sequence
 * number and so reconnects in a loop on the hello's seq 0; the real client behaves the same against a real server that
 * lost the connection's queue.)
 *
 * Events the sandbox sends, each only to the authenticated connections of the users named:
 *   posted            a post created through REST, to the channel's members
 *   user_added        a user joined or was added, to the channel's members (the added user included)
 *   user_removed      a user left or was removed: to the remaining members with data {remover_id, user_id} and broadcast
 *                     channel_id; to the removed user with data {channel_id, remover_id} and broadcast user_id (the real
 *                     server's second, user-addressed event: the removed user is no longer in the channel's audience)
 *   ephemeral_message an ephemeral post, to its one user
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import type { SandboxUpgradeHandler } from '../sandbox-server.js';

export const MATTERMOST_WEBSOCKET_PATH = '/api/v4/websocket';
/** hello's server_version and ping's version; ".sandbox" so nobody mistakes the fake for a real build. */
export const SANDBOX_SERVER_VERSION = '9.11.0.sandbox';
const SANDBOX_HOSTNAME = 'mattermost-sandbox';
/** Close code of a server going away: POST /_sandbox/websocket/drop and stop(). */
const GOING_AWAY = 1001;
/** How long stop() lets a client answer the close frame before the socket is cut. */
const CLOSE_GRACE_MS = 1000;

/** model.WebsocketBroadcast as it is marshalled (field order as in the Go struct). */
export interface WebSocketBroadcast {
  omit_users: Record<string, boolean> | null;
  user_id: string;
  channel_id: string;
  team_id: string;
  connection_id: string;
  omit_connection_id: string;
}

export interface WebSocketEventMessage {
  event: string;
  data: Record<string, unknown>;
  broadcast: WebSocketBroadcast;
  seq: number;
}

/** What the hub needs to know of the sandbox's state, looked up when an event is sent (so always current). */
export interface MattermostWebSocketDirectory {
  /** The user id a token authenticates, exactly as the REST routes resolve it; undefined for an unknown token. */
  userIdForToken(token: string): string | undefined;
  /** The channel's member user ids now. */
  channelMemberIds(channelId: string): string[];
  username(userId: string): string | undefined;
  /** A new 26-character Mattermost id (connection ids have the same form). */
  newId(): string;
}

/** The channel fields the events carry. */
export interface WebSocketChannel {
  id: string;
  type: string;
  name: string;
  display_name: string;
  team_id: string;
}

/** The post fields the hub reads; the whole object goes out as JSON. */
export interface WebSocketPost {
  id: string;
  user_id: string;
  channel_id: string;
  type: string;
}

export interface EphemeralPostFields {
  id: string;
  create_at: number;
  /** The sender (the session that posted it). */
  user_id: string;
  channel_id: string;
  message: string;
  root_id?: string;
  props?: Record<string, unknown>;
}

interface Connection {
  socket: WebSocket;
  connectionId: string;
  /** '' until authenticated. */
  userId: string;
  /** The seq of the next event sent on this connection. */
  seq: number;
}

interface WebSocketRequest {
  action?: unknown;
  seq?: unknown;
  data?: unknown;
}

/** The same schemes the REST auth takes: Client4 sends "BEARER", the real server also takes "Token", in any case. */
const AUTHORIZATION = /^(?:bearer|token)\s+(\S+)\s*$/i;

const broadcast = (fields: Partial<WebSocketBroadcast>): WebSocketBroadcast => ({
  omit_users: null,
  user_id: '',
  channel_id: '',
  team_id: '',
  connection_id: '',
  omit_connection_id: '',
  ...fields,
});

/** Go's encoding/json writes a map's keys sorted; event data is a map[string]any on the real server. */
const sortedKeys = (data: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * A model.AppError as the websocket router sends it (detailed_error blanked, no request id). seq_reply is omitempty in
 * model.WebSocketResponse, so a request with seq 0 gets a reply without one.
 */
const routerError = (seq: number, id: string, message: string, status: number) => ({
  status: 'FAIL',
  ...(seq !== 0 ? { seq_reply: seq } : {}),
  error: { id, message, detailed_error: '', status_code: status },
});

export class MattermostWebSocketHub implements SandboxUpgradeHandler {
  readonly path = MATTERMOST_WEBSOCKET_PATH;
  private readonly server = new WebSocketServer({ noServer: true });
  private readonly connections = new Set<Connection>();

  constructor(private readonly directory: MattermostWebSocketDirectory) {}

  /** Open connections, authenticated or not. */
  get openConnections(): number {
    return this.connections.size;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, upgraded: () => void): void {
    this.server.handleUpgrade(req, socket, head, (ws) => {
      upgraded();
      this.accept(ws, req);
    });
  }

  /** Closes every connection with 1001 "going away", as a restarting server would; answers how many there were. */
  dropAll(reason = 'sandbox dropped the connection'): number {
    const count = this.connections.size;
    for (const connection of this.connections) connection.socket.close(GOING_AWAY, reason);
    return count;
  }

  /** Closes every connection and waits until they are gone (cut after a grace period when a client does not answer). */
  async closeAll(): Promise<void> {
    const closing = [...this.connections].map(
      ({ socket }) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve();
          const cut = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
          socket.once('close', () => {
            clearTimeout(cut);
            resolve();
          });
          socket.close(GOING_AWAY, 'server shutting down');
        }),
    );
    await Promise.all(closing);
  }

  // --- events --------------------------------------------------------------------------------------------------------

  /** `posted`, to the channel's members. The post goes as the JSON the REST API answered with for it. */
  posted(channel: WebSocketChannel, post: WebSocketPost): void {
    const username = this.directory.username(post.user_id) ?? '';
    // notification.GetSenderName: "System" for system messages, else the sender's username with "@".
    const senderName = post.type.startsWith('system_') ? 'System' : `@${username}`;
    this.publish(
      'posted',
      {
        // notification.GetChannelName: a direct channel is named after the sender, as the recipient sees it.
        channel_display_name: channel.type === 'D' ? `@${username}` : channel.display_name,
        channel_name: channel.name,
        channel_type: channel.type,
        post: JSON.stringify(post),
        sender_name: senderName,
        set_online: true,
        team_id: channel.team_id,
      },
      broadcast({ channel_id: channel.id }),
      this.directory.channelMemberIds(channel.id),
    );
  }

  /** `user_added`, to the channel's members once the user is one of them. */
  userAdded(channel: WebSocketChannel, userId: string): void {
    this.publish('user_added', { team_id: channel.team_id, user_id: userId }, broadcast({ channel_id: channel.id }), this.directory.channelMemberIds(channel.id));
  }

  /** `user_removed`, once the user is out: one event to the remaining members, another to the removed user. */
  userRemoved(channel: WebSocketChannel, userId: string, removerId: string): void {
    const remaining = this.directory.channelMemberIds(channel.id).filter((id) => id !== userId);
    this.publish('user_removed', { remover_id: removerId, user_id: userId }, broadcast({ channel_id: channel.id }), remaining);
    this.publish('user_removed', { channel_id: channel.id, remover_id: removerId }, broadcast({ user_id: userId }), [userId]);
  }

  /**
   * `ephemeral_message`, to the one user it is for (the real SendEphemeralPost addresses it to user and channel). The
   * post is a whole model.Post of type system_ephemeral, from the session that sent it, as the real server builds it.
   */
  ephemeral(toUserId: string, fields: EphemeralPostFields): void {
    const post = {
      id: fields.id,
      create_at: fields.create_at,
      update_at: fields.create_at,
      edit_at: 0,
      delete_at: 0,
      is_pinned: false,
      user_id: fields.user_id,
      channel_id: fields.channel_id,
      root_id: fields.root_id ?? '',
      original_id: '',
      message: fields.message,
      type: 'system_ephemeral',
      props: fields.props ?? {},
      hashtags: '',
      pending_post_id: '',
      reply_count: 0,
      last_reply_at: 0,
      participants: null,
      metadata: {},
    };
    this.publish('ephemeral_message', { post: JSON.stringify(post) }, broadcast({ channel_id: post.channel_id, user_id: toUserId }), [toUserId]);
  }

  /** Sends an event to every authenticated connection of these users, each with that connection's next seq. */
  publish(event: string, data: Record<string, unknown>, to: WebSocketBroadcast, userIds: Iterable<string>): void {
    const audience = new Set(userIds);
    const sorted = sortedKeys(data);
    for (const connection of this.connections) {
      if (connection.userId && audience.has(connection.userId)) this.sendEvent(connection, event, sorted, to);
    }
  }

  // --- connections ---------------------------------------------------------------------------------------------------

  private accept(socket: WebSocket, req: IncomingMessage): void {
    // The query's connection_id and sequence_number are read by a real server to resume; this one never resumes.
    const connection: Connection = { socket, connectionId: this.directory.newId(), userId: '', seq: 0 };
    this.connections.add(connection);
    socket.on('close', () => this.connections.delete(connection));
    // A protocol error (a bad frame) ends the connection; without a listener it would crash the sandbox.
    socket.on('error', () => socket.terminate());
    socket.on('message', (raw, isBinary) => this.onMessage(connection, raw, isBinary));
    const header = AUTHORIZATION.exec(req.headers.authorization ?? '');
    const userId = header?.[1] ? this.directory.userIdForToken(header[1]) : undefined;
    if (userId) this.authenticate(connection, userId);
  }

  private authenticate(connection: Connection, userId: string): void {
    connection.userId = userId;
    // The hello is queued when the hub registers the connection, before the challenge's OK reply.
    this.sendEvent(
      connection,
      'hello',
      // The real hello also names the host (os.Hostname()); the client keeps it as serverHostname.
      sortedKeys({ connection_id: connection.connectionId, server_hostname: SANDBOX_HOSTNAME, server_version: SANDBOX_SERVER_VERSION }),
      broadcast({ user_id: userId }),
    );
  }

  private onMessage(connection: Connection, raw: RawData, isBinary: boolean): void {
    let request: WebSocketRequest;
    try {
      request = JSON.parse(isBinary ? '' : rawText(raw)) as WebSocketRequest;
      if (typeof request !== 'object' || request === null) throw new Error('not an object');
    } catch {
      // The real read pump stops at a message it cannot decode, which closes the connection.
      connection.socket.terminate();
      return;
    }
    const seq = typeof request.seq === 'number' ? request.seq : 0;
    const action = typeof request.action === 'string' ? request.action : '';
    if (action === '') return this.reply(connection, routerError(seq, 'api.web_socket_router.no_action.app_error', 'No websocket action.', 400));
    if (seq <= 0) return this.reply(connection, routerError(seq, 'api.web_socket_router.bad_seq.app_error', 'Invalid sequence for WebSocket message.', 400));
    if (action === 'authentication_challenge') return this.onChallenge(connection, seq, request.data);
    if (!connection.userId) {
      return this.reply(connection, routerError(seq, 'api.web_socket_router.not_authenticated.app_error', 'Connection is not authenticated. Please log in and try again.', 401));
    }
    if (action === 'ping') {
      return this.reply(connection, { status: 'OK', seq_reply: seq, data: { text: 'pong', version: SANDBOX_SERVER_VERSION, server_time: Date.now() } });
    }
    // user_typing, presence, get_statuses...: nothing in the sandbox depends on them.
    this.reply(connection, { status: 'OK', seq_reply: seq });
  }

  private onChallenge(connection: Connection, seq: number, data: unknown): void {
    // The real router ignores a challenge on an authenticated connection, without a reply.
    if (connection.userId) return;
    const token = typeof data === 'object' && data !== null ? (data as { token?: unknown }).token : undefined;
    const userId = typeof token === 'string' ? this.directory.userIdForToken(token) : undefined;
    if (!userId) {
      // As the real router: no reply, the connection is closed at once (no close frame, so the client sees 1006).
      connection.socket.terminate();
      return;
    }
    this.authenticate(connection, userId);
    this.reply(connection, { status: 'OK', seq_reply: seq });
  }

  private reply(connection: Connection, response: object): void {
    if (connection.socket.readyState === WebSocket.OPEN) connection.socket.send(JSON.stringify(response));
  }

  private sendEvent(connection: Connection, event: string, data: Record<string, unknown>, to: WebSocketBroadcast): void {
    if (connection.socket.readyState !== WebSocket.OPEN) return;
    const message: WebSocketEventMessage = { event, data, broadcast: to, seq: connection.seq++ };
    connection.socket.send(JSON.stringify(message));
  }
}

function rawText(raw: RawData): string {
  if (Buffer.isBuffer(raw)) return raw.toString('utf8');
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8');
  return Buffer.from(raw).toString('utf8');
}
